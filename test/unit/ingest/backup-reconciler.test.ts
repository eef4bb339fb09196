import {
  BackupClient,
  DescribeBackupVaultCommand,
  ListBackupJobsCommand,
  ListCopyJobsCommand,
  ListRecoveryPointsByResourceCommand,
} from '@aws-sdk/client-backup';
// fromTemporaryCredentials calls STS through this nested client (not @aws-sdk/client-sts's class): mock that one.
import { AssumeRoleCommand, STSClient } from '@aws-sdk/nested-clients/sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  assumeRoleParamsOf,
  backupClientFactory,
  lambdaScopeOf,
  roleSessionNameOf,
} from '#adapters/aws/backup-clients.ts';
import { reconcileAwsBackup } from '#adapters/aws/backup-reconciler.ts';
import { ConfigError, TransientError } from '#core/errors.ts';
import { normaliseBackupEvent } from '#core/ingest/aws-backup-event.ts';
import { fixtureJson } from './helpers.ts';

const backup = mockClient(BackupClient);
afterEach(() => backup.reset());
// Unlocked by default; the Vault Lock test overrides it.
beforeEach(() => backup.on(DescribeBackupVaultCommand).resolves({ Locked: false }));

const NOW = Date.parse('2026-03-02T06:00:00Z');
const SINCE = Date.parse('2026-03-01T00:00:00Z');
const opts = { tenantId: 'acme', accountId: '111122223333', region: 'eu-west-3', since: SINCE, now: NOW };
const TABLE = 'arn:aws:dynamodb:eu-west-3:111122223333:table/orders';
const RP = 'arn:aws:backup:eu-west-3:111122223333:recovery-point:f1d966fe-a3bd-410b-b292-99f442d13b56';

const completedJob = {
  AccountId: '111122223333',
  BackupJobId: 'a827233a-d405-4a86-a440-759fa94f34dd',
  BackupVaultName: 'acme-daily',
  BackupVaultArn: 'arn:aws:backup:eu-west-3:111122223333:backup-vault:acme-daily',
  RecoveryPointArn: RP,
  ResourceArn: TABLE,
  ResourceType: 'DynamoDB',
  CreationDate: new Date('2026-03-02T02:40:31.207Z'),
  CompletionDate: new Date('2026-03-02T02:41:05.921Z'),
  State: 'COMPLETED' as const,
  BackupSizeInBytes: 36048,
  IsEncrypted: true,
  EncryptionKeyArn: 'arn:aws:kms:eu-west-3:111122223333:key/1234',
  RecoveryPointLifecycle: { DeleteAfterDays: 35 },
};

describe('reconcileAwsBackup', () => {
  it('follows pagination of every list and maps jobs like the event normaliser does', async () => {
    backup
      .on(ListBackupJobsCommand, { NextToken: undefined })
      .resolves({ BackupJobs: [completedJob], NextToken: 'page2' })
      .on(ListBackupJobsCommand, { NextToken: 'page2' })
      .resolves({
        BackupJobs: [
          {
            ...completedJob,
            BackupJobId: 'running-1',
            State: 'RUNNING',
            CompletionDate: undefined,
            RecoveryPointArn: undefined,
            CreationDate: new Date('2026-03-02T05:00:00Z'),
          },
        ],
      });
    backup.on(ListCopyJobsCommand).resolves({ CopyJobs: [] });
    backup
      .on(ListRecoveryPointsByResourceCommand, { ResourceArn: TABLE, NextToken: undefined })
      .resolves({
        RecoveryPoints: [
          {
            RecoveryPointArn: RP,
            CreationDate: new Date('2026-03-02T02:40:31.207Z'),
            Status: 'COMPLETED',
            BackupVaultName: 'acme-daily',
            BackupSizeBytes: 36048,
          },
        ],
        NextToken: 'rp2',
      })
      .on(ListRecoveryPointsByResourceCommand, { ResourceArn: TABLE, NextToken: 'rp2' })
      .resolves({
        RecoveryPoints: [
          {
            RecoveryPointArn: `${RP}-older`,
            CreationDate: new Date('2026-03-01T02:40:00Z'),
            Status: 'EXPIRED',
            BackupVaultName: 'acme-daily',
          },
        ],
      });

    const { batch, cursor } = await reconcileAwsBackup(new BackupClient({ region: 'eu-west-3' }), opts);

    expect(backup.commandCalls(ListBackupJobsCommand)).toHaveLength(2);
    expect(backup.commandCalls(ListBackupJobsCommand)[0]!.args[0].input.ByCreatedAfter).toEqual(new Date(SINCE));
    expect(backup.commandCalls(ListRecoveryPointsByResourceCommand)).toHaveLength(2);
    const fromEvent = normaliseBackupEvent(fixtureJson('aws-backup/backup-job-completed.json'), 'acme', 0).jobs[0]!;
    const fromApi = batch.jobs.find((j) => j.jobId === completedJob.BackupJobId)!;
    expect({ ...fromApi, observedAt: 0 }).toEqual({ ...fromEvent, observedAt: 0 });
    expect(batch.recoveryPoints.find((p) => p.recoveryPointId === RP)).toMatchObject({
      status: 'AVAILABLE',
      encrypted: true,
      encryptionKeyId: 'arn:aws:kms:eu-west-3:111122223333:key/1234',
      deleteAt: completedJob.CreationDate.getTime() + 35 * 86_400_000,
      observedAt: NOW,
    });
    expect(batch.recoveryPoints.find((p) => p.recoveryPointId === `${RP}-older`)?.status).toBe('EXPIRED');
    // The running job must be read again next time: the cursor stays at its creation.
    expect(cursor).toBe(Date.parse('2026-03-02T05:00:00Z'));
  });

  it('stamps points in a locked vault with the Vault Lock minimum retention, describing each vault once', async () => {
    backup.on(ListBackupJobsCommand).resolves({ BackupJobs: [completedJob] });
    backup.on(ListCopyJobsCommand).resolves({ CopyJobs: [] });
    backup.on(ListRecoveryPointsByResourceCommand).resolves({ RecoveryPoints: [] });
    backup
      .on(DescribeBackupVaultCommand, { BackupVaultName: 'acme-daily' })
      .resolves({ Locked: true, MinRetentionDays: 30 });

    const { batch } = await reconcileAwsBackup(new BackupClient({ region: 'eu-west-3' }), opts);

    expect(backup.commandCalls(DescribeBackupVaultCommand)).toHaveLength(1);
    expect(batch.recoveryPoints.find((p) => p.recoveryPointId === RP)).toMatchObject({
      lockMode: 'vault-lock',
      immutableUntil: completedJob.CreationDate.getTime() + 30 * 86_400_000,
    });
  });

  it('maps copy jobs to the destination vault, region and account', async () => {
    backup.on(ListBackupJobsCommand).resolves({ BackupJobs: [] });
    backup.on(ListCopyJobsCommand).resolves({
      CopyJobs: [
        {
          CopyJobId: 'copy-1',
          SourceRecoveryPointArn: RP,
          DestinationBackupVaultArn: 'arn:aws:backup:eu-central-1:444455556666:backup-vault:acme-offsite',
          DestinationRecoveryPointArn: 'arn:aws:backup:eu-central-1:444455556666:recovery-point:copy-1',
          ResourceArn: TABLE,
          CreationDate: new Date('2026-03-02T03:00:00Z'),
          CompletionDate: new Date('2026-03-02T03:10:00Z'),
          State: 'COMPLETED',
        },
      ],
    });
    backup.on(ListRecoveryPointsByResourceCommand).resolves({ RecoveryPoints: [] });

    const { batch, cursor } = await reconcileAwsBackup(new BackupClient({ region: 'eu-west-3' }), opts);

    expect(batch.jobs[0]).toMatchObject({
      kind: 'copy',
      location: 'acme-offsite',
      region: 'eu-central-1',
      accountId: '444455556666',
      sourceRecoveryPointId: RP,
    });
    expect(batch.recoveryPoints[0]).toMatchObject({ copyOf: RP, region: 'eu-central-1' });
    expect(cursor).toBe(NOW);
  });

  it('lists recovery points of declared resources even when no job was seen', async () => {
    backup.on(ListBackupJobsCommand).resolves({});
    backup.on(ListCopyJobsCommand).resolves({});
    backup.on(ListRecoveryPointsByResourceCommand).resolves({ RecoveryPoints: [] });

    await reconcileAwsBackup(new BackupClient({ region: 'eu-west-3' }), { ...opts, resourceArns: [TABLE] });

    expect(backup.commandCalls(ListRecoveryPointsByResourceCommand)[0]!.args[0].input.ResourceArn).toBe(TABLE);
  });

  it('turns throttling into a retryable TransientError', async () => {
    backup
      .on(ListBackupJobsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    const error = await reconcileAwsBackup(new BackupClient({ region: 'eu-west-3' }), opts).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ name: 'TransientError', retryable: true, code: 'AwsBackupUnavailable' });
  });

  it('turns a 5xx on a later page into a TransientError too', async () => {
    backup.on(ListBackupJobsCommand).resolves({});
    backup
      .on(ListCopyJobsCommand)
      .rejects(Object.assign(new Error('Internal'), { name: 'InternalFailure', $metadata: { httpStatusCode: 500 } }));

    await expect(reconcileAwsBackup(new BackupClient({ region: 'eu-west-3' }), opts)).rejects.toBeInstanceOf(
      TransientError,
    );
  });

  it('reports access denied as a configuration problem, not retryable', async () => {
    backup
      .on(ListBackupJobsCommand)
      .rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));

    const error = await reconcileAwsBackup(new BackupClient({ region: 'eu-west-3' }), opts).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ retryable: false });
  });
});

describe('backup clients for reconciliation', () => {
  const sts = mockClient(STSClient);
  afterEach(() => sts.reset());
  const OWN = '000011112222';
  const ROLE = 'arn:aws:iam::111122223333:role/ReversaReadBackup';

  it('reads a client account with credentials of its role, assumed with the tenant id as ExternalId', async () => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIA-ASSUMED',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date('2099-01-01T00:00:00Z'),
      },
    });
    const clientFor = backupClientFactory({ ownAccountId: OWN });

    const client = clientFor({ tenantId: 'acme', accountId: '111122223333', region: 'eu-central-1', roleArn: ROLE });
    const credentials = await client!.config.credentials();

    expect(credentials).toMatchObject({ accessKeyId: 'ASIA-ASSUMED', sessionToken: 'token' });
    expect(await client!.config.region()).toBe('eu-central-1');
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([
      { RoleArn: ROLE, RoleSessionName: 'reversa-reconcile-acme', ExternalId: 'acme' },
    ]);
  });

  it('reads the own account with the function credentials, and skips other accounts that name no role', () => {
    const built: { region?: unknown; credentials?: unknown }[] = [];
    const clientFor = backupClientFactory({
      ownAccountId: OWN,
      createClient: (config) => {
        built.push(config);
        return new BackupClient(config);
      },
    });

    const own = clientFor({ tenantId: 'acme', accountId: OWN, region: 'eu-west-3' });
    const other = clientFor({ tenantId: 'acme', accountId: '111122223333', region: 'eu-west-3' });

    expect(own).toBeInstanceOf(BackupClient);
    expect(other).toBeUndefined();
    expect(built).toEqual([{ region: 'eu-west-3' }]);
  });

  it('builds one client per tenant, account, region and role for the life of the container', () => {
    const clientFor = backupClientFactory({ ownAccountId: OWN });
    const target = { tenantId: 'acme', accountId: '111122223333', region: 'eu-west-3', roleArn: ROLE };

    expect(clientFor(target)).toBe(clientFor({ ...target }));
    expect(clientFor(target)).not.toBe(clientFor({ ...target, region: 'eu-central-1' }));
    expect(clientFor(target)).not.toBe(clientFor({ ...target, tenantId: 'other' }));
  });

  it('refuses a role outside the account it is declared for, and a tenant id too short for an ExternalId', () => {
    const foreign = { tenantId: 'acme', accountId: '444455556666', region: 'eu-west-3', roleArn: ROLE };

    expect(() => assumeRoleParamsOf(foreign)).toThrow(ConfigError);
    expect(() => backupClientFactory({ ownAccountId: OWN })(foreign)).toThrow(/not in account 444455556666/);
    expect(() => assumeRoleParamsOf({ ...foreign, accountId: '111122223333', tenantId: 'a' })).toThrow(
      /too short to serve as ExternalId/,
    );
  });

  it('keeps the role session name within the 64 characters STS accepts', () => {
    const longTenant = `t${'x'.repeat(62)}`;

    expect(roleSessionNameOf(longTenant)).toHaveLength(64);
    expect(roleSessionNameOf('acme')).toBe('reversa-reconcile-acme');
  });

  it('reads the account and region a Lambda runs in from its invoked ARN', () => {
    expect(lambdaScopeOf('arn:aws:lambda:eu-west-3:000011112222:function:reconcile:live')).toEqual({
      accountId: '000011112222',
      region: 'eu-west-3',
    });
    expect(lambdaScopeOf('not-an-arn')).toBeUndefined();
    expect(lambdaScopeOf(undefined)).toBeUndefined();
  });
});
