/**
 * AWS files through the ingest use case on the local cloud: stored once whichever way a job is
 * seen, and refused when they come from an account the tenant's strategy does not declare (the
 * routing table the backup-event Lambda uses).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBackupEvent } from '#core/use-cases/ingest-backup-event.ts';
import { ingestReport, ingestS3Object } from '#core/use-cases/ingest-report.ts';
import { type CloudFixture, startTestCloud, uniqueTenant } from '../../support/local-cloud.ts';
import { fixture, fixtureJson } from './helpers.ts';

const RECEIVED = Date.parse('2026-03-05T00:00:00Z');
const ACCOUNT = '111122223333';
const TABLE = 'arn:aws:dynamodb:eu-west-3:111122223333:table/orders';
const JOB = 'a827233a-d405-4a86-a440-759fa94f34dd';

let fx: CloudFixture;
let owner: string;
beforeAll(async () => {
  fx = await startTestCloud();
  owner = uniqueTenant('owner');
  await fx.adapters.tenants.setAwsAccounts(owner, [ACCOUNT]);
});
afterAll(async () => fx.stop());

const ingest = (tenantId: string, name: string, extra: { resourceArn?: string; receivedAt?: number } = {}) =>
  ingestReport(fx.adapters, {
    tenantId,
    fileName: `exports/${name}`,
    text: fixture(`aws-backup/${name}`),
    receivedAt: extra.receivedAt ?? RECEIVED,
    resourceArn: extra.resourceArn,
  });

async function jobsOf(tenantId: string) {
  return (await fx.adapters.facts.getFacts(tenantId, [TABLE], 0)).get(TABLE)?.jobs ?? [];
}

describe('an AWS job seen in an event and in a CLI listing', () => {
  it('is stored once, and the second sighting writes nothing', async () => {
    const events = await ingest(owner, 'events.ndjson');
    const listing = await ingest(owner, 'list-backup-jobs.json');

    expect(events).toMatchObject({ status: 'ingested', format: 'aws-backup-events', ignored: 2 });
    expect(listing).toMatchObject({ status: 'ingested', format: 'aws-backup-cli' });
    const jobs = await jobsOf(owner);
    expect(jobs.map((j) => j.jobId)).toEqual([JOB]);
    // The event saw it later (its `time`) than the listing's completion date: the event's record stays.
    expect(jobs[0]?.observedAt).toBe(Date.parse('2026-03-02T02:41:17Z'));
  });

  it('is one job when the Lambda stored the event and the CLI then ingests the listing', async () => {
    const tenant = uniqueTenant('lambda');
    const other = `${Number(ACCOUNT) + 1}`;
    await fx.adapters.tenants.setAwsAccounts(tenant, [other]);
    const moved = (text: string) => text.replaceAll(ACCOUNT, other);
    const evt = JSON.parse(moved(JSON.stringify(fixtureJson('aws-backup/backup-job-completed.json'))));

    const fromLambda = await ingestBackupEvent({ ...fx.adapters, clock: { now: () => RECEIVED } }, evt);
    const fromCli = await ingestReport(fx.adapters, {
      tenantId: tenant,
      fileName: 'jobs.json',
      text: moved(fixture('aws-backup/list-backup-jobs.json')),
      receivedAt: RECEIVED,
    });

    expect(fromLambda).toMatchObject({ status: 'stored', tenantId: tenant });
    expect(fromCli.status).toBe('ingested');
    const table = TABLE.replace(ACCOUNT, other);
    const jobs = (await fx.adapters.facts.getFacts(tenant, [table], 0)).get(table)?.jobs ?? [];
    expect(jobs.map((j) => j.jobId)).toEqual([JOB]);
  });

  it('re-ingesting every kind of AWS file unchanged writes nothing and leaves the tenant clean', async () => {
    const files = ['events.ndjson', 'filter-log-events.json', 'cloudwatch-logs-export.txt', 'list-backup-jobs.json'];
    for (const f of files) await ingest(owner, f);
    await fx.adapters.tenants.markVerified(owner, RECEIVED + 1, undefined);

    const again = [];
    for (const f of files) again.push(await ingest(owner, f, { receivedAt: RECEIVED + 60_000 }));

    expect(again.map((r) => (r.status === 'ingested' ? r.written : r.status))).toEqual([0, 0, 0, 0]);
    expect((await fx.adapters.tenants.get(owner))?.dirtySince).toBeUndefined();
  });
});

describe('an AWS file from an account the tenant does not declare', () => {
  it('is refused naming the account and where it is, quarantined, and nothing of it is stored', async () => {
    const stranger = uniqueTenant('stranger');

    const result = await ingest(stranger, 'list-backup-jobs.json');

    expect(result).toMatchObject({ status: 'rejected', code: 'AwsAccountNotDeclared' });
    if (result.status !== 'rejected') return;
    expect(result.problems).toEqual([
      expect.objectContaining({
        line: 3,
        path: 'BackupJobs[0]',
        message: expect.stringContaining(`AWS account ${ACCOUNT} is not declared in tenant ${stranger}'s strategy`),
      }),
    ]);
    expect(result.problems[0]?.message).not.toContain(owner);
    expect(result.quarantineKey.startsWith(`quarantine/${stranger}/`)).toBe(true);
    expect(await jobsOf(stranger)).toEqual([]);
    expect(await fx.adapters.tenants.get(stranger)).toBeUndefined();
  });

  it('is refused from the S3 inbox too, and moved to quarantine with the reason', async () => {
    const stranger = uniqueTenant('inbox');
    const key = `inbox/${stranger}/aws/events.ndjson`;
    await fx.adapters.blobs.putText(key, fixture('aws-backup/events.ndjson'));

    const result = await ingestS3Object({ ...fx.adapters, clock: { now: () => RECEIVED } }, key);

    expect(result).toMatchObject({ status: 'rejected', code: 'AwsAccountNotDeclared' });
    expect(await fx.adapters.blobs.exists(key)).toBe(false);
    expect(await fx.adapters.blobs.exists(`quarantine/${stranger}/aws/events.ndjson`)).toBe(true);
  });
});
