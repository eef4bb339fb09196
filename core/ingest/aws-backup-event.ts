/**
 * AWS Backup EventBridge events (source `aws.backup`) → FactBatch.
 *
 * Events are best effort and partly filled (a CREATED event has no resource yet), and the
 * same job comes as several events in any order. An event we cannot use is never an
 * exception: it returns an empty batch with a typed reason, so the handler can count and log
 * it without EventBridge retrying a message that will never get better.
 */
import type { FactBatch, JobState } from '../model.ts';
import type { AwsJobRecord, AwsRecoveryPointRecord } from './aws-backup-mapping.ts';
import {
  factsFromAwsJob,
  factsFromAwsRecoveryPoint,
  parseVaultArn,
  toJobState,
  toRecoveryPointStatus,
} from './aws-backup-mapping.ts';
import { emptyBatch, finaliseBatch } from './batch.ts';
import { controlCharacterProblem } from './fields.ts';
import { DEFAULT_INGEST_LIMITS } from './limits.ts';
import { toEpochMs } from './time.ts';

export const AWS_BACKUP_DETAIL_TYPES = [
  'Backup Job State Change',
  'Copy Job State Change',
  'Recovery Point State Change',
] as const;
export type AwsBackupDetailType = (typeof AWS_BACKUP_DETAIL_TYPES)[number];

export type IgnoredEventReason =
  /** Not an object, or `source` is not `aws.backup`. */
  | 'not-aws-backup'
  /** An aws.backup detail-type we do not turn into facts (vault, plan, restore, region...). */
  | 'unsupported-detail-type'
  /** A known event still lacking what a fact needs (CREATED events carry no resource). */
  | 'incomplete'
  /** A known event with a field of the wrong type or an unknown state. */
  | 'malformed';

export interface NormalisedBackupEvent extends FactBatch {
  /** Present when the event produced no facts, with why. */
  ignored?: { reason: IgnoredEventReason; detail: string };
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Malformed {
  constructor(readonly detail: string) {}
}

/** An id, ARN or name: a control character in it is malformed (it would end up in keys and terminals). */
function str(o: Obj, key: string, where = 'detail'): string | undefined {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0 || v.length > DEFAULT_INGEST_LIMITS.maxMessageLength) return undefined;
  const control = controlCharacterProblem(v);
  if (control) throw new Malformed(`${where}.${key} ${control}`);
  return v;
}

/** Free text (statusMessage): line breaks allowed, other control characters malformed. */
function text(o: Obj, key: string): string | undefined {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0 || v.length > DEFAULT_INGEST_LIMITS.maxMessageLength) return undefined;
  const control = controlCharacterProblem(v, true);
  if (control) throw new Malformed(`detail.${key} ${control}`);
  return v;
}

/** AWS sends byte counts as numbers in some events and as strings ("36048") in others. */
function count(o: Obj, key: string): number | undefined {
  const v = o[key];
  const n = typeof v === 'string' && /^\d{1,16}$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** `isEncrypted` arrives as `"false"` in AWS's own example and as a boolean elsewhere. */
function bool(o: Obj, key: string): boolean | undefined {
  const v = o[key];
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

function ignored(reason: IgnoredEventReason, detail: string): NormalisedBackupEvent {
  return { ...emptyBatch(), ignored: { reason, detail } };
}

/** A date field: absent is fine, present but unparsable is malformed (we would otherwise invent a time). */
function date(o: Obj, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  const t = toEpochMs(v);
  if (t === undefined) throw new Malformed(`detail.${key} is not an ISO-8601 timestamp`);
  return t;
}

function jobState(detail: Obj): JobState | undefined {
  // Backup and copy jobs say `state`, restore jobs `status`: read both.
  const raw = detail.state ?? detail.status;
  if (raw === undefined) return undefined;
  const s = toJobState(raw);
  if (!s)
    throw new Malformed(
      `detail.state is not a known job state (expected one of CREATED, PENDING, RUNNING, ABORTING, ABORTED, COMPLETED, FAILED, EXPIRED, PARTIAL)`,
    );
  return s;
}

function firstResource(event: Obj): string | undefined {
  const r = event.resources;
  if (!Array.isArray(r) || typeof r[0] !== 'string' || !r[0].startsWith('arn:')) return undefined;
  const control = controlCharacterProblem(r[0]);
  if (control) throw new Malformed(`resources[0] ${control}`);
  return r[0].length <= DEFAULT_INGEST_LIMITS.maxMessageLength ? r[0] : undefined;
}

interface Envelope {
  event: Obj;
  detail: Obj;
  observedAt: number;
  accountId: string | undefined;
  region: string | undefined;
}

function backupJob(env: Envelope): AwsJobRecord | string {
  const { detail, event } = env;
  const jobId = str(detail, 'backupJobId');
  const resourceArn = str(detail, 'resourceArn');
  const state = jobState(detail);
  if (!jobId || !resourceArn || !state) return 'backup job event without backupJobId, resourceArn or state';
  const completedAt = date(detail, 'completionDate');
  return {
    kind: 'backup',
    jobId,
    resourceArn,
    resourceType: str(detail, 'resourceType'),
    state,
    statusMessage: text(detail, 'statusMessage'),
    startedAt: date(detail, 'creationDate') ?? env.observedAt,
    completedAt,
    sizeBytes: count(detail, 'backupSizeInBytes'),
    // COMPLETED events name the new point in `resources`, not in `detail`.
    recoveryPointArn: str(detail, 'recoveryPointArn') ?? (state === 'COMPLETED' ? firstResource(event) : undefined),
    vaultArn: str(detail, 'backupVaultArn'),
    vaultName: str(detail, 'backupVaultName'),
    accountId: env.accountId,
    region: env.region,
    observedAt: env.observedAt,
  };
}

function copyJob(env: Envelope): AwsJobRecord | string {
  const { detail, event } = env;
  const jobId = str(detail, 'copyJobId');
  const resourceArn = str(detail, 'resourceArn');
  const state = jobState(detail);
  if (!jobId || !resourceArn || !state) return 'copy job event without copyJobId, resourceArn or state';
  const destinationVaultArn = str(detail, 'destinationBackupVaultArn');
  const destination = destinationVaultArn ? parseVaultArn(destinationVaultArn) : undefined;
  return {
    kind: 'copy',
    jobId,
    resourceArn,
    resourceType: str(detail, 'resourceType'),
    state,
    statusMessage: text(detail, 'statusMessage'),
    startedAt: date(detail, 'creationDate') ?? env.observedAt,
    completedAt: date(detail, 'completionDate'),
    sizeBytes: count(detail, 'backupSizeInBytes'),
    // A failed copy sends `destinationRecoveryPointArn: {}`: str() ignores it.
    recoveryPointArn: str(detail, 'destinationRecoveryPointArn'),
    // The event's `resources` names the point being copied.
    sourceRecoveryPointArn: str(detail, 'sourceRecoveryPointArn') ?? firstResource(event),
    vaultArn: destinationVaultArn,
    vaultName: destination?.name,
    // The copy lives where the destination vault is, possibly another region or account.
    accountId: destination?.accountId || env.accountId,
    region: destination?.region || env.region,
    observedAt: env.observedAt,
  };
}

function recoveryPoint(env: Envelope): AwsRecoveryPointRecord | string {
  const { detail, event } = env;
  const recoveryPointArn = str(detail, 'recoveryPointArn') ?? firstResource(event);
  const resourceArn = str(detail, 'resourceArn');
  const rawStatus = detail.status ?? detail.state;
  if (!recoveryPointArn || !resourceArn || rawStatus === undefined) {
    return 'recovery point event without recovery point ARN, resourceArn or status';
  }
  let status = toRecoveryPointStatus(rawStatus);
  if (!status) throw new Malformed('detail.status is not a known recovery point status');
  if (str(detail, 'storageClass') === 'DELETED') status = 'DELETED';
  const createdAt = date(detail, 'creationDate') ?? env.observedAt;
  const lifecycle = isObj(detail.lifecycle) ? detail.lifecycle : {};
  const calculated = isObj(detail.calculatedLifeCycle)
    ? detail.calculatedLifeCycle
    : isObj(detail.calculatedLifecycle)
      ? detail.calculatedLifecycle
      : {};
  let deleteAt = date(calculated, 'deleteAt');
  const afterDays = count(lifecycle, 'deleteAfterDays');
  if (deleteAt === undefined && afterDays !== undefined) deleteAt = createdAt + afterDays * 86_400_000;
  const vaultArn = str(detail, 'backupVaultArn');
  return {
    recoveryPointArn,
    resourceArn,
    resourceType: str(detail, 'resourceType'),
    status,
    createdAt,
    sizeBytes: count(detail, 'backupSizeInBytes'),
    encrypted: bool(detail, 'isEncrypted'),
    encryptionKeyArn: str(detail, 'encryptionKeyArn'),
    vaultName: str(detail, 'backupVaultName') ?? (vaultArn ? parseVaultArn(vaultArn)?.name : undefined),
    accountId: env.accountId,
    region: env.region,
    deleteAt,
    observedAt: env.observedAt,
  };
}

/**
 * Normalises one EventBridge event. `observedAt` of every record is the event's `time`
 * (falling back to `receivedAt` when absent or unparsable), accountId/region come from the
 * envelope (for copies: from the destination vault ARN), location is the vault name.
 */
export function normaliseBackupEvent(event: unknown, tenantId: string, receivedAt: number): NormalisedBackupEvent {
  if (!isObj(event) || event.source !== 'aws.backup') return ignored('not-aws-backup', 'source is not aws.backup');
  const detailType = event['detail-type'];
  if (typeof detailType !== 'string' || !(AWS_BACKUP_DETAIL_TYPES as readonly string[]).includes(detailType)) {
    return ignored(
      'unsupported-detail-type',
      // Not String(detailType): an object without a prototype (valid JSON can't make one, fuzzers can) has no toString.
      `detail-type ${typeof detailType === 'string' ? JSON.stringify(detailType.slice(0, 80)) : `of type ${typeof detailType}`} carries no backup facts`,
    );
  }
  if (!isObj(event.detail)) return ignored('malformed', 'detail is not an object');
  try {
    const env: Envelope = {
      event,
      detail: event.detail,
      observedAt: (typeof event.time === 'string' ? toEpochMs(event.time) : undefined) ?? receivedAt,
      accountId: str(event, 'account', 'event'),
      region: str(event, 'region', 'event'),
    };
    switch (detailType as AwsBackupDetailType) {
      case 'Backup Job State Change':
      case 'Copy Job State Change': {
        const rec = detailType === 'Backup Job State Change' ? backupJob(env) : copyJob(env);
        return typeof rec === 'string' ? ignored('incomplete', rec) : finaliseBatch(factsFromAwsJob(tenantId, rec));
      }
      case 'Recovery Point State Change': {
        const rec = recoveryPoint(env);
        return typeof rec === 'string'
          ? ignored('incomplete', rec)
          : finaliseBatch(factsFromAwsRecoveryPoint(tenantId, rec));
      }
    }
  } catch (e) {
    if (e instanceof Malformed) return ignored('malformed', e.detail);
    throw e;
  }
}

/** The tenant owning the account that emitted the event (strategy `sources.awsBackup.accounts`), if any. */
export function tenantOfBackupEvent(event: unknown, accountToTenant: ReadonlyMap<string, string>): string | undefined {
  if (!isObj(event) || typeof event.account !== 'string') return undefined;
  return accountToTenant.get(event.account);
}
