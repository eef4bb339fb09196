import {
  BackupClient,
  DescribeBackupVaultCommand,
  ListBackupJobsCommand,
  ListCopyJobsCommand,
} from '@aws-sdk/client-backup';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Adapters } from '#wiring/adapters.ts';
import { type CloudFixture, startTestCloud } from '../support/local-cloud.ts';
import { applyStrategy, DAY, dailyFacts, HOUR } from '../support/verify-fixtures.ts';

// The handlers compose AWS adapters from the environment: the local cloud exports endpoints and names,
// so these run the real middy + Powertools stack (idempotency table included) against dynalite and s3rver.
let cloud: CloudFixture;
let adapters: Adapters;

const context = {
  functionName: 'reversa-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-3:000000000000:function:reversa-test',
  memoryLimitInMB: '256',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/reversa-test',
  logStreamName: 's',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

// No AWS Backup emulator: the SDK client is mocked, everything else is the local cloud.
const backup = mockClient(BackupClient);
afterEach(() => backup.reset());

/** The account and region the test "Lambda" runs in, per `context.invokedFunctionArn`. */
const OWN_ACCOUNT = '000000000000';

beforeAll(async () => {
  cloud = await startTestCloud({ label: 'handlers' });
  process.env.POWERTOOLS_DEV = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
  adapters = cloud.adapters;
});

afterAll(async () => {
  await cloud?.stop();
});

describe('Lambda handlers on the local cloud', () => {
  it('load-strategy writes the plan and returns keys and batch numbers only', async () => {
    const at = Date.parse('2026-03-10T12:00:00Z');
    const text = [
      'apiVersion: reversa/v1',
      'tenant: { id: h-acme, name: ACME }',
      'timezone: UTC',
      'defaults: { rpo: 24h, retention: 7d }',
      'resources:',
      '  - { locator: db-1, name: DB, source: generic }',
      '',
    ].join('\n');
    await applyStrategy(adapters.strategies, text, at - DAY);
    await adapters.facts.putFacts(dailyFacts('h-acme', 'db-1', 2, at - HOUR));
    const { handler } = await import('#functions/verify/load-strategy.ts');

    const out = await handler(
      { input: { tenantId: 'h-acme', at: new Date(at).toISOString() }, executionName: 'exec-1' },
      context,
    );

    expect(out).toEqual({
      tenantId: 'h-acme',
      runId: 'exec-1',
      at: '2026-03-10T12:00:00.000Z',
      planKey: 'runs/h-acme/exec-1/plan.json',
      strategyVersion: 1,
      resourceCount: 1,
      batchCount: 1,
      batches: [0],
    });
    expect(await adapters.blobs.exists('runs/h-acme/exec-1/plan.json')).toBe(true);
  });

  it('load-strategy rejects a malformed input with a ValidationError (not retried by the workflow)', async () => {
    const { handler } = await import('#functions/verify/load-strategy.ts');

    await expect(handler({ input: { tenantId: '../other' } } as never, context)).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });

  it('backup-event stores an AWS Backup event once and marks the tenant dirty, even when delivered twice', async () => {
    await adapters.tenants.setAwsAccounts('h-aws', ['111122223333']);
    const event = {
      version: '0',
      id: 'evt-0001',
      'detail-type': 'Backup Job State Change',
      source: 'aws.backup',
      account: '111122223333',
      time: '2026-03-10T02:30:00Z',
      region: 'eu-west-3',
      resources: [],
      detail: {
        backupJobId: 'job-1',
        backupVaultArn: 'arn:aws:backup:eu-west-3:111122223333:backup-vault:main',
        backupVaultName: 'main',
        resourceArn: 'arn:aws:rds:eu-west-3:111122223333:db:orders',
        resourceType: 'RDS',
        state: 'COMPLETED',
        creationDate: '2026-03-10T02:00:00Z',
        completionDate: '2026-03-10T02:25:00Z',
        recoveryPointArn: 'arn:aws:backup:eu-west-3:111122223333:recovery-point:rp-1',
        backupSizeInBytes: 1024,
      },
    };
    const { handler } = await import('#functions/ingest/backup-event.ts');

    const first = await handler(event as never, context);
    const second = await handler(event as never, { ...context, awsRequestId: 'req-2' } as Context);

    expect(first).toMatchObject({ status: 'stored', tenantId: 'h-aws' });
    expect(second).toEqual(first);
    expect((await adapters.tenants.get('h-aws'))?.dirtySince).toBeDefined();
    const facts = await adapters.facts.getFacts('h-aws', ['arn:aws:rds:eu-west-3:111122223333:db:orders'], 0);
    expect(facts.get('arn:aws:rds:eu-west-3:111122223333:db:orders')?.jobs.map((j) => j.state)).toEqual(['COMPLETED']);
  });

  it('backup-event ignores an event from an account no strategy declares', async () => {
    const { handler } = await import('#functions/ingest/backup-event.ts');

    const out = await handler(
      {
        id: 'evt-unknown',
        source: 'aws.backup',
        account: '999999999999',
        'detail-type': 'Backup Job State Change',
        detail: {},
      } as never,
      context,
    );

    expect(out).toEqual({ status: 'unrouted', account: '999999999999' });
  });

  it('backup-event stamps a recovery point in a locked vault of its own account with the Vault Lock minimum retention', async () => {
    await adapters.tenants.setAwsAccounts('h-own', [OWN_ACCOUNT]);
    backup
      .on(DescribeBackupVaultCommand, { BackupVaultName: 'locked' })
      .resolves({ Locked: true, MinRetentionDays: 30 });
    const resourceArn = `arn:aws:rds:eu-west-3:${OWN_ACCOUNT}:db:ledger`;
    const event = (id: string, job: string) => ({
      version: '0',
      id,
      'detail-type': 'Backup Job State Change',
      source: 'aws.backup',
      account: OWN_ACCOUNT,
      time: '2026-03-10T02:30:00Z',
      region: 'eu-west-3',
      resources: [],
      detail: {
        backupJobId: job,
        backupVaultArn: `arn:aws:backup:eu-west-3:${OWN_ACCOUNT}:backup-vault:locked`,
        backupVaultName: 'locked',
        resourceArn,
        resourceType: 'RDS',
        state: 'COMPLETED',
        creationDate: '2026-03-10T02:00:00Z',
        completionDate: '2026-03-10T02:25:00Z',
        recoveryPointArn: `arn:aws:backup:eu-west-3:${OWN_ACCOUNT}:recovery-point:${job}`,
        backupSizeInBytes: 1024,
      },
    });
    const { handler } = await import('#functions/ingest/backup-event.ts');

    await handler(event('evt-lock-1', 'rp-lock-1') as never, context);
    await handler(event('evt-lock-2', 'rp-lock-2') as never, { ...context, awsRequestId: 'req-3' } as Context);

    const points = (await adapters.facts.getFacts('h-own', [resourceArn], 0)).get(resourceArn)?.recoveryPoints ?? [];
    expect(points.map((p) => [p.lockMode, p.immutableUntil])).toEqual([
      ['vault-lock', Date.parse('2026-03-10T02:00:00Z') + 30 * DAY],
      ['vault-lock', Date.parse('2026-03-10T02:00:00Z') + 30 * DAY],
    ]);
    // Cached per container: one describe for two events of the same vault.
    expect(backup.commandCalls(DescribeBackupVaultCommand)).toHaveLength(1);
  });

  it('backup-event fails on a throttled Vault Lock lookup (retried later) but stores the job when the lookup is denied', async () => {
    await adapters.tenants.setAwsAccounts('h-own', [OWN_ACCOUNT]);
    const resourceArn = 'arn:aws:rds:eu-west-3:000000000000:db:errors';
    const event = (id: string, vault: string) => ({
      id,
      source: 'aws.backup',
      account: OWN_ACCOUNT,
      region: 'eu-west-3',
      time: '2026-03-10T02:30:00Z',
      'detail-type': 'Backup Job State Change',
      detail: {
        backupJobId: `job-${id}`,
        backupVaultArn: `arn:aws:backup:eu-west-3:${OWN_ACCOUNT}:backup-vault:${vault}`,
        backupVaultName: vault,
        resourceArn,
        resourceType: 'RDS',
        state: 'COMPLETED',
        creationDate: '2026-03-10T02:00:00Z',
        completionDate: '2026-03-10T02:25:00Z',
        recoveryPointArn: `arn:aws:backup:eu-west-3:${OWN_ACCOUNT}:recovery-point:rp-${id}`,
      },
    });
    backup
      .on(DescribeBackupVaultCommand, { BackupVaultName: 'throttled' })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .on(DescribeBackupVaultCommand, { BackupVaultName: 'denied' })
      .rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));
    const { handler } = await import('#functions/ingest/backup-event.ts');

    await expect(handler(event('evt-throttled', 'throttled') as never, context)).rejects.toMatchObject({
      name: 'TransientError',
    });
    const denied = await handler(event('evt-denied', 'denied') as never, context);

    expect(denied).toMatchObject({ status: 'stored', tenantId: 'h-own' });
    const points = (await adapters.facts.getFacts('h-own', [resourceArn], 0)).get(resourceArn)?.recoveryPoints;
    expect(points?.map((p) => [p.recoveryPointId.endsWith('rp-evt-denied'), p.lockMode])).toEqual([[true, undefined]]);
  });

  it('backup-event does not describe a vault of a client account (its own credentials cannot) and stores the job anyway', async () => {
    await adapters.tenants.setAwsAccounts('h-client', ['444455556666']);
    const resourceArn = 'arn:aws:rds:eu-west-3:444455556666:db:crm';
    const { handler } = await import('#functions/ingest/backup-event.ts');

    const out = await handler(
      {
        id: 'evt-client-1',
        source: 'aws.backup',
        account: '444455556666',
        region: 'eu-west-3',
        time: '2026-03-10T02:30:00Z',
        'detail-type': 'Backup Job State Change',
        detail: {
          backupJobId: 'job-client-1',
          backupVaultArn: 'arn:aws:backup:eu-west-3:444455556666:backup-vault:main',
          backupVaultName: 'main',
          resourceArn,
          resourceType: 'RDS',
          state: 'COMPLETED',
          creationDate: '2026-03-10T02:00:00Z',
          completionDate: '2026-03-10T02:25:00Z',
          recoveryPointArn: 'arn:aws:backup:eu-west-3:444455556666:recovery-point:rp-client-1',
        },
      } as never,
      context,
    );

    expect(out).toMatchObject({ status: 'stored', tenantId: 'h-client' });
    expect(backup.commandCalls(DescribeBackupVaultCommand)).toHaveLength(0);
    const points = (await adapters.facts.getFacts('h-client', [resourceArn], 0)).get(resourceArn)?.recoveryPoints;
    expect(points?.map((p) => p.lockMode)).toEqual([undefined]);
  });

  it('reconcile reads its own account and role-declared accounts, skips an account without role, and keeps cursors under runs/', async () => {
    const at = Date.parse('2026-03-10T12:00:00Z');
    const text = [
      'apiVersion: reversa/v1',
      'tenant: { id: h-rec, name: Reconciled }',
      'timezone: UTC',
      'defaults: { rpo: 24h, retention: 7d }',
      'sources:',
      '  awsBackup:',
      '    accounts:',
      `      - { accountId: "${OWN_ACCOUNT}", regions: [eu-west-3] }`,
      '      - { accountId: "111122223333", regions: [eu-west-3], roleArn: "arn:aws:iam::111122223333:role/ReversaReadBackup" }',
      '      - { accountId: "222233334444", regions: [eu-west-3] }',
      'resources:',
      '  - { locator: db-1, name: DB, source: generic }',
      '',
    ].join('\n');
    await applyStrategy(adapters.strategies, text, at - DAY);
    backup.on(ListBackupJobsCommand).resolves({ BackupJobs: [] });
    backup.on(ListCopyJobsCommand).resolves({ CopyJobs: [] });
    const { handler } = await import('#functions/ingest/reconcile.ts');

    const out = await handler({}, context);

    expect(out).toMatchObject({ failed: 0, skipped: 1 });
    const cursors = (await adapters.blobs.list('runs/h-rec/reconcile/')).sort();
    expect(cursors).toEqual([
      `runs/h-rec/reconcile/${OWN_ACCOUNT}-eu-west-3.json`,
      'runs/h-rec/reconcile/111122223333-eu-west-3.json',
    ]);
  });

  it('s3-inbox ingests a generic report dropped in the inbox', async () => {
    const report = JSON.stringify({
      format: 'reversa.generic/v1',
      jobs: [],
    });
    await adapters.blobs.putText('inbox/h-s3/report-1.json', report);
    const { handler } = await import('#functions/ingest/s3-inbox.ts');

    const out = await handler(
      { Records: [{ s3: { object: { key: 'inbox/h-s3/report-1.json', eTag: 'abc' } } }] } as never,
      context,
    );

    expect(out.results).toHaveLength(1);
    expect(out.results[0]?.key).toBe('inbox/h-s3/report-1.json');
    expect(['ingested', 'rejected']).toContain(out.results[0]?.status);
    expect(await adapters.blobs.exists('inbox/h-s3/report-1.json')).toBe(false);
  });

  it('s3-inbox decodes notification keys (spaces arrive as +) and reads EventBridge-shaped events as given', async () => {
    const { objectKeysOf } = await import('#functions/ingest/s3-inbox.ts');

    expect(objectKeysOf({ Records: [{ s3: { object: { key: 'inbox/t/my+report%2B1.json' } } }] })).toEqual([
      'inbox/t/my report+1.json',
    ]);
    expect(objectKeysOf({ detail: { object: { key: 'inbox/t/a+b.json', etag: 'e' } } })).toEqual(['inbox/t/a+b.json']);
    expect(() => objectKeysOf({})).toThrow(/S3 ObjectCreated/);
  });
});
