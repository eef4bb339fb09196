import { describe, expect, it } from 'vitest';
import { parseStrategy } from '#core/strategy/parse.ts';
import { isAwsCron } from '#core/strategy/schema.ts';
import { problemsOf, VALID } from './helpers.ts';

const POLICY = `restoreTests:
  policies:
    - name: weekly-files
      resources: [restic:web-01:/srv/www]
      runner: restic
      schedule: { cron: "0 3 ? * SUN *" }
      recoveryPoint: { select: random, window: 30d }
      sample: { percent: 10 }
      validators: [checksums, restic-check, "lambda:arn:aws:lambda:eu-west-3:111122223333:function:check-db"]
      maxRto: 4h
      coverage: 90d
      sandbox: { directory: /var/tmp/reversa }
      restic: { repository: /srv/restic, passwordSecret: acme/restic-web }
    - name: nightly-archives
      source: generic
      runner: s3-archive
      schedule: { every: 7d }
      sample: all
      maxRto: 1h
      sandbox: { bucket: acme-sandbox, prefix: restore/ }
      archive: { bucket: acme-backups, key: "archives/{recoveryPointId}.tar.gz" }
`;

const withPolicy = (replace: [string, string][] = []) =>
  replace.reduce((text, [from, to]) => text.replace(from, to), `${VALID}${POLICY}`);

describe('the restoreTests section', () => {
  it('accepts policies for every selection style, cadence and sample', () => {
    const policies = parseStrategy(withPolicy(), 'acme.yaml').document.restoreTests?.policies;

    expect(policies?.map((p) => p.name)).toEqual(['weekly-files', 'nightly-archives']);
    expect(policies?.[0]?.sample).toEqual({ percent: 10 });
    expect(policies?.[0]?.restic?.passwordSecret).toBe('acme/restic-web');
    expect(policies?.[1]?.sample).toBe('all');
  });

  it('still accepts the empty section of older documents', () => {
    expect(parseStrategy(`${VALID}restoreTests: {}\n`, 'acme.yaml').document.restoreTests).toEqual({});
  });

  it('refuses an unknown key with the allowed keys listed', () => {
    expect(problemsOf(`${VALID}restoreTests:\n  schedule: weekly\n`)).toEqual([
      {
        file: 'acme.yaml',
        line: 19,
        column: 3,
        path: 'restoreTests.schedule',
        message: "unknown key 'schedule'; allowed keys: policies",
      },
    ]);
  });

  it('refuses a cron without exactly one ? in day-of-month / day-of-week', () => {
    const problems = problemsOf(withPolicy([['"0 3 ? * SUN *"', '"0 3 * * SUN *"']]));

    expect(problems.map((p) => [p.path, p.line])).toEqual([['restoreTests.policies[0].schedule.cron', 23]]);
  });

  it('refuses both cron and every', () => {
    const problems = problemsOf(withPolicy([['{ every: 7d }', '{ every: 7d, cron: "0 3 ? * SUN *" }']]));

    expect(problems.map((p) => p.message)).toEqual(['expected exactly one of cron or every']);
  });

  it('requires a window for random selection', () => {
    const problems = problemsOf(withPolicy([['{ select: random, window: 30d }', '{ select: random }']]));

    expect(problems.map((p) => p.path)).toEqual(['restoreTests.policies[0].recoveryPoint.window']);
  });

  it('refuses a sample that mixes percent and count', () => {
    const problems = problemsOf(withPolicy([['{ percent: 10 }', '{ percent: 10, count: 5 }']]));

    expect(problems.map((p) => p.message)).toEqual(['expected all, { percent: <1-100> } or { count: <n> }']);
  });

  it('refuses an unknown validator and a malformed lambda validator', () => {
    const problems = problemsOf(withPolicy([['[checksums, restic-check,', '[md5, "lambda:not-an-arn",']]));

    expect(problems.map((p) => p.path)).toEqual([
      'restoreTests.policies[0].validators[0]',
      'restoreTests.policies[0].validators[1]',
    ]);
  });

  it('refuses something that looks like a password in passwordSecret, without echoing it', () => {
    const problems = problemsOf(withPolicy([['acme/restic-web', '"s3cr3t pass!"']]));

    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(/NAME of a secret/);
    expect(JSON.stringify(problems)).not.toContain('s3cr3t');
  });

  it('requires the runner-specific block and refuses another runner’s block and sandbox keys', () => {
    const problems = problemsOf(
      withPolicy([
        ['      restic: { repository: /srv/restic, passwordSecret: acme/restic-web }\n', ''],
        ['      archive: { bucket', '      restic: { repository: /r, passwordSecret: x }\n      archive: { bucket'],
        ['{ bucket: acme-sandbox, prefix: restore/ }', '{ directory: /tmp }'],
      ]),
    );

    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['restoreTests.policies[0].restic', "missing required key 'restic'"],
      [
        'restoreTests.policies[1].sandbox.directory',
        'sandbox.directory does not apply to runner s3-archive; allowed: bucket, prefix',
      ],
      ['restoreTests.policies[1].restic', 'restic applies only to runner restic'],
    ]);
  });

  it('requires exactly one of resources or source', () => {
    const problems = problemsOf(withPolicy([['      source: generic\n', '']]));

    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['restoreTests.policies[1]', 'expected exactly one of resources (all or locators) or source'],
    ]);
  });

  it('refuses duplicate policy names', () => {
    const problems = problemsOf(withPolicy([['name: nightly-archives', 'name: weekly-files']]));

    expect(problems.map((p) => p.message)).toEqual(['restore-test policy names must be unique']);
  });
});

describe('isAwsCron', () => {
  it.each(['0 3 ? * SUN *', '15 10 ? * 6L 2026-2030', '0/15 * * * ? *', '0 8 1 JAN,JUL ? *'])('accepts %s', (cron) => {
    expect(isAwsCron(cron)).toBe(true);
  });
  it.each(['0 3 * * *', '0 3 ? * ? *', '0 3 1 * 1 *', 'a b c d e f', '0 3 ? * SUN * extra'])('refuses %s', (cron) => {
    expect(isAwsCron(cron)).toBe(false);
  });
});
