/**
 * The one mapping from AWS Backup's job / recovery point vocabulary to the model, shared by
 * the EventBridge normaliser (camelCase strings) and the API reconciler (PascalCase, Dates):
 * both first fill the neutral records below, so events and API reads of the same job always
 * produce the same facts.
 */
import type { BackupJob, FactBatch, JobState, RecoveryPoint, RecoveryPointStatus } from '../model.ts';
import { JOB_STATES } from '../model.ts';
import { compact, seen } from './batch.ts';

export interface AwsJobRecord {
  kind: 'backup' | 'copy';
  jobId: string;
  resourceArn: string;
  resourceType?: string | undefined;
  state: JobState;
  statusMessage?: string | undefined;
  startedAt: number;
  completedAt?: number | undefined;
  sizeBytes?: number | undefined;
  /** Backup: the point produced. Copy: the destination point. */
  recoveryPointArn?: string | undefined;
  /** Copy only. */
  sourceRecoveryPointArn?: string | undefined;
  /** Backup: the vault written to. Copy: the destination vault (that is where the copy lives). */
  vaultArn?: string | undefined;
  vaultName?: string | undefined;
  accountId?: string | undefined;
  region?: string | undefined;
  /** Known for API reads of backup jobs; events do not say. */
  encrypted?: boolean | undefined;
  encryptionKeyArn?: string | undefined;
  /** When the produced point's lifecycle deletes it (API reads know the rule's DeleteAfterDays). */
  deleteAt?: number | undefined;
  observedAt: number;
}

export interface AwsRecoveryPointRecord {
  recoveryPointArn: string;
  resourceArn: string;
  resourceType?: string | undefined;
  status: RecoveryPointStatus;
  createdAt: number;
  sizeBytes?: number | undefined;
  encrypted?: boolean | undefined;
  encryptionKeyArn?: string | undefined;
  vaultName?: string | undefined;
  accountId?: string | undefined;
  region?: string | undefined;
  deleteAt?: number | undefined;
  copyOf?: string | undefined;
  observedAt: number;
}

export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition, service, region, accountId, ...rest] = parts as [
    string,
    string,
    string,
    string,
    string,
    ...string[],
  ];
  return { partition, service, region, accountId, resource: rest.join(':') };
}

/** `arn:aws:backup:eu-west-3:111122223333:backup-vault:Name` → { name, region, accountId }. */
export function parseVaultArn(arn: string): { name: string; region: string; accountId: string } | undefined {
  const p = parseArn(arn);
  if (p?.service !== 'backup') return undefined;
  const m = /^backup-vault:(.+)$/.exec(p.resource);
  if (!m?.[1]) return undefined;
  return { name: m[1], region: p.region, accountId: p.accountId };
}

/** Backup and copy job states are AWS's JobState already; restore jobs use the same words. */
export function toJobState(value: unknown): JobState | undefined {
  if (typeof value !== 'string') return undefined;
  const upper = value.toUpperCase();
  return (JOB_STATES as readonly string[]).includes(upper) ? (upper as JobState) : undefined;
}

/**
 * AWS recovery point statuses → model. COMPLETED (events) and AVAILABLE mean restorable;
 * STOPPED is a continuous backup that stopped: its existing points stay restorable;
 * DELETING is as good as deleted for a restore.
 */
export function toRecoveryPointStatus(value: unknown): RecoveryPointStatus | undefined {
  if (typeof value !== 'string') return undefined;
  switch (value.toUpperCase()) {
    case 'COMPLETED':
    case 'AVAILABLE':
    case 'STOPPED':
      return 'AVAILABLE';
    case 'CREATING':
      return 'CREATING';
    case 'PARTIAL':
      return 'PARTIAL';
    case 'EXPIRED':
      return 'EXPIRED';
    case 'DELETING':
    case 'DELETED':
      return 'DELETED';
    default:
      return undefined;
  }
}

export function jobFromAws(tenantId: string, r: AwsJobRecord): BackupJob {
  return compact<BackupJob>({
    tenantId,
    source: 'aws-backup',
    kind: r.kind,
    jobId: r.jobId,
    resourceId: r.resourceArn,
    resourceType: r.resourceType,
    state: r.state,
    // AWS sends "" for no message; an empty message must not read as "completed with issues".
    statusMessage: r.statusMessage ? r.statusMessage : undefined,
    startedAt: r.startedAt,
    completedAt: r.completedAt,
    sizeBytes: r.sizeBytes,
    recoveryPointId: r.recoveryPointArn,
    sourceRecoveryPointId: r.kind === 'copy' ? r.sourceRecoveryPointArn : undefined,
    location: r.vaultName ?? (r.vaultArn ? parseVaultArn(r.vaultArn)?.name : undefined),
    region: r.region,
    accountId: r.accountId,
    observedAt: r.observedAt,
  });
}

export function recoveryPointFromAws(tenantId: string, r: AwsRecoveryPointRecord): RecoveryPoint {
  return compact<RecoveryPoint>({
    tenantId,
    source: 'aws-backup',
    recoveryPointId: r.recoveryPointArn,
    resourceId: r.resourceArn,
    resourceType: r.resourceType,
    status: r.status,
    createdAt: r.createdAt,
    sizeBytes: r.sizeBytes,
    encrypted: r.encrypted,
    encryptionKeyId: r.encryptionKeyArn,
    location: r.vaultName,
    region: r.region,
    accountId: r.accountId,
    copyOf: r.copyOf,
    deleteAt: r.deleteAt,
    observedAt: r.observedAt,
  });
}

/**
 * Facts for one job: the job, the resource, and — once the job COMPLETED — the point it
 * produced (a backup's point in its vault, a copy's destination point with copyOf).
 */
export function factsFromAwsJob(tenantId: string, r: AwsJobRecord): FactBatch {
  const batch: FactBatch = {
    jobs: [jobFromAws(tenantId, r)],
    recoveryPoints: [],
    resources: [
      seen({ tenantId, source: 'aws-backup', resourceId: r.resourceArn, resourceType: r.resourceType }, r.observedAt),
    ],
  };
  if (r.state === 'COMPLETED' && r.recoveryPointArn) {
    const location = r.vaultName ?? (r.vaultArn ? parseVaultArn(r.vaultArn)?.name : undefined);
    batch.recoveryPoints.push(
      recoveryPointFromAws(tenantId, {
        recoveryPointArn: r.recoveryPointArn,
        resourceArn: r.resourceArn,
        resourceType: r.resourceType,
        status: 'AVAILABLE',
        createdAt: r.kind === 'copy' ? (r.completedAt ?? r.startedAt) : r.startedAt,
        sizeBytes: r.sizeBytes,
        encrypted: r.encrypted,
        encryptionKeyArn: r.encryptionKeyArn,
        vaultName: location,
        region: r.region,
        accountId: r.accountId,
        copyOf: r.kind === 'copy' ? r.sourceRecoveryPointArn : undefined,
        deleteAt: r.deleteAt,
        // Inferred from the job, so weaker evidence than a Recovery Point State Change event or
        // an API read (which know encryption and lifecycle): dating it at the job's start makes
        // any direct observation of the point win in the store, whatever the arrival order.
        observedAt: r.startedAt,
      }),
    );
  }
  return batch;
}

export function factsFromAwsRecoveryPoint(tenantId: string, r: AwsRecoveryPointRecord): FactBatch {
  return {
    jobs: [],
    recoveryPoints: [recoveryPointFromAws(tenantId, r)],
    resources: [
      seen({ tenantId, source: 'aws-backup', resourceId: r.resourceArn, resourceType: r.resourceType }, r.observedAt),
    ],
  };
}

export function mergeBatches(batches: readonly FactBatch[]): FactBatch {
  return {
    jobs: batches.flatMap((b) => b.jobs),
    recoveryPoints: batches.flatMap((b) => b.recoveryPoints),
    resources: batches.flatMap((b) => b.resources),
  };
}
