import {
  BackupClient,
  DescribeBackupVaultCommand,
  ListBackupJobsCommand,
  ListCopyJobsCommand,
  ListRecoveryPointsByResourceCommand,
} from '@aws-sdk/client-backup';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
