/**
 * Whom a dossier's secrets are sealed to, and who asked, come from trusted sources only: the applied
 * strategy and the authenticated requester. Anyone who may start the export workflow used to choose
 * both in the execution input; now the input is refused when it tries, and an override of the
 * strategy's recipients needs a second person's approval recorded in the audit log.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recipientFingerprint } from '#core/dossier/escrow/keys.ts';
import { approveRecipientOverride, requestExport } from '#core/use-cases/dossier-export.ts';
import { runExport } from '#local/export-runner.ts';
import type { LocalDossierDeps } from '#wiring/local/dossier.ts';
import { localTenantWiring } from '#wiring/local/tenants.ts';
import { type CloudFixture, startTestCloud } from '../support/local-cloud.ts';
import { seedPortalTenant } from '../support/portal.ts';
import { HOUR, type SettableClock, settableClock } from '../support/verify-fixtures.ts';

const AT = Date.parse('2026-11-20T10:00:00Z');
let fixture: CloudFixture;
let clock: SettableClock;
let deps: LocalDossierDeps;
let strategyRecipient: string;
let attacker: string;

const keyPair = (dir: string, name: string) => {
  const file = join(dir, `${name}.txt`);
  execFileSync('age-keygen', ['-o', file], { stdio: 'ignore' });
  return execFileSync('age-keygen', ['-y', file], { encoding: 'utf8' }).trim();
};

beforeAll(async () => {
  clock = settableClock(AT);
  fixture = await startTestCloud({ label: 'export-trust', clock });
  strategyRecipient = keyPair(fixture.root, 'successor');
  attacker = keyPair(fixture.root, 'attacker');
  await seedPortalTenant(fixture, clock, 'acme', strategyRecipient, AT);
  deps = localTenantWiring(fixture.cloud, clock).dossiers.forTenant('acme');
}, 120_000);
afterAll(() => fixture?.stop());

let minute = 0;
/** A fresh minute per export: the export id derives from it. */
function nextMinute(): number {
  minute += 1;
  clock.set(AT + HOUR + minute * 60_000);
  return clock.now();
}

describe('the export workflow’s input', () => {
  it('refuses recipients and a requester set in the execution input, and publishes nothing', async () => {
    const before = (await deps.dossiers.getLatest('acme'))?.version;
    const now = nextMinute();
    await requestExport(deps, { tenantId: 'acme', requestedBy: 'ops@provider.example', now });

    const run = await runExport(
      deps,
      {
        tenantId: 'acme',
        requestedAt: new Date(now).toISOString(),
        recipients: [attacker],
        requestedBy: 'ceo',
      } as never,
      { zeroWaits: true },
    );

    expect(run.status).toBe('FAILED');
    expect(run.cause).toMatch(/requestedBy, recipients cannot be set in the execution input/);
    expect((await deps.dossiers.getLatest('acme'))?.version).toBe(before);
  });

  it('refuses an execution nobody requested through the authenticated path', async () => {
    const now = nextMinute();

    const run = await runExport(
      deps,
      { tenantId: 'acme', requestedAt: new Date(now).toISOString() },
      { zeroWaits: true },
    );

    expect(run.status).toBe('FAILED');
    expect(run.cause).toMatch(/no export request/);
  });

  it("seals to the strategy's recipients and names the authenticated requester", async () => {
    const { input } = await requestExport(deps, {
      tenantId: 'acme',
      requestedBy: 'it-ops@provider.example',
      now: nextMinute(),
    });

    const run = await runExport(deps, input, { zeroWaits: true });
    const version = await deps.dossiers.getLatest('acme');

    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(version?.createdBy).toBe('it-ops@provider.example');
    expect(version?.recipientFingerprints).toEqual([recipientFingerprint(strategyRecipient)]);
  });
});

describe('an override of the recipients', () => {
  it('is refused when the requester approved it alone, when the approval names other keys, and once it expired', async () => {
    const now = nextMinute();
    const own = await approveRecipientOverride(deps, {
      tenantId: 'acme',
      override: { recipients: [attacker] },
      approvedBy: 'mallory@provider.example',
      now,
    });
    const other = await approveRecipientOverride(deps, {
      tenantId: 'acme',
      override: { recipients: [strategyRecipient] },
      approvedBy: 'alice@provider.example',
      now,
    });
    const short = await approveRecipientOverride(deps, {
      tenantId: 'acme',
      override: { recipients: [attacker] },
      approvedBy: 'alice@provider.example',
      now,
      validForMs: 60_000,
    });
    const ask = (approvalSeq: number, at = now) =>
      requestExport(deps, {
        tenantId: 'acme',
        requestedBy: 'mallory@provider.example',
        now: at,
        override: { recipients: [attacker], approvalSeq },
      });

    await expect(ask(own.approvalSeq)).rejects.toMatchObject({ code: 'SelfApproval' });
    await expect(ask(other.approvalSeq)).rejects.toMatchObject({ code: 'ApprovalMismatch' });
    await expect(ask(short.approvalSeq, now + 2 * 60_000)).rejects.toMatchObject({ code: 'ApprovalExpired' });
  });

  it("approved by someone else, seals that export to the override's recipients, both names in the audit log", async () => {
    const now = nextMinute();
    const approval = await approveRecipientOverride(deps, {
      tenantId: 'acme',
      override: { recipients: [attacker] },
      approvedBy: 'alice@provider.example',
      now,
    });
    const { input } = await requestExport(deps, {
      tenantId: 'acme',
      requestedBy: 'bob@provider.example',
      now,
      override: { recipients: [attacker], approvalSeq: approval.approvalSeq },
    });

    const run = await runExport(deps, input, { zeroWaits: true });
    const version = await deps.dossiers.getLatest('acme');
    const entries: { type: string; summary: Record<string, unknown> }[] = [];
    for await (const e of deps.audit.store.listEntries('acme', approval.approvalSeq)) entries.push(JSON.parse(e.body));

    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(version?.recipientFingerprints).toEqual([recipientFingerprint(attacker)]);
    expect(entries[0]).toMatchObject({
      type: 'escrow-override-approval',
      summary: { approvedBy: 'alice@provider.example' },
    });
    expect(entries.find((e) => e.type === 'dossier-export')?.summary.who).toBe('bob@provider.example');
  });
});
