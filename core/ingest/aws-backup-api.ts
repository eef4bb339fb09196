/**
 * AWS Backup API records (PascalCase: `BackupJobs[]`, `CopyJobs[]`, `RecoveryPoints[]`) → the
 * neutral records of aws-backup-mapping.ts. Two callers read the same shapes: the hourly
 * reconciler (SDK objects, dates as Date) and `reversa ingest` of AWS CLI output (JSON text,
 * dates as ISO-8601 strings or epoch seconds depending on the CLI's `cli_timestamp_format`). Both go
 * through the functions below, so a job read from the API, from a CLI file or from an event
 * becomes the same record.
 *
 * Nothing here trusts its input: every field is type-checked and a bad one is reported with its
 * path, so a file can be rejected with a reason; the reconciler drops such a record instead.
 */
import type { JobState, RecoveryPointStatus } from '../model.ts';
import type { AwsJobRecord, AwsRecoveryPointRecord } from './aws-backup-mapping.ts';
import { parseArn, parseVaultArn, toJobState, toRecoveryPointStatus } from './aws-backup-mapping.ts';
import { controlCharacterProblem } from './fields.ts';
import type { PathSegment } from './json-locate.ts';
import type { IngestLimits } from './limits.ts';
import { DEFAULT_INGEST_LIMITS } from './limits.ts';
import { parseIsoTime } from './time.ts';

export interface ApiProblem {
  /** Relative to the record. */
  path: PathSegment[];
  message: string;
}

/** A mapped record, or why it cannot be one. */
export type ApiRead<T> = { record: T; problems?: undefined } | { record?: undefined; problems: ApiProblem[] };

/** Where the records were read and how to date their observation (the reconciler and a file differ). */
export interface ApiReadContext {
  /** Account the listing ran in; a record's own AccountId wins. */
  accountId?: string | undefined;
  /** Region the listing ran in; without it, the region of the record's vault or resource ARN. */
  region?: string | undefined;
  /** observedAt of a job from its state, start and end (see the callers for why they differ). */
  jobObservedAt: (state: JobState, startedAt: number, completedAt: number | undefined) => number;
  limits?: IngestLimits | undefined;
}

/** Structural views of the SDK types, every field `unknown`: SDK objects and parsed JSON both fit. */
export interface ApiLifecycle {
  DeleteAfterDays?: unknown;
}
export interface ApiBackupJob {
  AccountId?: unknown;
  BackupJobId?: unknown;
  BackupVaultName?: unknown;
  BackupVaultArn?: unknown;
  RecoveryPointArn?: unknown;
  RecoveryPointLifecycle?: unknown;
  EncryptionKeyArn?: unknown;
  IsEncrypted?: unknown;
  ResourceArn?: unknown;
  ResourceType?: unknown;
  CreationDate?: unknown;
  CompletionDate?: unknown;
  State?: unknown;
  StatusMessage?: unknown;
  BackupSizeInBytes?: unknown;
}
export interface ApiCopyJob {
  AccountId?: unknown;
  CopyJobId?: unknown;
  SourceRecoveryPointArn?: unknown;
  DestinationBackupVaultArn?: unknown;
  DestinationRecoveryPointArn?: unknown;
  DestinationEncryptionKeyArn?: unknown;
  DestinationRecoveryPointLifecycle?: unknown;
  ResourceArn?: unknown;
  ResourceType?: unknown;
  CreationDate?: unknown;
  CompletionDate?: unknown;
  State?: unknown;
  StatusMessage?: unknown;
  BackupSizeInBytes?: unknown;
}
/** `ListRecoveryPointsByResource`: no ResourceArn (it is the request's), `BackupSizeBytes`. */
export interface ApiRecoveryPointByResource {
  RecoveryPointArn?: unknown;
  CreationDate?: unknown;
  Status?: unknown;
  EncryptionKeyArn?: unknown;
  BackupSizeBytes?: unknown;
  BackupVaultName?: unknown;
}
/** `ListRecoveryPointsByBackupVault`: the full point, like a Recovery Point State Change event. */
export interface ApiRecoveryPointByVault {
  RecoveryPointArn?: unknown;
  BackupVaultName?: unknown;
  BackupVaultArn?: unknown;
  ResourceArn?: unknown;
  ResourceType?: unknown;
  Status?: unknown;
  CreationDate?: unknown;
  CompletionDate?: unknown;
  BackupSizeInBytes?: unknown;
  CalculatedLifecycle?: unknown;
  Lifecycle?: unknown;
  EncryptionKeyArn?: unknown;
  IsEncrypted?: unknown;
  StorageClass?: unknown;
}

/** Latest epoch second we accept (year 3000): anything later is a unit mistake, not a date. */
const MAX_EPOCH_SECONDS = 32_503_680_000;

/**
 * A date as the SDK (Date), the CLI's iso8601 format (`2026-03-02T02:40:31.207000+00:00`) or its
 * wire format (epoch seconds, `1772419231.207`) gives it → epoch ms; undefined when it is none.
 */
export function apiDateToMs(value: unknown): number | undefined {
  if (value instanceof Date) {
    const t = value.getTime();
    return Number.isFinite(t) ? t : undefined;
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 && value <= MAX_EPOCH_SECONDS ? Math.round(value * 1000) : undefined;
  }
  if (typeof value === 'string') return parseIsoTime(value);
  return undefined;
}

const wholeNumber = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;

/** Reads one PascalCase record field by field, collecting problems instead of throwing. */
class FieldReader {
  private readonly o: Record<string, unknown>;

  constructor(
    record: object,
    private readonly limits: IngestLimits,
    private readonly at: PathSegment[] = [],
    /** Shared with nested readers, so `Lifecycle.DeleteAfterDays` problems land in the record's list. */
    readonly problems: ApiProblem[] = [],
  ) {
    this.o = record as Record<string, unknown>;
  }

  private fail(key: string, message: string): undefined {
    this.problems.push({ path: [...this.at, key], message });
    return undefined;
  }

  /** A value converted by `convert`: absent is fine unless `required`, unconvertible is a problem saying `expected`. */
  private read<T>(
    key: string,
    convert: (v: unknown) => T | undefined,
    expected: string,
    required = false,
  ): T | undefined {
    const v = this.o[key];
    if (v === undefined || v === null) return required ? this.fail(key, 'is required') : undefined;
    return convert(v) ?? this.fail(key, expected);
  }

  /** An id, ARN or name. Empty strings are absent (AWS sends "" for "none"). */
  id(key: string, required = false): string | undefined {
    const v = this.o[key];
    if (v === undefined || v === null || v === '') return required ? this.fail(key, 'is required') : undefined;
    if (typeof v !== 'string') return this.fail(key, 'expected a string');
    if (v.length > this.limits.maxIdLength)
      return this.fail(key, `must be at most ${this.limits.maxIdLength} characters`);
    const control = controlCharacterProblem(v);
    return control ? this.fail(key, control) : v;
  }

  message(key: string): string | undefined {
    const v = this.o[key];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') return this.fail(key, 'expected a string');
    if (v.length > this.limits.maxMessageLength)
      return this.fail(key, `must be at most ${this.limits.maxMessageLength} characters`);
    const control = controlCharacterProblem(v, true);
    return control ? this.fail(key, control) : v;
  }

  date(key: string, required = false): number | undefined {
    return this.read(
      key,
      apiDateToMs,
      'expected an ISO-8601 timestamp with a zone or epoch seconds (the AWS CLI prints either)',
      required,
    );
  }

  count(key: string): number | undefined {
    return this.read(key, wholeNumber, 'expected a whole number of bytes');
  }

  bool(key: string): boolean | undefined {
    return this.read(key, (v) => (typeof v === 'boolean' ? v : undefined), 'expected true or false');
  }

  jobState(key: string): JobState | undefined {
    const expected =
      'expected a job state: CREATED, PENDING, RUNNING, ABORTING, ABORTED, COMPLETED, FAILED, EXPIRED or PARTIAL';
    return this.read(key, toJobState, expected, true);
  }

  pointStatus(key: string): RecoveryPointStatus | undefined {
    const expected =
      'expected a recovery point status: COMPLETED, PARTIAL, DELETING, EXPIRED, AVAILABLE, STOPPED or CREATING';
    return this.read(key, toRecoveryPointStatus, expected, true);
  }

  /** `Lifecycle.DeleteAfterDays` and the like: a nested object read with the same rules. */
  nested(key: string): FieldReader | undefined {
    const v = this.o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) return this.fail(key, 'expected an object');
    return new FieldReader(v, this.limits, [...this.at, key], this.problems);
  }

  days(key: string): number | undefined {
    return this.read(key, wholeNumber, 'expected a whole number of days');
  }

  /** Every missing required field added a problem, so a record with none is complete. */
  get failed(): { problems: ApiProblem[] } | undefined {
    return this.problems.length > 0 ? { problems: this.problems } : undefined;
  }
}

const regionOf = (arn: string | undefined): string | undefined =>
  arn ? parseArn(arn)?.region || undefined : undefined;
const accountOf = (arn: string | undefined): string | undefined =>
  arn ? parseArn(arn)?.accountId || undefined : undefined;

function deleteAtOf(from: number, days: number | undefined): number | undefined {
  return days === undefined ? undefined : from + days * 86_400_000;
}

/** The fields backup and copy jobs share; `ok` once the required ones are there. */
function readJob(f: FieldReader, idKey: 'BackupJobId' | 'CopyJobId') {
  const common = {
    jobId: f.id(idKey, true),
    resourceArn: f.id('ResourceArn', true),
    state: f.jobState('State'),
    startedAt: f.date('CreationDate', true),
    completedAt: f.date('CompletionDate'),
    resourceType: f.id('ResourceType'),
    statusMessage: f.message('StatusMessage'),
    sizeBytes: f.count('BackupSizeInBytes'),
  };
  const { jobId, resourceArn, state, startedAt } = common;
  return jobId && resourceArn && state && startedAt !== undefined
    ? { ...common, jobId, resourceArn, state, startedAt }
    : undefined;
}

export function readApiBackupJob(j: ApiBackupJob, ctx: ApiReadContext): ApiRead<AwsJobRecord> {
  const f = new FieldReader(j, ctx.limits ?? DEFAULT_INGEST_LIMITS);
  const job = readJob(f, 'BackupJobId');
  const vaultArn = f.id('BackupVaultArn');
  const recoveryPointArn = f.id('RecoveryPointArn');
  const vaultName = f.id('BackupVaultName');
  const accountId = f.id('AccountId');
  const encrypted = f.bool('IsEncrypted');
  const encryptionKeyArn = f.id('EncryptionKeyArn');
  const deleteAfterDays = f.nested('RecoveryPointLifecycle')?.days('DeleteAfterDays');
  if (f.failed || !job) return f.failed ?? { problems: [] };
  return {
    record: {
      kind: 'backup',
      ...job,
      recoveryPointArn,
      vaultArn,
      vaultName,
      accountId: accountId ?? ctx.accountId ?? accountOf(vaultArn),
      region: ctx.region ?? regionOf(vaultArn) ?? regionOf(job.resourceArn),
      encrypted,
      encryptionKeyArn,
      deleteAt: deleteAtOf(job.startedAt, deleteAfterDays),
      observedAt: ctx.jobObservedAt(job.state, job.startedAt, job.completedAt),
    },
  };
}

export function readApiCopyJob(j: ApiCopyJob, ctx: ApiReadContext): ApiRead<AwsJobRecord> {
  const f = new FieldReader(j, ctx.limits ?? DEFAULT_INGEST_LIMITS);
  const job = readJob(f, 'CopyJobId');
  const destinationVaultArn = f.id('DestinationBackupVaultArn');
  const recoveryPointArn = f.id('DestinationRecoveryPointArn');
  const sourceRecoveryPointArn = f.id('SourceRecoveryPointArn');
  const accountId = f.id('AccountId');
  const encryptionKeyArn = f.id('DestinationEncryptionKeyArn');
  const deleteAfterDays = f.nested('DestinationRecoveryPointLifecycle')?.days('DeleteAfterDays');
  if (f.failed || !job) return f.failed ?? { problems: [] };
  const destination = destinationVaultArn ? parseVaultArn(destinationVaultArn) : undefined;
  return {
    record: {
      kind: 'copy',
      ...job,
      recoveryPointArn,
      sourceRecoveryPointArn,
      vaultArn: destinationVaultArn,
      vaultName: destination?.name,
      // The copy lives where the destination vault is, possibly another region or account.
      accountId: destination?.accountId || accountId || ctx.accountId,
      region: destination?.region || ctx.region || regionOf(job.resourceArn),
      encryptionKeyArn,
      deleteAt: deleteAtOf(job.completedAt ?? job.startedAt, deleteAfterDays),
      observedAt: ctx.jobObservedAt(job.state, job.startedAt, job.completedAt),
    },
  };
}

export interface PointByResourceContext {
  /** The request's `--resource-arn`: the response does not repeat it. */
  resourceArn: string;
  resourceType?: string | undefined;
  /** The job that produced the point, when the same read saw it: it knows encryption and lifecycle. */
  producedBy?: AwsJobRecord | undefined;
  accountId?: string | undefined;
  region?: string | undefined;
  /** observedAt of a point completed by its job; a bare point is dated at its creation. */
  now: number;
  limits?: IngestLimits | undefined;
}

export function readApiPointByResource(
  rp: ApiRecoveryPointByResource,
  ctx: PointByResourceContext,
): ApiRead<AwsRecoveryPointRecord> {
  const f = new FieldReader(rp, ctx.limits ?? DEFAULT_INGEST_LIMITS);
  const recoveryPointArn = f.id('RecoveryPointArn', true);
  const status = f.pointStatus('Status');
  const createdAt = f.date('CreationDate', true);
  const keyArnRead = f.id('EncryptionKeyArn');
  const sizeRead = f.count('BackupSizeBytes');
  const vaultName = f.id('BackupVaultName');
  if (f.failed || !recoveryPointArn || !status || createdAt === undefined) return f.failed ?? { problems: [] };
  const producedBy = ctx.producedBy;
  const keyArn = keyArnRead ?? producedBy?.encryptionKeyArn;
  return {
    record: {
      recoveryPointArn,
      resourceArn: ctx.resourceArn,
      resourceType: ctx.resourceType ?? producedBy?.resourceType,
      status,
      createdAt,
      sizeBytes: sizeRead ?? producedBy?.sizeBytes,
      // ListRecoveryPointsByResource has no IsEncrypted or lifecycle: the job that produced the
      // point knows them; otherwise a key ARN proves encryption and its absence proves nothing.
      encrypted: producedBy?.encrypted ?? (keyArn ? true : undefined),
      encryptionKeyArn: keyArn,
      vaultName,
      accountId: ctx.accountId ?? accountOf(recoveryPointArn) ?? accountOf(ctx.resourceArn),
      region: ctx.region ?? regionOf(recoveryPointArn) ?? regionOf(ctx.resourceArn),
      deleteAt: producedBy?.deleteAt,
      copyOf: producedBy?.kind === 'copy' ? producedBy.sourceRecoveryPointArn : undefined,
      // Complete (with its job's details) it is the freshest view; alone it only proves the point
      // exists, so it must not replace a richer record stored from an event: date it at creation.
      observedAt: producedBy ? ctx.now : createdAt,
    },
  };
}

export function readApiPointByVault(
  rp: ApiRecoveryPointByVault,
  limits: IngestLimits = DEFAULT_INGEST_LIMITS,
): ApiRead<AwsRecoveryPointRecord> {
  const f = new FieldReader(rp, limits);
  const recoveryPointArn = f.id('RecoveryPointArn', true);
  const resourceArn = f.id('ResourceArn', true);
  let status = f.pointStatus('Status');
  const createdAt = f.date('CreationDate', true);
  const completedAt = f.date('CompletionDate');
  const vaultArn = f.id('BackupVaultArn');
  const vaultNameRead = f.id('BackupVaultName');
  const resourceType = f.id('ResourceType');
  const sizeBytes = f.count('BackupSizeInBytes');
  const encrypted = f.bool('IsEncrypted');
  const encryptionKeyArn = f.id('EncryptionKeyArn');
  const storageClass = f.id('StorageClass');
  const deleteAtRead = f.nested('CalculatedLifecycle')?.date('DeleteAt');
  const deleteAfterDays = f.nested('Lifecycle')?.days('DeleteAfterDays');
  if (f.failed || !recoveryPointArn || !resourceArn || !status || createdAt === undefined)
    return f.failed ?? { problems: [] };
  // Same rule as the Recovery Point State Change event: a DELETED storage class is a deleted point.
  if (storageClass === 'DELETED') status = 'DELETED';
  const vault = vaultArn ? parseVaultArn(vaultArn) : undefined;
  return {
    record: {
      recoveryPointArn,
      resourceArn,
      resourceType,
      status,
      createdAt,
      sizeBytes,
      encrypted,
      encryptionKeyArn,
      vaultName: vaultNameRead ?? vault?.name,
      accountId: vault?.accountId || accountOf(recoveryPointArn),
      region: vault?.region || regionOf(recoveryPointArn) || regionOf(resourceArn),
      deleteAt: deleteAtRead ?? deleteAtOf(createdAt, deleteAfterDays),
      // As complete as a Recovery Point State Change event and dated by its own content, so the
      // same listing ingested twice is the same observation.
      observedAt: completedAt ?? createdAt,
    },
  };
}
