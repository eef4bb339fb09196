import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#core/errors.ts';
import { MAX_STRATEGY_BYTES, parseStrategy } from '#core/strategy/parse.ts';
import { problemsOf, VALID } from './helpers.ts';

describe('parseStrategy accepts', () => {
  it('a valid YAML document and keeps its text, file name and SHA-256', () => {
    const parsed = parseStrategy(VALID, 'acme.yaml');

    expect(parsed.document.tenant.id).toBe('acme');
    expect(parsed.document.resources).toHaveLength(2);
    expect(parsed.text).toBe(VALID);
    expect(parsed.fileName).toBe('acme.yaml');
    expect(parsed.contentSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the same document written as JSON', () => {
    const json = JSON.stringify(parseStrategy(VALID, 'a.yaml').document, null, 2);

    const parsed = parseStrategy(json, 'acme.json');

    expect(parsed.document).toEqual(parseStrategy(VALID, 'a.yaml').document);
  });

  it('a few anchors and aliases to share a policy', () => {
    const text = VALID.replace('  rpo: 24h\n', '  rpo: 24h\n  copies: &offsite { min: 1, offsite: true }\n').replace(
      '    rpo: 1h\n',
      '    rpo: 1h\n    copies: *offsite\n',
    );

    const parsed = parseStrategy(text, 'acme.yaml');

    expect(parsed.document.resources[0]?.copies).toEqual({ min: 1, offsite: true });
  });

  it.each(['examples/acme.strategy.yaml', 'examples/minimal.strategy.yaml'])('the example %s', (file) => {
    const parsed = parseStrategy(readFileSync(file, 'utf8'), file);

    expect(parsed.document.apiVersion).toBe('reversa/v1');
  });
});

/** A document parseStrategy must refuse with exactly one problem, and that problem (in acme.yaml). */
interface OneProblem {
  behaviour: string;
  text: string;
  line: number;
  column: number | ReturnType<typeof expect.any>;
  path: string | ReturnType<typeof expect.stringMatching>;
  message: string | ReturnType<typeof expect.stringMatching>;
}

/** Nine levels of nine aliases each: 9^9 strings once expanded. */
function billionLaughs(): string {
  const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  return `${levels.join('\n')}\n`;
}

const ONE_PROBLEM: OneProblem[] = [
  {
    behaviour: 'an unknown key at the key itself, suggesting the closest allowed key and naming all of them',
    text: VALID.replace('    rpo: 1h', '    rpoo: 1h'),
    line: 12,
    column: 5,
    path: 'resources[0].rpoo',
    message: expect.stringMatching(/^unknown key 'rpoo' \(did you mean 'rpo'\?\); allowed keys: locator, select, /),
  },
  {
    behaviour: 'an unknown key with no close match without a suggestion',
    text: `${VALID}owner: someone\n`,
    line: 18,
    column: 1,
    path: 'owner',
    message:
      "unknown key 'owner'; allowed keys: apiVersion, tenant, timezone, sources, defaults, resources, exclusions, restoreTests, reversibility, incidents, contract, notifications",
  },
  {
    behaviour: 'a bad duration at its value, saying what a duration looks like',
    text: VALID.replace('  retention: 35d', '  retention: 35 days'),
    line: 8,
    column: 14,
    path: 'defaults.retention',
    message: 'expected a duration like 15m, 24h, 35d, 2w or 1y',
  },
  {
    behaviour: 'a resource with no rpo from itself or defaults, naming the resource',
    text: VALID.replace('  rpo: 24h\n', ''),
    line: 12,
    column: 5,
    path: 'resources[1]',
    message: "no rpo for 'Daily EBS volumes': set rpo on this resource or in defaults",
  },
  {
    behaviour: 'an unknown timezone',
    text: VALID.replace('Europe/Paris', 'Europe/Lutece'),
    line: 5,
    column: 11,
    path: 'timezone',
    message: 'expected an IANA timezone like Europe/Paris or UTC',
  },
  {
    behaviour: 'a resource with both locator and select',
    text: VALID.replace('  - name: Daily EBS volumes\n', '  - name: Daily EBS volumes\n    locator: arn:aws:ec2:x\n'),
    line: 13,
    column: 5,
    path: 'resources[1]',
    message: 'expected exactly one of locator (an explicit resource) or select (a selector)',
  },
  {
    behaviour: 'a resource with neither locator nor select',
    text: VALID.replace('    select: { source: aws-backup, type: EBS, tags: { backup: daily } }\n', ''),
    line: 13,
    column: 5,
    path: 'resources[1]',
    message: 'expected exactly one of locator (an explicit resource) or select (a selector)',
  },
  {
    behaviour: 'an explicit locator declared twice, at the second one',
    text: VALID.replace(
      '  - name: Daily EBS volumes\n',
      '  - locator: arn:aws:rds:eu-west-3:111122223333:db:orders\n  - name: Daily EBS volumes\n',
    ),
    line: 13,
    column: 14,
    path: 'resources[1].locator',
    message: "locator 'arn:aws:rds:eu-west-3:111122223333:db:orders' is already declared by resources[0]",
  },
  {
    behaviour: 'a name used twice',
    text: VALID.replace('Daily EBS volumes', 'Orders database'),
    line: 13,
    column: 11,
    path: 'resources[1].name',
    message: "name 'Orders database' is already used by resources[0]; names must be unique",
  },
  {
    behaviour: 'an exclusion of an explicitly declared resource',
    text: VALID.replace(
      'arn:aws:ec2:eu-west-3:111122223333:volume/vol-scratch',
      'arn:aws:rds:eu-west-3:111122223333:db:orders',
    ),
    line: 16,
    column: 14,
    path: 'exclusions[0].locator',
    message:
      "'arn:aws:rds:eu-west-3:111122223333:db:orders' is declared by resources[0]: a resource cannot be both protected and excluded",
  },
  {
    behaviour: 'a keyId without encryption required',
    text: VALID.replace('    rpo: 1h\n', '    rpo: 1h\n    encryption: { keyId: alias/backup }\n'),
    line: 13,
    column: 26,
    path: 'resources[0].encryption.keyId',
    message: 'keyId only applies when encryption.required is true',
  },
  {
    behaviour: 'a missing required key at the mapping that should hold it',
    text: VALID.replace('  name: ACME Industries\n', ''),
    line: 2,
    column: 1,
    path: 'tenant.name',
    message: "missing required key 'name'",
  },
  {
    behaviour: 'an unquoted account id, asking for a quoted 12-digit string',
    text: `${VALID}sources:\n  awsBackup:\n    accounts:\n      - { accountId: 111122223333, regions: [eu-west-3] }\n`,
    line: 21,
    column: 22,
    path: 'sources.awsBackup.accounts[0].accountId',
    message: 'expected a 12-digit AWS account id in quotes, e.g. "111122223333"',
  },
  {
    behaviour: 'a duplicate key',
    text: VALID.replace('    rpo: 1h\n', '    rpo: 1h\n    rpo: 2h\n'),
    line: 13,
    column: 5,
    path: 'resources[0].rpo',
    message: "duplicate key 'rpo': each key may appear only once in a mapping",
  },
  {
    behaviour: 'several YAML documents in one file',
    text: `${VALID}---\n${VALID}`,
    line: 18,
    column: 1,
    path: '',
    message: "a strategy file holds exactly one YAML document: remove the '---' separator and what follows",
  },
  {
    behaviour: 'a document over 1 MiB without parsing it',
    text: `${VALID}# ${'x'.repeat(MAX_STRATEGY_BYTES)}\n`,
    line: 1,
    column: 1,
    path: '',
    message: expect.stringMatching(/^document is \d+ bytes; a strategy may be at most 1048576 bytes/),
  },
  {
    behaviour: 'an alias bomb (billion laughs) before expanding it',
    text: billionLaughs(),
    line: 7,
    column: expect.any(Number),
    path: expect.stringMatching(/^g\[\d\]$/),
    message: 'more than 50 aliases: a strategy may reuse anchors at most 50 times',
  },
  {
    behaviour: 'an alias to an anchor that does not exist',
    text: VALID.replace('    rpo: 1h\n', '    rpo: 1h\n    copies: *nowhere\n'),
    line: 13,
    column: 13,
    path: 'resources[0].copies',
    message: "unknown anchor 'nowhere': an alias must refer to an anchor (&nowhere) defined before it",
  },
  {
    behaviour: 'a document that is not a mapping',
    text: '- just\n- a list\n',
    line: 1,
    column: 1,
    path: '',
    message: 'expected a mapping (key: value lines), found a list',
  },
];

describe('parseStrategy reports, with file, line, column and path', () => {
  it.each(ONE_PROBLEM)('$behaviour', ({ text, line, column, path, message }) => {
    const problems = problemsOf(text);

    expect(problems).toEqual([{ file: 'acme.yaml', line, column, path, message }]);
  });

  it('a misspelt rpo only once, not also as a missing rpo', () => {
    const problems = problemsOf(
      VALID.replace('  rpo: 24h\n', '')
        .replace('    rpo: 1h', '    RPO: 1h')
        .replace('daily } }', 'daily } }\n    rpo: 1d'),
    );

    expect(problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message.split(';')[0]}`)).toEqual([
      "11:5 resources[0].RPO: unknown key 'RPO' (did you mean 'rpo'?)",
    ]);
  });

  it.each(['0d', '1.5h', '24', '1s', '-1d', '999999999d'])('the duration %s as invalid', (bad) => {
    const problems = problemsOf(VALID.replace('    rpo: 1h', `    rpo: "${bad}"`));

    expect(problems.map((p) => [p.line, p.path, p.message])).toEqual([
      [12, 'resources[0].rpo', 'expected a duration like 15m, 24h, 35d, 2w or 1y'],
    ]);
  });

  it('a UTC offset instead of an IANA timezone', () => {
    const problems = problemsOf(VALID.replace('Europe/Paris', '"+01:00"'));

    expect(problems.map((p) => p.path)).toEqual(['timezone']);
  });

  it('accepts a keyId when defaults require encryption', () => {
    const text = VALID.replace('  rpo: 24h\n', '  rpo: 24h\n  encryption: { required: true }\n').replace(
      '    rpo: 1h\n',
      '    rpo: 1h\n    encryption: { keyId: alias/backup }\n',
    );

    expect(parseStrategy(text, 'acme.yaml').document.resources[0]?.encryption?.keyId).toBe('alias/backup');
  });

  it('a YAML syntax error with its line and column', () => {
    const problems = problemsOf(VALID.replace('select: { source: aws-backup,', 'select: { source: aws-backup'));

    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({
      file: 'acme.yaml',
      line: 14,
      message: expect.stringMatching(/^YAML syntax error: /),
    });
    expect(problems.every((p) => p.line !== undefined && p.column !== undefined)).toBe(true);
  });

  it('EVERY problem at once, in document order', () => {
    const text = VALID.replace('Europe/Paris', 'Paris')
      .replace('  retention: 35d', '  retentoin: 35d')
      .replace('    rpo: 1h', '    rpo: 1 hour');

    const error = (() => {
      try {
        parseStrategy(text, 'acme.yaml');
      } catch (e) {
        return e;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(ValidationError);
    const problems = (error as ValidationError).problems;
    expect(problems.map((p) => `${p.line}:${p.column} ${p.path}`)).toEqual([
      '5:11 timezone',
      '8:3 defaults.retentoin',
      '12:10 resources[0].rpo',
    ]);
    expect(problems[1]?.message).toMatch(/did you mean 'retention'\?/);
    expect((error as ValidationError).code).toBe('InvalidStrategy');
  });
});
