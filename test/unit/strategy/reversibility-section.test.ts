import { describe, expect, it } from 'vitest';
import { resolveReversibility } from '#core/dossier/contents/settings.ts';
import { parseStrategy } from '#core/strategy/parse.ts';
import { isAgeRecipient } from '#core/strategy/reversibility-schema.ts';
import { problemsOf, VALID } from './helpers.ts';

// Real recipients printed by `age-keygen`.
const R1 = 'age1gc09kmt6j5fuaa0c9qdx5ykdsug9ws0tacwglkyfa9x4tj87kp9q3khgh3';
const R2 = 'age15skfv02wgmqmf9svz6wul4qe4raydhsxu0d252wmfewpmm4x6vaqjnmt07';
const R3 = 'age1cnkad3texcjuc64xxnwmu98zr8sezagsm8wmlw49g0vnkkppgdsslfsv26';
const R4 = 'age1c33fae29w24al0l6t7vlpkp2yen3h5rs4hmvsghr9e9u6p9j7chq8pfhwx';

const withSection = (yaml: string) => `${VALID}reversibility:\n${yaml}`;

describe('the reversibility section of a strategy', () => {
  it('accepts every documented key', () => {
    const text = withSection(`  successorRecipients: [${R1}, ${R2}]
  breakGlassRecipient: ${R3}
  custodians: { recipients: [${R1}, ${R2}, ${R4}], threshold: 2 }
  checklist:
    accessLogs: { required: false }
    credentials: { waived: { reason: 'no shared credentials, SSO only' } }
  contacts:
    - { name: Jane Doe, role: service manager, email: jane@example.com, phone: "+33 1 23 45 67 89" }
  sources:
    configurations: { prefix: exports/acme/config/ }
    secrets: { prefix: acme/ }
  embedData: true
  retrievalPeriod: 90d
`);

    const section = parseStrategy(text, 'acme.yaml').document.reversibility;

    expect(section?.custodians).toEqual({ recipients: [R1, R2, R4], threshold: 2 });
    expect(section?.checklist?.credentials?.waived?.reason).toBe('no shared credentials, SSO only');
    expect(section?.embedData).toBe(true);
  });

  it('fills the defaults: every item required, tenant prefixes, tenant tag, 30 days, data referenced', () => {
    const settings = resolveReversibility(undefined, 'acme');

    expect(Object.values(settings.checklist).every((i) => i.required && i.waivedReason === undefined)).toBe(true);
    expect(settings.prefixes.configurations).toBe('config/acme/');
    expect(settings.prefixes.procedures).toBe('procedures/acme/');
    expect(settings.secrets).toEqual({ tag: { key: 'reversa:tenant', value: 'acme' } });
    expect(settings.retrievalPeriod).toEqual({ amount: 30, unit: 'd', text: '30d' });
    expect(settings.embedData).toBe(false);
  });

  it('refuses a recipient whose bech32 checksum is wrong (a typo), at its line', () => {
    const typo = `${R1.slice(0, -1)}${R1.endsWith('3') ? '4' : '3'}`;

    const problems = problemsOf(withSection(`  successorRecipients: [${typo}]\n`));

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 19, path: 'reversibility.successorRecipients[0]' });
    expect(problems[0]?.message).toMatch(/age X25519 public recipient/);
  });

  it('refuses a pasted secret identity without echoing it', () => {
    const secret = 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ';

    const problems = problemsOf(withSection(`  breakGlassRecipient: ${secret}\n`));

    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/SECRET identity/)]);
    expect(JSON.stringify(problems)).not.toContain('QQQQ');
  });

  it('refuses a threshold above the number of custodians', () => {
    const problems = problemsOf(withSection(`  custodians: { recipients: [${R1}, ${R2}], threshold: 3 }\n`));

    expect(problems).toEqual([
      expect.objectContaining({
        path: 'reversibility.custodians.threshold',
        message: 'threshold must not exceed the number of custodian recipients',
      }),
    ]);
  });

  it('refuses a threshold of 1 and a single custodian', () => {
    const problems = problemsOf(withSection(`  custodians: { recipients: [${R1}], threshold: 1 }\n`));

    expect(problems.map((p) => p.path).sort()).toEqual([
      'reversibility.custodians.recipients',
      'reversibility.custodians.threshold',
    ]);
  });

  it('suggests the checklist item meant by a typo', () => {
    const problems = problemsOf(withSection('  checklist:\n    inventroy: { required: false }\n'));

    expect(problems).toEqual([
      expect.objectContaining({
        line: 20,
        column: 5,
        path: 'reversibility.checklist.inventroy',
        message: expect.stringContaining("did you mean 'inventory'?"),
      }),
    ]);
  });

  it('refuses an unknown key, listing the allowed ones', () => {
    const problems = problemsOf(withSection('  schedule: weekly\n'));

    expect(problems[0]?.message).toBe(
      "unknown key 'schedule'; allowed keys: successorRecipients, breakGlassRecipient, custodians, checklist, contacts, sources, embedData, retrievalPeriod",
    );
  });

  it('refuses a waiver without a reason', () => {
    const problems = problemsOf(withSection('  checklist:\n    credentials: { waived: {} }\n'));

    expect(problems).toEqual([
      expect.objectContaining({
        path: 'reversibility.checklist.credentials.waived.reason',
        message: "missing required key 'reason'",
      }),
    ]);
  });

  it('refuses a contact nobody can reach, and a bad email', () => {
    const problems = problemsOf(
      withSection(
        '  contacts:\n    - { name: Jane, role: DBA }\n    - { name: Bob, role: SOC, email: bob-at-example }\n',
      ),
    );

    expect(problems.map((p) => [p.path, p.message])).toEqual([
      [
        'reversibility.contacts[0]',
        'expected at least one of email or phone: a contact nobody can reach is no contact',
      ],
      ['reversibility.contacts[1].email', 'expected an email address like ops@example.com'],
    ]);
  });

  it('refuses both a tag and a prefix for secrets, and a prefix without a trailing slash', () => {
    const problems = problemsOf(
      withSection(
        '  sources:\n    secrets: { prefix: acme/, tag: { key: a, value: b } }\n    procedures: { prefix: runbooks }\n',
      ),
    );

    expect(problems.map((p) => p.path).sort()).toEqual([
      'reversibility.sources.procedures.prefix',
      'reversibility.sources.secrets',
    ]);
  });

  it('refuses a retrieval period that is not a duration', () => {
    const problems = problemsOf(withSection('  retrievalPeriod: 30 days\n'));

    expect(problems).toEqual([
      expect.objectContaining({ path: 'reversibility.retrievalPeriod', message: expect.stringMatching(/duration/) }),
    ]);
  });

  it('tells age recipients from look-alikes', () => {
    expect(isAgeRecipient(R1)).toBe(true);
    expect(isAgeRecipient(R1.toUpperCase())).toBe(false);
    expect(isAgeRecipient(`${R1}q`)).toBe(false);
    expect(isAgeRecipient(`age1${R1.slice(4).replace(/q/g, 'p')}`)).toBe(false);
  });
});
