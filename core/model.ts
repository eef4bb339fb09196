/**
 * The normalised model every backup source is translated into. Times are epoch milliseconds
 * (numbers, not strings) because rules run over millions of records and compare times in
 * tight loops; adapters convert to ISO-8601 at the storage boundary.
 */

export const BACKUP_SOURCES = ['aws-backup', 'restic', 'pgbackrest', 'generic'] as const;
export type BackupSource = (typeof BACKUP_SOURCES)[number];

/** AWS Backup's job states, which every other source is mapped onto. */
export const JOB_STATES = [
  'CREATED',
  'PENDING',
  'RUNNING',
  'ABORTING',
  'ABORTED',
  'COMPLETED',
  'FAILED',
  'EXPIRED',
  'PARTIAL',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export const TERMINAL_JOB_STATES: ReadonlySet<JobState> = new Set([
  'ABORTED',
  'COMPLETED',
  'FAILED',
  'EXPIRED',
  'PARTIAL',
]);
export const FAILED_JOB_STATES: ReadonlySet<JobState> = new Set(['ABORTED', 'FAILED', 'EXPIRED', 'PARTIAL']);

/**
 * Order of job states: a later state never gets overwritten by an earlier one when events
 * arrive late or out of order. Terminal states share the top rank.
 */
export function jobStateRank(state: JobState): number {
  switch (state) {
    case 'CREATED':
      return 0;
    case 'PENDING':
      return 1;
    case 'RUNNING':
      return 2;
    case 'ABORTING':
      return 3;
    default:
      return 4;
  }
}

export type JobKind = 'backup' | 'copy';

export interface BackupJob {
  tenantId: string;
  source: BackupSource;
  kind: JobKind;
  /** Unique within (tenant, source). */
  jobId: string;
  /** Resource locator: an ARN, `restic:<host>:<paths>`, `pgbackrest:<stanza>`, or a generic id. */
  resourceId: string;
  resourceType?: string;
  state: JobState;
  statusMessage?: string;
  /** Job creation/start time. Never changes for a given job. */
  startedAt: number;
  completedAt?: number;
  sizeBytes?: number;
  /** The recovery point the job produced (backup) or created (copy: the destination point). */
  recoveryPointId?: string;
  /** For copy jobs: the source recovery point. */
  sourceRecoveryPointId?: string;
  /** Where the job ran / wrote to (vault name, repository, stanza repo). */
  location?: string;
  region?: string;
  accountId?: string;
  /** Time of the observation this record comes from (event time, report time); orders duplicates. */
  observedAt: number;
}

export const RECOVERY_POINT_STATUSES = ['CREATING', 'AVAILABLE', 'PARTIAL', 'EXPIRED', 'DELETED', 'ERROR'] as const;
export type RecoveryPointStatus = (typeof RECOVERY_POINT_STATUSES)[number];

export function recoveryPointStatusRank(status: RecoveryPointStatus): number {
  switch (status) {
    case 'CREATING':
      return 0;
    case 'AVAILABLE':
    case 'PARTIAL':
      return 1;
    default:
      return 2;
  }
}

export interface RecoveryPoint {
  tenantId: string;
  source: BackupSource;
  /** Unique within (tenant, source): an ARN, a restic snapshot id, a pgBackRest label. */
  recoveryPointId: string;
  resourceId: string;
  resourceType?: string;
  status: RecoveryPointStatus;
  createdAt: number;
  sizeBytes?: number;
  encrypted?: boolean;
  encryptionKeyId?: string;
  /** Vault, repository, bucket: two points in different locations are different copies. */
  location?: string;
  region?: string;
  accountId?: string;
  /** True when the location is declared offsite by the source (generic reports, restic copy repos). */
  offsite?: boolean;
  /** Set on copies: the point this one was copied from. */
  copyOf?: string;
  /** When the lifecycle will delete the point, if one is set. */
  deleteAt?: number;
  /** Until when the point cannot be deleted, and by what mechanism. */
  immutableUntil?: number;
  lockMode?: 'vault-lock' | 'object-lock';
  observedAt: number;
}

/** A resource some source has reported, whether or not the strategy declares it (drift detection). */
export interface SeenResource {
  tenantId: string;
  source: BackupSource;
  resourceId: string;
  resourceType?: string;
  tags?: Record<string, string>;
  firstSeenAt: number;
  lastSeenAt: number;
}

/** Everything the rules get to know about one resource, sorted by time ascending. */
export interface ResourceFacts {
  jobs: BackupJob[];
  recoveryPoints: RecoveryPoint[];
}

/** What one ingestion produces before it is stored. */
export interface FactBatch {
  jobs: BackupJob[];
  recoveryPoints: RecoveryPoint[];
  resources: SeenResource[];
}

/** True when observation `a` supersedes `b`: a more advanced status, or the same status seen later. */
export function isNewerPointObservation(a: RecoveryPoint, b: RecoveryPoint): boolean {
  const ra = recoveryPointStatusRank(a.status);
  const rb = recoveryPointStatusRank(b.status);
  return ra !== rb ? ra > rb : a.observedAt > b.observedAt;
}

/**
 * Two observations of one recovery point, merged: each source knows different things (a copy
 * job knows copyOf, the recovery point event knows encryption and lifecycle, the vault knows the
 * lock). The newer observation's fields win; the older one fills what the newer does not say.
 */
export function mergePointObservations(a: RecoveryPoint, b: RecoveryPoint): RecoveryPoint {
  const [newer, older] =
    isNewerPointObservation(a, b) || (!isNewerPointObservation(b, a) && a.observedAt >= b.observedAt) ? [a, b] : [b, a];
  const merged: Record<string, unknown> = { ...older };
  for (const [k, v] of Object.entries(newer)) if (v !== undefined) merged[k] = v;
  return merged as unknown as RecoveryPoint;
}
