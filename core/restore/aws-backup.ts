/**
 * Pure parts of the aws-backup restore-test runner: sandbox naming and the safety marker, the restore
 * metadata merge, count tolerance, DynamoDB item hashing, the validator-Lambda response contract and the
 * verdict sent back to AWS Backup. The SDK calls live in adapters/aws/aws-backup-restore.ts and
 * adapters/aws/aws-backup-validators.ts.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { ValidationError } from '../errors.ts';
import { type CheckCounts, type CheckResult, type CheckStatus, nameList, truncateMessage } from './evidence.ts';

/**
 * Resource types the runner restores. Only types whose restored copy we can name (or tag) and delete
 * are accepted: restoring a type whose metadata may point back at the source (EFS `newFileSystem`, EC2
 * instance ids…) risks overwriting production, and a restore we cannot clean up leaves a sandbox behind.
 */
export const AWS_BACKUP_RESTORE_TYPES = ['DynamoDB', 'S3', 'RDS', 'EBS'] as const;
export type AwsBackupRestoreType = (typeof AWS_BACKUP_RESTORE_TYPES)[number];

export function isRestoreType(resourceType: string): resourceType is AwsBackupRestoreType {
  return (AWS_BACKUP_RESTORE_TYPES as readonly string[]).includes(resourceType);
}

/** AWS Backup restore job states (DescribeRestoreJob `Status`). */
export const RESTORE_JOB_STATUSES = ['PENDING', 'RUNNING', 'COMPLETED', 'ABORTED', 'FAILED'] as const;
export type RestoreJobStatus = (typeof RESTORE_JOB_STATUSES)[number];

/** Tag carrying the sandbox marker on resources whose id AWS assigns (EBS volumes). */
export const SANDBOX_TAG = 'reversa:sandbox';

const TEST_ID = /^rt-[0-9a-f]{40}$/;

/**
 * The marker every sandbox resource of one test carries: `reversa-rt-` + 16 hex of the test id. Short
 * enough that a prefix still fits the tightest name limit (S3 buckets, RDS identifiers: 63 characters),
 * and valid in all of them (lowercase, starts with a letter, no double dash).
 */
export function sandboxMarker(testId: string): string {
  if (!TEST_ID.test(testId)) {
    throw new ValidationError('InvalidTestId', [
      { file: 'restore-test', path: 'testId', message: 'expected a test id: rt- followed by 40 lowercase hex digits' },
    ]);
  }
  return `reversa-${testId.slice(0, 19)}`;
}

const PREFIX_MAX = 30;

/**
 * The restored resource's name: `[<prefix>-]<marker>`. The prefix (policy override `sandboxNamePrefix`)
 * is reduced to lowercase letters, digits and single dashes so the name stays valid for every type.
 */
export function sandboxName(testId: string, prefix?: string): string {
  const marker = sandboxMarker(testId);
  const clean = (prefix ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, PREFIX_MAX)
    .replace(/-+$/, '');
  return clean === '' ? marker : `${clean}-${marker}`;
}

/** The name (or id) of a restored resource from its ARN, when the ARN has the shape of its type. */
export function resourceNameFromArn(resourceType: string, arn: string): string | undefined {
  const patterns: Record<AwsBackupRestoreType, RegExp> = {
    DynamoDB: /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/([A-Za-z0-9_.-]{3,255})$/,
    S3: /^arn:aws[a-z-]*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$/,
    RDS: /^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:db:([A-Za-z][A-Za-z0-9-]{0,62})$/,
    EBS: /^arn:aws[a-z-]*:ec2:[a-z0-9-]+:\d{0,12}:volume\/(vol-[0-9a-f]{8,17})$/,
  };
  if (!isRestoreType(resourceType)) return undefined;
  return patterns[resourceType].exec(arn)?.[1];
}

export type SandboxVerdict = { safe: true; name: string } | { safe: false; reason: string };

/**
 * Whether a resource may be deleted as the sandbox of this test. A bug upstream (a wrong ARN in the
 * workflow payload) must never delete a production resource, so deletion needs positive proof: the
 * name we gave the restore ends with the test's marker, or — for EBS, whose id AWS assigns — the
 * volume's `reversa:sandbox` tag equals the marker.
 */
export function sandboxVerdict(
  resourceType: string,
  arn: string,
  testId: string,
  tags?: Readonly<Record<string, string>>,
): SandboxVerdict {
  const marker = sandboxMarker(testId);
  const name = resourceNameFromArn(resourceType, arn);
  if (name === undefined) return { safe: false, reason: `not a ${resourceType} sandbox ARN this runner creates` };
  if (resourceType === 'EBS') {
    return tags?.[SANDBOX_TAG] === marker
      ? { safe: true, name }
      : { safe: false, reason: `volume ${name} does not carry the tag ${SANDBOX_TAG}=${marker}` };
  }
  return name === marker || name.endsWith(`-${marker}`)
    ? { safe: true, name }
    : { safe: false, reason: `${name} does not carry the sandbox marker ${marker}` };
}

/** Metadata keys naming the restore target: always set from the test id, never from an override. */
const TARGET_NAME_KEYS: Record<AwsBackupRestoreType, readonly string[]> = {
  DynamoDB: ['targetTableName'],
  S3: ['DestinationBucketName'],
  RDS: ['DBInstanceIdentifier'],
  EBS: [],
};

/**
 * Friendly override names (the ones the strategy documents) → each type's own metadata keys. Any other
 * override key is passed through verbatim, so a provider can set a service key we do not know about.
 */
function aliasesFor(type: AwsBackupRestoreType, key: string, value: string): Record<string, string> | undefined {
  const list = () =>
    JSON.stringify(
      value
        .split(/[\s,]+/)
        .map((s) => s.replace(/[[\]"]/g, ''))
        .filter((s) => s !== ''),
    );
  switch (key) {
    case 'kmsKeyId':
    case 'kmsKeyArn':
      if (type === 'DynamoDB') return { encryptionType: 'KMS', kmsMasterKeyArn: value };
      if (type === 'S3') return { Encrypted: 'true', EncryptionType: 'SSE-KMS', KMSKey: value };
      if (type === 'RDS') return { KmsKeyId: value };
      return { encrypted: 'true', kmsKeyId: value };
    case 'subnetGroupName':
    case 'dbSubnetGroupName':
      return type === 'RDS' ? { DBSubnetGroupName: value } : {};
    case 'securityGroupIds':
    case 'vpcSecurityGroupIds':
      return type === 'RDS' ? { VpcSecurityGroupIds: list() } : {};
    case 'availabilityZone':
      if (type === 'RDS') return { AvailabilityZone: value };
      if (type === 'EBS') return { availabilityZone: value };
      return {};
    case 'subnetId':
      // No restorable type here takes a bare subnet; RDS gets one through its subnet group.
      return {};
    default:
      return undefined;
  }
}

/** Keys that are Reversa's own and never sent to AWS Backup. */
const RESERVED_OVERRIDES = new Set(['sandboxNamePrefix']);

/**
 * StartRestoreJob metadata: the recovery point's own restore metadata, then the declared overrides (with
 * friendly aliases expanded), then what isolation requires — the sandbox target name, S3 into a new
 * bucket — which no override may change.
 */
export function buildRestoreMetadata(
  resourceType: string,
  recovered: Readonly<Record<string, string>>,
  overrides: Readonly<Record<string, string>>,
  name: string,
): Record<string, string> {
  if (!isRestoreType(resourceType)) {
    throw new ValidationError('UnsupportedRestoreType', [
      {
        file: 'restore-test',
        path: 'resourceType',
        message: `expected one of ${AWS_BACKUP_RESTORE_TYPES.join(', ')}: no sandboxed restore is defined for ${resourceType}`,
      },
    ]);
  }
  const refused = Object.keys(overrides).filter((k) => TARGET_NAME_KEYS[resourceType].includes(k));
  if (refused.length > 0) {
    throw new ValidationError(
      'SandboxTargetOverride',
      refused.map((k) => ({
        file: 'restore-test',
        path: `sandbox.overrides.${k}`,
        message: 'the restore target name is derived from the test id (cleanup relies on it); use sandboxNamePrefix',
      })),
    );
  }
  const merged: Record<string, string> = { ...recovered };
  for (const [key, value] of Object.entries(overrides)) {
    if (RESERVED_OVERRIDES.has(key)) continue;
    Object.assign(merged, aliasesFor(resourceType, key, value) ?? { [key]: value });
  }
  switch (resourceType) {
    case 'DynamoDB':
      merged.targetTableName = name;
      break;
    case 'S3':
      merged.DestinationBucketName = name;
      merged.NewBucket = 'true';
      break;
    case 'RDS':
      merged.DBInstanceIdentifier = name;
      break;
    case 'EBS':
      // A volume id in the metadata would mean "restore into this volume"; a sandbox is always new.
      delete merged.volumeId;
      break;
  }
  return merged;
}

/** |actual − expected| ≤ expected × tolerance%, so a 0% tolerance demands the exact count. */
export function withinTolerance(expected: number, actual: number, tolerancePercent: number): boolean {
  return Math.abs(actual - expected) <= (expected * tolerancePercent) / 100;
}

export interface CountObservation {
  /** Items/objects counted. */
  counted: number;
  /** False when the scan/listing stopped at its page bound before the end. */
  complete: boolean;
  startedAt: number;
  endedAt: number;
}

/** item-count / object-count: the restored count against the count at backup time, within tolerance. */
export function countCheck(
  name: 'item-count' | 'object-count',
  unit: 'items' | 'objects',
  expected: number,
  observed: CountObservation,
  tolerancePercent: number,
): CheckResult {
  const base = { name, startedAt: observed.startedAt, endedAt: observed.endedAt };
  if (!observed.complete) {
    return {
      ...base,
      status: 'ERROR',
      message: `counting stopped at its page bound after ${observed.counted} ${unit}; expected ${expected}`,
      counts: { expected, compared: observed.counted },
    };
  }
  const ok = withinTolerance(expected, observed.counted, tolerancePercent);
  return {
    ...base,
    status: ok ? 'PASSED' : 'FAILED',
    message: `${observed.counted} ${unit} restored, ${expected} at backup time (tolerance ${tolerancePercent}%)${ok ? '' : ': outside tolerance'}`,
    counts: { expected, compared: observed.counted },
  };
}

export interface SampleOutcome {
  name: 'sample-reads' | 'checksums';
  unit: 'items' | 'objects';
  selected: number;
  compared: number;
  matched: number;
  bytes?: number;
  missing: string[];
  changed: string[];
  startedAt: number;
  endedAt: number;
}

/** A sample check: every selected key read back; missing and changed ones named. */
export function sampleCheck(o: SampleOutcome): CheckResult {
  const failed = o.missing.length + o.changed.length > 0;
  const parts = [`${o.matched} of ${o.selected} sampled ${o.unit} read back and matched`];
  if (o.missing.length > 0) parts.push(`missing: ${o.missing.slice(0, 5).join(', ')}`);
  if (o.changed.length > 0) parts.push(`changed: ${o.changed.slice(0, 5).join(', ')}`);
  const counts: CheckCounts = { expected: o.selected, compared: o.compared, matched: o.matched };
  if (o.bytes !== undefined) counts.bytes = o.bytes;
  const check: CheckResult = {
    name: o.name,
    status: failed ? 'FAILED' : 'PASSED',
    message: truncateMessage(parts.join('; ')),
    startedAt: o.startedAt,
    endedAt: o.endedAt,
    counts,
  };
  if (o.missing.length > 0) check.missing = nameList(o.missing);
  if (o.changed.length > 0) check.changed = nameList(o.changed);
  return check;
}

/** A check that could not run (a missing expectation, an inapplicable validator). */
export function errorCheck(name: string, message: string): CheckResult {
  return { name, status: 'ERROR', message: truncateMessage(message), counts: { compared: 0 } };
}

// ---------------------------------------------------------------- DynamoDB item keys and hashes

type AttributeJson = { [type: string]: unknown };

const keyAttribute = z.union([
  z.strictObject({ S: z.string().max(2048) }),
  z.strictObject({ N: z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/) }),
  z.strictObject({ B: z.base64().max(2048) }),
]);
/** A sampled DynamoDB key as carried in the workflow payload: DynamoDB JSON, e.g. {"pk":{"S":"a"}}. */
export const dynamoKeySchema = z
  .record(z.string().min(1).max(255), keyAttribute)
  .refine((k) => Object.keys(k).length >= 1 && Object.keys(k).length <= 2, { error: 'expected 1 or 2 key attributes' });
export type DynamoKeyJson = z.infer<typeof dynamoKeySchema>;

/** Parses one sampled key; undefined when it is not a valid DynamoDB key in DynamoDB JSON. */
export function parseDynamoKey(text: string): DynamoKeyJson | undefined {
  if (text.length > 8192) return undefined;
  try {
    const parsed = dynamoKeySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const toBase64 = (v: unknown): string =>
  v instanceof Uint8Array ? Buffer.from(v).toString('base64') : typeof v === 'string' ? v : '';

/** Canonical form of an attribute value: sorted map keys and set members, binaries as base64. */
function canonical(value: AttributeJson): unknown {
  const [type, v] = Object.entries(value).find(([, x]) => x !== undefined) ?? ['NULL', true];
  switch (type) {
    case 'B':
      return { B: toBase64(v) };
    case 'BS':
      return { BS: (v as unknown[]).map(toBase64).sort() };
    case 'SS':
    case 'NS':
      return { [type]: [...(v as string[])].sort() };
    case 'L':
      return { L: (v as AttributeJson[]).map(canonical) };
    case 'M':
      return { M: canonicalMap(v as Record<string, AttributeJson>) };
    default:
      return { [type]: v };
  }
}

function canonicalMap(item: Readonly<Record<string, AttributeJson>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(item).sort()) out[key] = canonical(item[key] as AttributeJson);
  return out;
}

/**
 * SHA-256 (hex) of a DynamoDB item in DynamoDB JSON, canonicalised (sorted attribute names and set
 * members, binaries as base64): the capture at backup time and the read-back compute the same digest
 * whatever order the SDK returns attributes in.
 */
export function dynamoItemSha256(item: Readonly<Record<string, AttributeJson>>): string {
  return createHash('sha256')
    .update(JSON.stringify(canonicalMap(item)), 'utf8')
    .digest('hex');
}

/** Hex SHA-256 from S3's base64 ChecksumSHA256; undefined for a composite (multipart) checksum. */
export function hexFromS3Checksum(checksum: string | undefined): string | undefined {
  if (checksum === undefined || checksum.includes('-')) return undefined;
  const bytes = Buffer.from(checksum, 'base64');
  return bytes.length === 32 ? bytes.toString('hex') : undefined;
}

// ---------------------------------------------------------------- validator Lambda contract

export const MAX_VALIDATOR_RESPONSE_BYTES = 256 * 1024;

/** What a provider's validator Lambda must return. Anything else is an ERROR check, never a pass. */
export const lambdaValidatorResponseSchema = z.strictObject({
  passed: z.boolean(),
  message: z.string().max(4000),
  counts: z
    .strictObject({
      expected: z.number().int().nonnegative().optional(),
      compared: z.number().int().nonnegative(),
      bytes: z.number().int().nonnegative().optional(),
      matched: z.number().int().nonnegative().optional(),
    })
    .optional(),
});

/** Turns a validator Lambda's raw response into a check; malformed, oversized or erroring → ERROR. */
export function lambdaValidatorCheck(
  name: string,
  response: { payload: Uint8Array | undefined; functionError?: string | undefined },
  span: { startedAt: number; endedAt: number },
): CheckResult {
  const fail = (message: string): CheckResult => ({ ...errorCheck(name, message), ...span });
  if (response.functionError !== undefined) return fail(`validator raised an error (${response.functionError})`);
  const bytes = response.payload ?? new Uint8Array();
  if (bytes.length > MAX_VALIDATOR_RESPONSE_BYTES)
    return fail(`validator response larger than ${MAX_VALIDATOR_RESPONSE_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return fail('validator returned a response that is not JSON');
  }
  const parsed = lambdaValidatorResponseSchema.safeParse(json);
  if (!parsed.success) return fail('validator returned an invalid response: expected { passed, message, counts? }');
  const counts: CheckCounts = { compared: parsed.data.counts?.compared ?? 0 };
  const c = parsed.data.counts;
  if (c?.expected !== undefined) counts.expected = c.expected;
  if (c?.bytes !== undefined) counts.bytes = c.bytes;
  if (c?.matched !== undefined) counts.matched = c.matched;
  const status: CheckStatus = parsed.data.passed ? 'PASSED' : 'FAILED';
  return { name, status, message: truncateMessage(parsed.data.message), counts, ...span };
}

// ---------------------------------------------------------------- verdict for AWS Backup

export type AwsValidationStatus = 'SUCCESSFUL' | 'FAILED';

/** SUCCESSFUL only when at least one check ran and every check PASSED. */
export function validationStatusOf(checks: readonly CheckResult[]): AwsValidationStatus {
  return checks.length > 0 && checks.every((c) => c.status === 'PASSED') ? 'SUCCESSFUL' : 'FAILED';
}

/** The one-line message sent with PutRestoreValidationResult: check names and statuses, no data. */
export function validationMessageOf(checks: readonly CheckResult[]): string {
  if (checks.length === 0) return 'no check ran';
  return truncateMessage(checks.map((c) => `${c.name} ${c.status}`).join(', '));
}

/** Percent from DescribeRestoreJob's `PercentDone` string ("42.5%" or "42.5"). */
export function percentOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number.parseFloat(text);
  return Number.isFinite(n) ? Math.min(100, Math.max(0, n)) : undefined;
}
