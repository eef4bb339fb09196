/**
 * Reconciliation from the AWS Backup API, because EventBridge delivery is best effort: what
 * an event missed, the next reconcile finds. Maps through the same code as the events
 * (core/ingest/aws-backup-mapping.ts), so both paths store identical facts for a job.
 */
import type {
  BackupClient,
  RecoveryPointByResource,
  BackupJob as SdkBackupJob,
  CopyJob as SdkCopyJob,
} from '@aws-sdk/client-backup';
import {
  ListBackupJobsCommand,
  ListCopyJobsCommand,
  ListRecoveryPointsByResourceCommand,
} from '@aws-sdk/client-backup';
import {
  type ApiReadContext,
  readApiBackupJob,
  readApiCopyJob,
  readApiPointByResource,
} from '#core/ingest/aws-backup-api.ts';
import type { AwsJobRecord } from '#core/ingest/aws-backup-mapping.ts';
import { factsFromAwsJob, factsFromAwsRecoveryPoint, mergeBatches } from '#core/ingest/aws-backup-mapping.ts';
import { finaliseBatch } from '#core/ingest/batch.ts';
import { applyVaultLocks, vaultsOf } from '#core/ingest/vault-lock.ts';
import type { FactBatch } from '#core/model.ts';
import { TERMINAL_JOB_STATES } from '#core/model.ts';
import { mapAwsBackupError } from './aws-backup-errors.ts';
import { VaultLockLookup } from './vault-lock-lookup.ts';

export interface ReconcileOptions {
  tenantId: string;
  accountId: string;
  region: string;
  /** Jobs created after this time (epoch ms) are listed: usually the previous cursor. */
  since: number;
  /** The reconcile's own time, used as observation time of non-final reads. */
  now: number;
  /** Resources whose recovery points are listed even if no job was seen for them (declared resources). */
  resourceArns?: string[];
}

export interface ReconcileResult {
  batch: FactBatch;
  /**
   * `since` for the next run: the creation time of the oldest job still running (so its end
   * is read next time), else `now`.
   */
  cursor: number;
}

async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw mapAwsBackupError(e, operation);
  }
}

function observedAtOf(state: string, completedAt: number | undefined, now: number): number {
  // A finished job's facts are final as of its completion; an unfinished one is as seen now.
  return TERMINAL_JOB_STATES.has(state as never) && completedAt !== undefined ? completedAt : now;
}

function readContext(opts: ReconcileOptions): ApiReadContext {
  return {
    accountId: opts.accountId,
    region: opts.region,
    jobObservedAt: (state, _startedAt, completedAt) => observedAtOf(state, completedAt, opts.now),
  };
}

/** The field mapping lives in core (shared with `reversa ingest` of CLI output); a record it rejects is skipped. */
export function backupJobRecord(j: SdkBackupJob, opts: ReconcileOptions): AwsJobRecord | undefined {
  return readApiBackupJob(j, readContext(opts)).record;
}

export function copyJobRecord(j: SdkCopyJob, opts: ReconcileOptions): AwsJobRecord | undefined {
  return readApiCopyJob(j, readContext(opts)).record;
}

function recoveryPointBatch(
  rp: RecoveryPointByResource,
  resourceArn: string,
  resourceType: string | undefined,
  producedBy: AwsJobRecord | undefined,
  opts: ReconcileOptions,
): FactBatch | undefined {
  const { record } = readApiPointByResource(rp, {
    resourceArn,
    resourceType,
    producedBy,
    accountId: opts.accountId,
    region: opts.region,
    now: opts.now,
  });
  return record ? factsFromAwsRecoveryPoint(opts.tenantId, record) : undefined;
}

export async function reconcileAwsBackup(client: BackupClient, opts: ReconcileOptions): Promise<ReconcileResult> {
  const since = new Date(opts.since);
  const batches: FactBatch[] = [];
  const resources = new Map<string, string | undefined>();
  const producedBy = new Map<string, AwsJobRecord>();
  let cursor = opts.now;

  const takeJob = (rec: AwsJobRecord | undefined): void => {
    if (!rec) return;
    batches.push(factsFromAwsJob(opts.tenantId, rec));
    if (rec.recoveryPointArn && rec.state === 'COMPLETED') producedBy.set(rec.recoveryPointArn, rec);
    if (!resources.has(rec.resourceArn) || rec.resourceType) resources.set(rec.resourceArn, rec.resourceType);
    if (!TERMINAL_JOB_STATES.has(rec.state)) cursor = Math.min(cursor, rec.startedAt);
  };

  let token: string | undefined;
  do {
    const page = await call('ListBackupJobs', () =>
      client.send(new ListBackupJobsCommand({ ByCreatedAfter: since, NextToken: token, MaxResults: 1000 })),
    );
    for (const j of page.BackupJobs ?? []) takeJob(backupJobRecord(j, opts));
    token = page.NextToken;
  } while (token);

  do {
    const page = await call('ListCopyJobs', () =>
      client.send(new ListCopyJobsCommand({ ByCreatedAfter: since, NextToken: token, MaxResults: 1000 })),
    );
    for (const j of page.CopyJobs ?? []) takeJob(copyJobRecord(j, opts));
    token = page.NextToken;
  } while (token);

  for (const arn of opts.resourceArns ?? []) if (!resources.has(arn)) resources.set(arn, undefined);

  // Sorted so the calls (and any partial failure) happen in the same order every run.
  for (const [resourceArn, resourceType] of [...resources.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    do {
      const page = await call('ListRecoveryPointsByResource', () =>
        client.send(
          new ListRecoveryPointsByResourceCommand({ ResourceArn: resourceArn, NextToken: token, MaxResults: 100 }),
        ),
      );
      for (const rp of page.RecoveryPoints ?? []) {
        const b = recoveryPointBatch(rp, resourceArn, resourceType, producedBy.get(rp.RecoveryPointArn ?? ''), opts);
        if (b) batches.push(b);
      }
      token = page.NextToken;
    } while (token);
  }

  const batch = finaliseBatch(mergeBatches(batches));
  // Vault Lock lives on the vault: stamp the points so ImmutabilityMet can judge them.
  const locks = await new VaultLockLookup(client, () => opts.now).describe(vaultsOf(batch), {
    accountId: opts.accountId,
    region: opts.region,
  });
  return { batch: applyVaultLocks(batch, locks), cursor };
}
