/**
 * Reading a restored resource back (issue 3: "restoring without reading data proves nothing").
 * DynamoDB: table present and ACTIVE, item count within tolerance of the count at backup time, sampled
 * items read back (and hashed when a digest was captured). S3: object count and sampled checksums. RDS: the
 * restored instance available with an endpoint, its engine and encryption those of the source. EBS: the restored
 * volume available, its encryption that of the source. Anything else, or in addition: the provider's validator
 * Lambdas, whose answers are schema-checked.
 */
import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  DescribeTableCommand,
  GetItemCommand,
  ScanCommand,
  type ScanCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import {
  GetObjectCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { ConfigError, ReversaError, TransientError } from '#core/errors.ts';
import {
  countCheck,
  dynamoItemSha256,
  errorCheck,
  hexFromS3Checksum,
  lambdaValidatorCheck,
  parseDynamoKey,
  resourceNameFromArn,
  sampleCheck,
} from '#core/restore/aws-backup.ts';
import type { CheckResult } from '#core/restore/evidence.ts';
import { type Sample, sampleNames } from '#core/restore/selection.ts';
import { type AwsBackupRestoreClients, aws, mapAwsError, nowOf } from './aws-backup-restore.ts';
import { mapLimit } from './dynamo-support.ts';

export interface AwsBackupExpectations {
  /** DynamoDB item count at backup time. */
  itemCount?: number;
  /** S3 object count at backup time. */
  objectCount?: number;
  /** S3: object keys. DynamoDB: keys in DynamoDB JSON, e.g. {"pk":{"S":"order#1"}}. */
  sampleKeys?: string[];
  /** Key (as in sampleKeys) → SHA-256 hex: of the object (S3) or of dynamoItemSha256 (DynamoDB). */
  sampleChecksums?: Record<string, string>;
  /** RDS and EBS: the source instance or volume as it is now, when it still exists (what the copy must match). */
  source?: { engine?: string; encrypted?: boolean };
}

export interface ValidateAwsBackupInput {
  testId: string;
  resourceType: string;
  createdResourceArn: string;
  expected: AwsBackupExpectations;
  tolerancePercent: number;
  sample: Sample;
  seed: string;
  /** The policy's validators; default per type (DynamoDB: table-present, item-count, sample-reads; S3: object-count, checksums). */
  validators?: string[];
}

export interface ValidateLimits {
  /** Scan/ListObjectsV2 pages read at most to count (default 10 000). */
  maxPages?: number;
  /** Parallel GetItem/HeadObject/GetObject calls (default 8). */
  concurrency?: number;
}

const BUILT_INS: Record<string, readonly string[]> = {
  DynamoDB: ['table-present', 'item-count', 'sample-reads'],
  S3: ['object-count', 'checksums'],
  RDS: ['instance-available'],
  EBS: ['volume-available'],
};
const MAX_SAMPLE_KEYS = 100_000;

type Run = { input: ValidateAwsBackupInput; clients: AwsBackupRestoreClients; limits: Required<ValidateLimits> };

/**
 * Runs the validators for the restored resource and returns one CheckResult each. Transient and
 * access errors are thrown (the workflow retries, or records ERROR after cleanup); any other failure of
 * one check becomes that check's ERROR, so one broken read does not hide the other checks' results.
 */
export async function validateAwsBackupRestore(
  clients: AwsBackupRestoreClients,
  input: ValidateAwsBackupInput,
  limits: ValidateLimits = {},
): Promise<CheckResult[]> {
  const run: Run = {
    input,
    clients,
    limits: { maxPages: limits.maxPages ?? 10_000, concurrency: limits.concurrency ?? 8 },
  };
  const declared = input.validators;
  const builtIns = BUILT_INS[input.resourceType] ?? [];
  const lambdas = (declared ?? []).filter((v) => v.startsWith('lambda:'));
  const checks: CheckResult[] = [];

  for (const v of declared ?? []) {
    if (!v.startsWith('lambda:') && !builtIns.includes(v))
      checks.push(errorCheck(v, `validator ${v} does not apply to ${input.resourceType} restores`));
  }
  const wanted = (name: string) => (declared === undefined ? true : declared.includes(name));
  /** A declared validator without its expectation is an ERROR; a default one is simply not run. */
  const missingExpectation = (name: string, what: string) => {
    if (declared?.includes(name))
      checks.push(errorCheck(name, `${what} at backup time is unknown: nothing to compare`));
  };

  if (input.resourceType === 'DynamoDB') {
    const table = resourceNameFromArn('DynamoDB', input.createdResourceArn);
    if (table === undefined) return [...checks, errorCheck('table-present', 'not a DynamoDB table ARN')];
    const present = await guarded('table-present', () => tablePresent(run, table));
    if (wanted('table-present') || present.status !== 'PASSED') checks.push(present);
    // Counting or reading a table that is not there only repeats the finding.
    if (present.status === 'PASSED') {
      if (wanted('item-count')) {
        if (input.expected.itemCount === undefined) missingExpectation('item-count', 'the item count');
        else checks.push(await guarded('item-count', () => itemCount(run, table, input.expected.itemCount as number)));
      }
      if (wanted('sample-reads')) {
        if (!input.expected.sampleKeys?.length) missingExpectation('sample-reads', 'the sampled keys');
        else checks.push(await guarded('sample-reads', () => sampleItems(run, table)));
      }
    }
  } else if (input.resourceType === 'S3') {
    const bucket = resourceNameFromArn('S3', input.createdResourceArn);
    if (bucket === undefined) return [...checks, errorCheck('object-count', 'not an S3 bucket ARN')];
    if (wanted('object-count')) {
      if (input.expected.objectCount === undefined) missingExpectation('object-count', 'the object count');
      else
        checks.push(
          await guarded('object-count', () => objectCount(run, bucket, input.expected.objectCount as number)),
        );
    }
    if (wanted('checksums')) {
      const keys = sampleCandidates(input.expected);
      if (keys.length === 0) missingExpectation('checksums', 'the sampled keys');
      else checks.push(await guarded('checksums', () => sampleObjects(run, bucket, keys)));
    }
  } else if (input.resourceType === 'RDS') {
    const id = resourceNameFromArn('RDS', input.createdResourceArn);
    if (id === undefined) return [...checks, errorCheck('instance-available', 'not an RDS DB instance ARN')];
    if (wanted('instance-available'))
      checks.push(await guarded('instance-available', () => instanceAvailable(run, id)));
  } else if (input.resourceType === 'EBS') {
    const id = resourceNameFromArn('EBS', input.createdResourceArn);
    if (id === undefined) return [...checks, errorCheck('volume-available', 'not an EBS volume ARN')];
    if (wanted('volume-available')) checks.push(await guarded('volume-available', () => volumeAvailable(run, id)));
  } else if (lambdas.length === 0) {
    checks.push(
      errorCheck('validators', `no validator declared for ${input.resourceType}: declare lambda:<function ARN>`),
    );
  }
  for (const v of lambdas) checks.push(await guarded(v, () => invokeValidator(run, v)));
  return checks;
}

async function guarded(name: string, fn: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await fn();
  } catch (e) {
    const mapped = mapAwsError(e, 'AWS', name);
    if (mapped instanceof TransientError || mapped instanceof ConfigError) throw mapped;
    return errorCheck(name, `${mapped.name}: ${mapped.message}`);
  }
}

// ---------------------------------------------------------------- DynamoDB

async function tablePresent(run: Run, table: string): Promise<CheckResult> {
  const ddb = need(run.clients.dynamodb, 'DynamoDB');
  const startedAt = nowOf(run.clients);
  let status: string;
  try {
    const out = await ddb.send(new DescribeTableCommand({ TableName: table }));
    status = out.Table?.TableStatus ?? 'UNKNOWN';
  } catch (e) {
    if ((e as { name?: string })?.name !== 'ResourceNotFoundException')
      throw mapAwsError(e, 'DynamoDB', 'DescribeTable');
    status = 'NOT_FOUND';
  }
  const ok = status === 'ACTIVE';
  return {
    name: 'table-present',
    status: ok ? 'PASSED' : 'FAILED',
    message: ok
      ? `table ${table} is ACTIVE`
      : `table ${table} is ${status === 'NOT_FOUND' ? 'not found' : status}, expected ACTIVE`,
    startedAt,
    endedAt: nowOf(run.clients),
    counts: { expected: 1, compared: 1, matched: ok ? 1 : 0 },
  };
}

async function itemCount(run: Run, table: string, expected: number): Promise<CheckResult> {
  const ddb = need(run.clients.dynamodb, 'DynamoDB');
  const startedAt = nowOf(run.clients);
  let counted = 0;
  let start: Record<string, AttributeValue> | undefined;
  let pages = 0;
  do {
    const out: ScanCommandOutput = await aws('DynamoDB', 'Scan', () =>
      ddb.send(new ScanCommand({ TableName: table, Select: 'COUNT', ...(start ? { ExclusiveStartKey: start } : {}) })),
    );
    counted += out.Count ?? 0;
    start = out.LastEvaluatedKey;
    pages++;
  } while (start !== undefined && pages < run.limits.maxPages);
  return countCheck(
    'item-count',
    'items',
    expected,
    { counted, complete: start === undefined, startedAt, endedAt: nowOf(run.clients) },
    run.input.tolerancePercent,
  );
}

async function sampleItems(run: Run, table: string): Promise<CheckResult> {
  const ddb = need(run.clients.dynamodb, 'DynamoDB');
  const startedAt = nowOf(run.clients);
  const all = (run.input.expected.sampleKeys ?? []).slice(0, MAX_SAMPLE_KEYS);
  const parsed = all.map((k) => ({ text: k, key: parseDynamoKey(k) }));
  const invalid = parsed.filter((p) => p.key === undefined);
  if (invalid.length > 0) {
    return errorCheck('sample-reads', `${invalid.length} sampled key(s) are not DynamoDB keys in DynamoDB JSON`);
  }
  const selected = [...sampleNames(all, run.input.sample, run.input.seed)].sort();
  const checksums = run.input.expected.sampleChecksums ?? {};
  const missing: string[] = [];
  const changed: string[] = [];
  const results = await mapLimit(selected, run.limits.concurrency, async (text) => {
    const key = parseDynamoKey(text) as Record<string, AttributeValue>;
    const out = await aws('DynamoDB', 'GetItem', () =>
      ddb.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true })),
    );
    if (out.Item === undefined) return 'missing';
    const want = checksums[text]?.toLowerCase();
    if (want !== undefined && dynamoItemSha256(out.Item as never) !== want) return 'changed';
    return 'matched';
  });
  results.forEach((r, i) => {
    if (r === 'missing') missing.push(selected[i] as string);
    if (r === 'changed') changed.push(selected[i] as string);
  });
  return sampleCheck({
    name: 'sample-reads',
    unit: 'items',
    selected: selected.length,
    compared: selected.length,
    matched: results.filter((r) => r === 'matched').length,
    missing,
    changed,
    startedAt,
    endedAt: nowOf(run.clients),
  });
}

// ---------------------------------------------------------------- S3

async function objectCount(run: Run, bucket: string, expected: number): Promise<CheckResult> {
  const s3 = need(run.clients.s3, 'S3');
  const startedAt = nowOf(run.clients);
  let counted = 0;
  let token: string | undefined;
  let pages = 0;
  try {
    do {
      const out = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, ...(token === undefined ? {} : { ContinuationToken: token }) }),
      );
      counted += out.KeyCount ?? out.Contents?.length ?? 0;
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
      pages++;
    } while (token !== undefined && pages < run.limits.maxPages);
  } catch (e) {
    if ((e as { name?: string })?.name !== 'NoSuchBucket') throw mapAwsError(e, 'S3', 'ListObjectsV2');
    return {
      name: 'object-count',
      status: 'FAILED',
      message: `bucket ${bucket} not found: nothing was restored`,
      startedAt,
      endedAt: nowOf(run.clients),
      counts: { expected, compared: 0 },
    };
  }
  return countCheck(
    'object-count',
    'objects',
    expected,
    { counted, complete: token === undefined, startedAt, endedAt: nowOf(run.clients) },
    run.input.tolerancePercent,
  );
}

function sampleCandidates(expected: AwsBackupExpectations): string[] {
  const keys = new Set([...(expected.sampleKeys ?? []), ...Object.keys(expected.sampleChecksums ?? {})]);
  return [...keys].slice(0, MAX_SAMPLE_KEYS);
}

async function sampleObjects(run: Run, bucket: string, keys: string[]): Promise<CheckResult> {
  const s3 = need(run.clients.s3, 'S3');
  const startedAt = nowOf(run.clients);
  const selected = [...sampleNames(keys, run.input.sample, run.input.seed)].sort();
  const checksums = run.input.expected.sampleChecksums ?? {};
  let bytes = 0;
  const results = await mapLimit(selected, run.limits.concurrency, async (key) => {
    let head: HeadObjectCommandOutput;
    try {
      head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
    } catch (e) {
      if (isNotFound(e)) return 'missing';
      throw mapAwsError(e, 'S3', 'HeadObject');
    }
    const want = checksums[key]?.toLowerCase();
    if (want === undefined) return 'matched';
    // A full-object SHA-256 that S3 stored is authoritative; otherwise read the object back and hash it.
    const stored = head.ChecksumType === 'COMPOSITE' ? undefined : hexFromS3Checksum(head.ChecksumSHA256);
    if (stored !== undefined) {
      bytes += head.ContentLength ?? 0;
      return stored === want ? 'matched' : 'changed';
    }
    const { sha256, size } = await hashObject(run, bucket, key);
    bytes += size;
    return sha256 === want ? 'matched' : 'changed';
  });
  return sampleCheck({
    name: 'checksums',
    unit: 'objects',
    selected: selected.length,
    compared: selected.length,
    matched: results.filter((r) => r === 'matched').length,
    bytes,
    missing: selected.filter((_, i) => results[i] === 'missing'),
    changed: selected.filter((_, i) => results[i] === 'changed'),
    startedAt,
    endedAt: nowOf(run.clients),
  });
}

/** Streams the object through SHA-256: constant memory whatever its size. */
async function hashObject(run: Run, bucket: string, key: string): Promise<{ sha256: string; size: number }> {
  const s3 = need(run.clients.s3, 'S3');
  const out = await aws('S3', 'GetObject', () => s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
  const hash = createHash('sha256');
  let size = 0;
  const body = out.Body as AsyncIterable<Uint8Array> | undefined;
  if (body === undefined) throw new ReversaError('S3EmptyBody', 'S3 GetObject returned no body');
  try {
    for await (const chunk of body) {
      hash.update(chunk);
      size += chunk.length;
    }
  } catch (e) {
    throw mapAwsError(e, 'S3', 'GetObject');
  }
  return { sha256: hash.digest('hex'), size };
}

function isNotFound(e: unknown): boolean {
  const x = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return x?.name === 'NotFound' || x?.name === 'NoSuchKey' || x?.$metadata?.httpStatusCode === 404;
}

// ---------------------------------------------------------------- RDS and EBS

/** What differs between the restored copy and its source (engine, encryption), as readable phrases. */
function sourceMismatches(
  source: AwsBackupExpectations['source'],
  restored: { engine?: string | undefined; encrypted?: boolean | undefined },
): string[] {
  if (source === undefined) return [];
  const out: string[] = [];
  if (source.engine !== undefined && restored.engine !== source.engine)
    out.push(`engine ${restored.engine ?? 'unknown'}, source ${source.engine}`);
  if (source.encrypted === true && restored.encrypted !== true) out.push('not encrypted, the source is');
  return out;
}

function presenceCheck(
  name: string,
  startedAt: number,
  endedAt: number,
  problems: string[],
  passed: string,
): CheckResult {
  const ok = problems.length === 0;
  return {
    name,
    status: ok ? 'PASSED' : 'FAILED',
    message: ok ? passed : problems.join('; '),
    startedAt,
    endedAt,
    counts: { expected: 1, compared: 1, matched: ok ? 1 : 0 },
  };
}

/** The restored DB instance answers DescribeDBInstances as `available` with an endpoint, like its source. */
async function instanceAvailable(run: Run, id: string): Promise<CheckResult> {
  const rds = need(run.clients.rds, 'RDS');
  const startedAt = nowOf(run.clients);
  const db = await aws('RDS', 'DescribeDBInstances', () => rds.describeDbInstance(id));
  const problems: string[] = [];
  if (db === undefined) problems.push(`instance ${id} not found: nothing was restored`);
  else {
    if (db.status !== 'available') problems.push(`instance ${id} is ${db.status}, expected available`);
    if (db.endpoint === undefined) problems.push(`instance ${id} has no endpoint`);
    problems.push(...sourceMismatches(run.input.expected.source, db));
  }
  const where = db?.endpoint
    ? ` at ${db.endpoint.address}${db.endpoint.port === undefined ? '' : `:${db.endpoint.port}`}`
    : '';
  const what = [
    db?.engine,
    db?.allocatedStorageGiB === undefined ? undefined : `${db.allocatedStorageGiB} GiB`,
    db?.encrypted ? 'encrypted' : undefined,
  ]
    .filter((x) => x !== undefined)
    .join(', ');
  return presenceCheck(
    'instance-available',
    startedAt,
    nowOf(run.clients),
    problems,
    `instance ${id} is available${where}${what === '' ? '' : ` (${what})`}`,
  );
}

/** The restored volume answers DescribeVolumes as `available` (created, not attached), encrypted like its source. */
async function volumeAvailable(run: Run, id: string): Promise<CheckResult> {
  const ec2 = need(run.clients.ec2, 'EC2');
  const startedAt = nowOf(run.clients);
  const volume = await aws('EC2', 'DescribeVolumes', () => ec2.describeVolume(id));
  const problems: string[] = [];
  if (volume === undefined) problems.push(`volume ${id} not found: nothing was restored`);
  else {
    if (volume.state !== 'available') problems.push(`volume ${id} is ${volume.state}, expected available`);
    problems.push(...sourceMismatches(run.input.expected.source, volume));
  }
  const what = [
    volume?.sizeGiB === undefined ? undefined : `${volume.sizeGiB} GiB`,
    volume?.encrypted ? 'encrypted' : undefined,
  ]
    .filter((x) => x !== undefined)
    .join(', ');
  return presenceCheck(
    'volume-available',
    startedAt,
    nowOf(run.clients),
    problems,
    `volume ${id} is available${what === '' ? '' : ` (${what})`}`,
  );
}

// ---------------------------------------------------------------- validator Lambdas

async function invokeValidator(run: Run, validator: string): Promise<CheckResult> {
  const lambda = need(run.clients.lambda, 'Lambda');
  const startedAt = nowOf(run.clients);
  const payload = Buffer.from(
    JSON.stringify({
      createdResourceArn: run.input.createdResourceArn,
      resourceType: run.input.resourceType,
      testId: run.input.testId,
    }),
  );
  const out = await aws('Lambda', 'Invoke', () =>
    lambda.send(
      new InvokeCommand({
        FunctionName: validator.slice('lambda:'.length),
        InvocationType: 'RequestResponse',
        Payload: payload,
      }),
    ),
  );
  return lambdaValidatorCheck(
    validator,
    { payload: out.Payload, functionError: out.FunctionError },
    { startedAt, endedAt: nowOf(run.clients) },
  );
}

function need<T>(client: T | undefined, what: string): T {
  if (client === undefined) throw new ConfigError('AwsClientMissing', `no ${what} client configured for this runner`);
  return client;
}
