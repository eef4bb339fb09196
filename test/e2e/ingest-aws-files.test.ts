/**
 * `reversa ingest <file> --tenant <id>` on a fresh home takes every kind of AWS file a provider
 * has (issue 11 §1), stores a job seen in an event and in a listing once, refuses an undeclared
 * account and non-UTF-8 input with exit 2 naming what is wrong (issue 8), and ingesting the same
 * files again writes nothing.
 */
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshHome, reversa } from './cli-support.ts';

const FIXTURES = new URL('../fixtures/aws-backup/', import.meta.url).pathname;
const TABLE = 'arn:aws:dynamodb:eu-west-3:111122223333:table/orders';

const STRATEGY = `apiVersion: reversa/v1
tenant: { id: acme, name: ACME Industries }
timezone: Europe/Paris
sources:
  awsBackup:
    accounts: [{ accountId: "111122223333", regions: [eu-west-3] }]
defaults: { rpo: 24h, retention: 35d }
resources:
  - locator: ${TABLE}
    name: Orders table
    source: aws-backup
`;

const FILES: Array<[string, string, string[]]> = [
  ['backup-job-completed.json', 'aws-backup-events', []],
  ['events.ndjson', 'aws-backup-events', []],
  ['filter-log-events.json', 'cloudwatch-logs', []],
  ['cloudwatch-logs-export.txt', 'cloudwatch-logs', []],
  ['list-backup-jobs.json', 'aws-backup-cli', []],
  ['list-backup-jobs-pages.json', 'aws-backup-cli', []],
  ['list-copy-jobs.json', 'aws-backup-cli', []],
  ['list-recovery-points-by-backup-vault.json', 'aws-backup-cli', []],
  ['list-recovery-points-by-resource.json', 'aws-backup-cli', ['--resource-arn', TABLE]],
];

interface IngestJson {
  results: Array<{
    status: string;
    format?: string;
    code?: string;
    written?: number;
    problems?: Array<{ message: string }>;
  }>;
}

describe('reversa ingest of AWS files on a fresh home', () => {
  let env: Record<string, string>;
  /** Outside the home's own data: `ingest <dir>` reads every file under it. */
  let dir: string;

  beforeAll(async () => {
    env = await freshHome('aws-files');
    dir = join(env.REVERSA_HOME!, 'aws-files');
    await mkdir(dir);
    await writeFile(join(dir, 'acme.yaml'), STRATEGY);
    for (const [name] of FILES) await copyFile(join(FIXTURES, name), join(dir, name));
    expect((await reversa(['strategy', 'apply', join(dir, 'acme.yaml')], env)).code).toBe(0);
    await rm(join(dir, 'acme.yaml'));
  });

  it('takes every kind of file, detected from its content, and again changes nothing', async () => {
    const first: IngestJson['results'] = [];
    for (const [name, , flags] of FILES) {
      const run = await reversa(['ingest', join(dir, name), '--tenant', 'acme', '--json', ...flags], env);
      expect(run.code, `${name}: ${run.stdout}${run.stderr}`).toBe(0);
      first.push(...(JSON.parse(run.stdout) as IngestJson).results);
    }
    const again = await reversa(['ingest', dir, '--tenant', 'acme', '--json', '--resource-arn', TABLE], env);

    expect(first.map((r) => r.format)).toEqual(FILES.map(([, format]) => format));
    // The listings name jobs the events already stored (same ids, same keys): nothing new to write.
    const writtenBy = new Map(FILES.map(([name], i) => [name, first[i]?.written]));
    expect(writtenBy.get('list-backup-jobs.json')).toBe(0);
    expect(writtenBy.get('list-backup-jobs-pages.json')).toBe(0);
    expect(writtenBy.get('list-copy-jobs.json')).toBe(0);
    const results = (JSON.parse(again.stdout) as IngestJson).results.filter((r) => r.format !== undefined);
    expect(results).toHaveLength(FILES.length);
    expect(results.every((r) => r.status === 'ingested' && r.written === 0)).toBe(true);
  });

  it('refuses records of an AWS account the strategy does not declare, naming it, and exits 2', async () => {
    const other = join(dir, 'other-account.ndjson');
    const events = await readFile(join(FIXTURES, 'events.ndjson'), 'utf8');
    await writeFile(other, events.replaceAll('111122223333', '999988887777'));

    const run = await reversa(['ingest', other, '--tenant', 'acme'], env);

    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`${other}:2:`);
    expect(run.stdout).toContain("AWS account 999988887777 is not declared in tenant acme's strategy");
    expect(run.stdout).toContain('quarantine/acme/');
  });

  it('refuses a file that is not UTF-8, naming the byte offset and line, and exits 2', async () => {
    const latin1 = join(dir, 'latin1.json');
    await writeFile(
      latin1,
      Buffer.concat([
        Buffer.from('{"BackupJobs": [\n{"StatusMessage": "d'),
        Buffer.from([0xe9]),
        Buffer.from('j\\u00e0"}]}'),
      ]),
    );

    const run = await reversa(['ingest', latin1, '--tenant', 'acme'], env);

    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`${latin1}:2:21: not valid UTF-8: byte 0xE9 at byte offset 37`);
  });

  it('refuses a strategy that is not UTF-8 in the same terms', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      Buffer.concat([Buffer.from(STRATEGY.replace('ACME Industries', 'ACME Soci')), Buffer.from([0xe9, 0x74, 0xe9])]),
    );

    const run = await reversa(['strategy', 'validate', bad], env);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bad\.yaml:\d+:\d+: not valid UTF-8: byte 0xE9 at byte offset \d+/);
  });
});
