/**
 * The aws-backup restore-test runner as step functions the restore-test workflow's Task states call:
 * start → describe (polled with Wait) → validate (aws-backup-validators.ts) → putValidationResult →
 * cleanup. Each step is small, idempotent and returns a small JSON payload, because the workflow
 * carries it between states (256 KB limit) and retries it on TransientError.
 */
import {
  type BackupClient,
  DescribeRestoreJobCommand,
  GetRecoveryPointRestoreMetadataCommand,
  PutRestoreValidationResultCommand,
  StartRestoreJobCommand,
} from '@aws-sdk/client-backup';
import { DeleteTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadBucketCommand,
  ListObjectVersionsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ConfigError, NotFoundError, ReversaError, TransientError } from '#core/errors.ts';
import {
  type AwsValidationStatus,
  buildRestoreMetadata,
  percentOf,
  RESTORE_JOB_STATUSES,
  type RestoreJobStatus,
  resourceNameFromArn,
  SANDBOX_TAG,
  sandboxMarker,
  sandboxName,
  sandboxVerdict,
} from '#core/restore/aws-backup.ts';
import { type CleanupProof, truncateMessage } from '#core/restore/evidence.ts';
import { mapSdkError } from './sdk-errors.ts';

// ---------------------------------------------------------------- clients

/** A DB instance as DescribeDBInstances reports it, reduced to what validation compares. */
export interface RdsInstanceFacts {
  status: string;
  /** The endpoint clients would connect to; absent while the instance is being created. */
  endpoint?: { address: string; port?: number };
  engine?: string;
  allocatedStorageGiB?: number;
  encrypted?: boolean;
}

/** RDS as the runner needs it (adapters/aws/rds-sandbox.ts binds @aws-sdk/client-rds); SDK errors are thrown as is. */
export interface RdsSandboxPort {
  deleteDbInstance(input: {
    DBInstanceIdentifier: string;
    SkipFinalSnapshot: true;
    DeleteAutomatedBackups: true;
  }): Promise<void>;
  /** The instance's DBInstanceStatus, or undefined when it does not exist. */
  dbInstanceStatus(id: string): Promise<string | undefined>;
  /** The instance, or undefined when it does not exist. */
  describeDbInstance(id: string): Promise<RdsInstanceFacts | undefined>;
}

/** An EBS volume as DescribeVolumes reports it. */
export interface Ec2VolumeFacts {
  state: string;
  tags: Record<string, string>;
  sizeGiB?: number;
  encrypted?: boolean;
}

/** EC2 volumes as the runner needs them (adapters/aws/ec2-volumes.ts binds @aws-sdk/client-ec2). */
export interface Ec2VolumePort {
  /** State, tags, size and encryption of a volume, or undefined when it does not exist. */
  describeVolume(volumeId: string): Promise<Ec2VolumeFacts | undefined>;
  tagVolume(volumeId: string, tags: Record<string, string>): Promise<void>;
  deleteVolume(volumeId: string): Promise<void>;
}

export interface AwsBackupRestoreClients {
  backup: BackupClient;
  dynamodb?: DynamoDBClient;
  s3?: S3Client;
  lambda?: LambdaClient;
  rds?: RdsSandboxPort;
  ec2?: Ec2VolumePort;
  /** Clock (epoch ms); default Date.now. */
  now?: () => number;
  /** Pause between "is it gone yet?" reads during cleanup; default setTimeout. Tests pass an instant one. */
  delay?: (ms: number) => Promise<void>;
}

export const nowOf = (c: { now?: () => number }): number => (c.now ?? Date.now)();

function need<T>(client: T | undefined, what: string): T {
  if (client === undefined) throw new ConfigError('AwsClientMissing', `no ${what} client configured for this runner`);
  return client;
}

// ---------------------------------------------------------------- error mapping

/** SDK error → typed error (the classification is adapters/aws/sdk-errors.ts's, shared by every adapter). */
export function mapAwsError(error: unknown, service: string, operation: string): ReversaError {
  return mapSdkError(error, service, operation, { accessDeniedHint: 'check the restore role' });
}

export async function aws<T>(service: string, operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw mapAwsError(e, service, operation);
  }
}

// ---------------------------------------------------------------- start

export interface StartAwsBackupRestoreInput {
  tenantId: string;
  testId: string;
  recoveryPointArn: string;
  /** GetRecoveryPointRestoreMetadata needs the vault; the recovery point ARN does not name it. */
  backupVaultName: string;
  backupVaultAccountId?: string;
  resourceType: string;
  /** The policy's `sandbox.overrides` (subnet group, security groups, KMS key, sandboxNamePrefix…). */
  overrides?: Record<string, string>;
  iamRoleArn: string;
}

export interface StartedAwsBackupRestore {
  restoreJobId: string;
  /** Epoch ms when the start was requested: the restore span's start. */
  startedAt: number;
  /** Name of the restored table/bucket/instance (for EBS, the marker the volume will be tagged with). */
  sandboxName: string;
  /** Metadata keys sent (never values: they may name keys, subnets or carry restore secrets). */
  metadataKeys: string[];
}

/**
 * GetRecoveryPointRestoreMetadata → overrides → sandbox target → StartRestoreJob. IdempotencyToken is the
 * test id, so a retried start (Lambda retry, workflow Retry) returns the same job instead of a second restore.
 */
export async function startAwsBackupRestore(
  clients: AwsBackupRestoreClients,
  input: StartAwsBackupRestoreInput,
): Promise<StartedAwsBackupRestore> {
  const name = sandboxName(input.testId, input.overrides?.sandboxNamePrefix);
  const recovered = await aws('Backup', 'GetRecoveryPointRestoreMetadata', () =>
    clients.backup.send(
      new GetRecoveryPointRestoreMetadataCommand({
        BackupVaultName: input.backupVaultName,
        RecoveryPointArn: input.recoveryPointArn,
        ...(input.backupVaultAccountId === undefined ? {} : { BackupVaultAccountId: input.backupVaultAccountId }),
      }),
    ),
  );
  const metadata = buildRestoreMetadata(
    input.resourceType,
    recovered.RestoreMetadata ?? {},
    input.overrides ?? {},
    name,
  );
  const startedAt = nowOf(clients);
  const out = await aws('Backup', 'StartRestoreJob', () =>
    clients.backup.send(
      new StartRestoreJobCommand({
        RecoveryPointArn: input.recoveryPointArn,
        Metadata: metadata,
        IamRoleArn: input.iamRoleArn,
        IdempotencyToken: input.testId,
        ResourceType: input.resourceType,
      }),
    ),
  );
  if (!out.RestoreJobId) throw new TransientError('BackupNoRestoreJobId', 'StartRestoreJob returned no restore job id');
  return { restoreJobId: out.RestoreJobId, startedAt, sandboxName: name, metadataKeys: Object.keys(metadata).sort() };
}

// ---------------------------------------------------------------- describe (polled)

export interface AwsBackupRestoreState {
  status: RestoreJobStatus;
  createdResourceArn?: string;
  /** Epoch ms. */
  completionDate?: number;
  statusMessage?: string;
  percentDone?: number;
}

const MAX_STATUS_MESSAGE = 500;

/**
 * One poll of DescribeRestoreJob. ABORTED/FAILED are terminal: the workflow records the test FAILED with
 * the status message. With `testId`, a COMPLETED EBS restore is tagged with the sandbox marker, because a
 * volume id is assigned by AWS and the tag is what later proves the volume is ours to delete.
 */
export async function describeAwsBackupRestore(
  clients: AwsBackupRestoreClients,
  input: { restoreJobId: string; testId?: string },
): Promise<AwsBackupRestoreState> {
  const job = await aws('Backup', 'DescribeRestoreJob', () =>
    clients.backup.send(new DescribeRestoreJobCommand({ RestoreJobId: input.restoreJobId })),
  );
  const status = (RESTORE_JOB_STATUSES as readonly string[]).includes(job.Status ?? '')
    ? (job.Status as RestoreJobStatus)
    : 'PENDING';
  const state: AwsBackupRestoreState = { status };
  if (job.CreatedResourceArn) state.createdResourceArn = job.CreatedResourceArn;
  const completed = job.CompletionDate?.getTime();
  if (completed !== undefined && Number.isFinite(completed)) state.completionDate = completed;
  if (job.StatusMessage) state.statusMessage = job.StatusMessage.slice(0, MAX_STATUS_MESSAGE);
  const percent = percentOf(job.PercentDone);
  if (percent !== undefined) state.percentDone = percent;
  if (status === 'COMPLETED' && input.testId !== undefined && job.ResourceType === 'EBS' && job.CreatedResourceArn) {
    await tagRestoredVolume(clients, job.CreatedResourceArn, input.testId);
  }
  return state;
}

async function tagRestoredVolume(clients: AwsBackupRestoreClients, arn: string, testId: string): Promise<void> {
  const ec2 = need(clients.ec2, 'EC2');
  const volumeId = resourceNameFromArn('EBS', arn);
  if (volumeId === undefined) throw new ReversaError('UnexpectedRestoreArn', 'restore job reported a non-volume ARN');
  const marker = sandboxMarker(testId);
  const volume = await aws('EC2', 'DescribeVolumes', () => ec2.describeVolume(volumeId));
  if (volume === undefined) throw new NotFoundError('EC2NotFound', `restored volume ${volumeId} not found`);
  const existing = volume.tags[SANDBOX_TAG];
  // Never re-label a volume another test (or anything else) already claimed.
  if (existing === marker) return;
  if (existing !== undefined) {
    throw new ReversaError('SandboxTagConflict', `volume ${volumeId} already carries another ${SANDBOX_TAG} tag`);
  }
  await aws('EC2', 'CreateTags', () => ec2.tagVolume(volumeId, { [SANDBOX_TAG]: marker }));
}

// ---------------------------------------------------------------- validation result

/**
 * PutRestoreValidationResult. The evidence record is ours; AWS Backup's copy is a courtesy, so when the
 * service refuses the result for this job (InvalidRequestException, e.g. a job not started by a restore
 * testing plan) that is reported, not thrown.
 */
export async function putValidationResult(
  clients: AwsBackupRestoreClients,
  restoreJobId: string,
  status: AwsValidationStatus,
  message: string,
): Promise<{ recorded: boolean; reason?: string }> {
  try {
    await clients.backup.send(
      new PutRestoreValidationResultCommand({
        RestoreJobId: restoreJobId,
        ValidationStatus: status,
        ValidationStatusMessage: truncateMessage(message),
      }),
    );
    return { recorded: true };
  } catch (e) {
    const name = (e as { name?: unknown })?.name;
    if (name === 'InvalidRequestException' || name === 'InvalidParameterValueException') {
      return { recorded: false, reason: `AWS Backup refused the validation result (${name})` };
    }
    throw mapAwsError(e, 'Backup', 'PutRestoreValidationResult');
  }
}

// ---------------------------------------------------------------- cleanup

export interface CleanupAwsBackupInput {
  resourceType: string;
  createdResourceArn: string;
  testId: string;
}

export interface CleanupOptions {
  /** Reads after the deletion to see the resource gone (default 12, DEFAULT_POLL_MS apart). */
  verifyAttempts?: number;
  /** S3: at most this many ListObjectVersions pages are emptied (default 100 000, i.e. 100 M versions). */
  maxPages?: number;
}

const DEFAULT_POLL_MS = 5_000;
const S3_DELETE_BATCH = 1000;

type Outcome = Pick<CleanupProof, 'removed' | 'remaining' | 'result'> & { message?: string };

/**
 * Deletes the restored resource and proves it is gone. Refuses anything that does not carry this test's
 * sandbox marker. Never throws: any failure is a FAILED proof whose message names the error, not its payload.
 */
export async function cleanupAwsBackupRestore(
  clients: AwsBackupRestoreClients,
  input: CleanupAwsBackupInput,
  options: CleanupOptions = {},
): Promise<CleanupProof> {
  const startedAt = nowOf(clients);
  const proof = (o: Outcome): CleanupProof => {
    const p: CleanupProof = {
      target: input.createdResourceArn,
      startedAt,
      endedAt: nowOf(clients),
      removed: o.removed,
      remaining: o.remaining,
      result: o.result,
    };
    if (o.message !== undefined) p.message = truncateMessage(o.message);
    return p;
  };
  try {
    if (input.resourceType !== 'EBS') {
      const verdict = sandboxVerdict(input.resourceType, input.createdResourceArn, input.testId);
      if (!verdict.safe) return proof(refused(verdict.reason));
    }
    const ctx = { clients, options, input };
    switch (input.resourceType) {
      case 'DynamoDB':
        return proof(await cleanupTable(ctx));
      case 'S3':
        return proof(await cleanupBucket(ctx));
      case 'RDS':
        return proof(await cleanupDbInstance(ctx));
      case 'EBS':
        return proof(await cleanupVolume(ctx));
      default:
        return proof(refused(`no cleanup is defined for resource type ${input.resourceType}`));
    }
  } catch (e) {
    const mapped = mapAwsError(e, 'AWS', 'cleanup');
    return proof({ removed: 0, remaining: 1, result: 'FAILED', message: `${mapped.name}: ${mapped.message}` });
  }
}

function refused(reason: string): Outcome {
  return { removed: 0, remaining: 0, result: 'FAILED', message: `refused to delete: ${reason}` };
}

interface CleanupContext {
  clients: AwsBackupRestoreClients;
  options: CleanupOptions;
  input: CleanupAwsBackupInput;
}

const isName = (e: unknown, ...names: string[]): boolean => names.includes((e as { name?: string })?.name ?? '');

/** Reads `probe` until it says gone, up to verifyAttempts times. */
async function waitGone(ctx: CleanupContext, probe: () => Promise<'gone' | string>): Promise<'gone' | string> {
  const attempts = Math.max(1, ctx.options.verifyAttempts ?? 12);
  const delay = ctx.clients.delay ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let last = '';
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await delay(DEFAULT_POLL_MS);
    last = await probe();
    if (last === 'gone') return last;
  }
  return last;
}

async function cleanupTable(ctx: CleanupContext): Promise<Outcome> {
  const ddb = need(ctx.clients.dynamodb, 'DynamoDB');
  const table = resourceNameFromArn('DynamoDB', ctx.input.createdResourceArn) as string;
  try {
    await ddb.send(new DeleteTableCommand({ TableName: table }));
  } catch (e) {
    if (isName(e, 'ResourceNotFoundException')) return { removed: 0, remaining: 0, result: 'NOTHING_TO_CLEAN' };
    // ResourceInUse: already being deleted (a retried cleanup) — the read below tells.
    if (!isName(e, 'ResourceInUseException')) throw mapAwsError(e, 'DynamoDB', 'DeleteTable');
  }
  const last = await waitGone(ctx, async () => {
    try {
      const t = await ddb.send(new DescribeTableCommand({ TableName: table }));
      return t.Table?.TableStatus ?? 'UNKNOWN';
    } catch (e) {
      if (isName(e, 'ResourceNotFoundException')) return 'gone';
      throw mapAwsError(e, 'DynamoDB', 'DescribeTable');
    }
  });
  if (last === 'gone') return { removed: 1, remaining: 0, result: 'CLEANED', message: `table ${table} deleted` };
  if (last === 'DELETING') {
    // DELETING cannot be undone: the table is on its way out, not left behind.
    return { removed: 1, remaining: 0, result: 'CLEANED', message: `table ${table} is DELETING (irreversible)` };
  }
  return { removed: 0, remaining: 1, result: 'FAILED', message: `table ${table} still ${last} after DeleteTable` };
}

async function cleanupBucket(ctx: CleanupContext): Promise<Outcome> {
  const s3 = need(ctx.clients.s3, 'S3');
  const bucket = resourceNameFromArn('S3', ctx.input.createdResourceArn) as string;
  const maxPages = ctx.options.maxPages ?? 100_000;
  let removed = 0;
  // Always list from the start: what was deleted no longer appears, so no marker can go stale.
  for (let page = 0; ; page++) {
    let listing: Awaited<ReturnType<typeof listVersions>>;
    try {
      listing = await listVersions(s3, bucket);
    } catch (e) {
      if (page === 0 && isName(e, 'NoSuchBucket')) return { removed: 0, remaining: 0, result: 'NOTHING_TO_CLEAN' };
      throw mapAwsError(e, 'S3', 'ListObjectVersions');
    }
    if (listing.length === 0) break;
    if (page >= maxPages) {
      return {
        removed,
        remaining: listing.length,
        result: 'FAILED',
        message: `bucket ${bucket} not empty after ${maxPages} pages`,
      };
    }
    const out = await aws('S3', 'DeleteObjects', () =>
      s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: listing, Quiet: true } })),
    );
    const errors = out.Errors?.length ?? 0;
    removed += listing.length - errors;
    if (errors > 0) {
      const codes = [...new Set((out.Errors ?? []).map((x) => x.Code ?? 'Error'))].join(', ');
      return {
        removed,
        remaining: errors,
        result: 'FAILED',
        message: `${errors} object version(s) not deleted (${codes})`,
      };
    }
  }
  await aws('S3', 'DeleteBucket', () => s3.send(new DeleteBucketCommand({ Bucket: bucket })));
  const last = await waitGone(ctx, async () => {
    try {
      await s3.send(new HeadBucketCommand({ Bucket: bucket }));
      return 'EXISTS';
    } catch (e) {
      if (
        isName(e, 'NotFound', 'NoSuchBucket') ||
        (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
      )
        return 'gone';
      throw mapAwsError(e, 'S3', 'HeadBucket');
    }
  });
  return last === 'gone'
    ? {
        removed,
        remaining: 0,
        result: 'CLEANED',
        message: `bucket ${bucket} emptied (${removed} versions) and deleted`,
      }
    : { removed, remaining: 1, result: 'FAILED', message: `bucket ${bucket} still exists after DeleteBucket` };
}

async function listVersions(s3: S3Client, bucket: string): Promise<{ Key: string; VersionId?: string }[]> {
  const out = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: S3_DELETE_BATCH }));
  const all = [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])];
  return all
    .filter((v): v is typeof v & { Key: string } => typeof v.Key === 'string')
    .slice(0, S3_DELETE_BATCH)
    .map((v) => (v.VersionId === undefined ? { Key: v.Key } : { Key: v.Key, VersionId: v.VersionId }));
}

async function cleanupDbInstance(ctx: CleanupContext): Promise<Outcome> {
  const rds = need(ctx.clients.rds, 'RDS');
  const id = resourceNameFromArn('RDS', ctx.input.createdResourceArn) as string;
  try {
    await rds.deleteDbInstance({ DBInstanceIdentifier: id, SkipFinalSnapshot: true, DeleteAutomatedBackups: true });
  } catch (e) {
    if (isName(e, 'DBInstanceNotFound', 'DBInstanceNotFoundFault'))
      return { removed: 0, remaining: 0, result: 'NOTHING_TO_CLEAN' };
    // Already deleting (a retried cleanup): the read below tells.
    if (!isName(e, 'InvalidDBInstanceState', 'InvalidDBInstanceStateFault'))
      throw mapAwsError(e, 'RDS', 'DeleteDBInstance');
  }
  const status = await aws('RDS', 'DescribeDBInstances', () => rds.dbInstanceStatus(id));
  if (status === undefined) return { removed: 1, remaining: 0, result: 'CLEANED', message: `instance ${id} deleted` };
  if (status === 'deleting') {
    return {
      removed: 1,
      remaining: 0,
      result: 'CLEANED',
      message: `instance ${id} is deleting (no final snapshot; irreversible)`,
    };
  }
  return {
    removed: 0,
    remaining: 1,
    result: 'FAILED',
    message: `instance ${id} still ${status} after DeleteDBInstance`,
  };
}

async function cleanupVolume(ctx: CleanupContext): Promise<Outcome> {
  const ec2 = need(ctx.clients.ec2, 'EC2');
  const volumeId = resourceNameFromArn('EBS', ctx.input.createdResourceArn);
  if (volumeId === undefined) return refused('not an EBS volume ARN');
  const volume = await aws('EC2', 'DescribeVolumes', () => ec2.describeVolume(volumeId));
  if (volume === undefined) return { removed: 0, remaining: 0, result: 'NOTHING_TO_CLEAN' };
  const verdict = sandboxVerdict('EBS', ctx.input.createdResourceArn, ctx.input.testId, volume.tags);
  if (!verdict.safe) return refused(verdict.reason);
  if (volume.state !== 'deleting' && volume.state !== 'deleted') {
    await aws('EC2', 'DeleteVolume', () => ec2.deleteVolume(volumeId));
  }
  const after = await aws('EC2', 'DescribeVolumes', () => ec2.describeVolume(volumeId));
  if (after === undefined || after.state === 'deleted' || after.state === 'deleting') {
    return { removed: 1, remaining: 0, result: 'CLEANED', message: `volume ${volumeId} ${after?.state ?? 'deleted'}` };
  }
  return {
    removed: 0,
    remaining: 1,
    result: 'FAILED',
    message: `volume ${volumeId} still ${after.state} after DeleteVolume`,
  };
}
