import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  BackupClient,
  DescribeRestoreJobCommand,
  GetRecoveryPointRestoreMetadataCommand,
  PutRestoreValidationResultCommand,
  StartRestoreJobCommand,
} from '@aws-sdk/client-backup';
import {
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AwsBackupRestoreClients,
  cleanupAwsBackupRestore,
  describeAwsBackupRestore,
  type Ec2VolumePort,
  mapAwsError,
  putValidationResult,
  type RdsSandboxPort,
  startAwsBackupRestore,
} from '#adapters/aws/aws-backup-restore.ts';
import { type ValidateAwsBackupInput, validateAwsBackupRestore } from '#adapters/aws/aws-backup-validators.ts';
import { ConfigError, NotFoundError, ReversaError, TransientError } from '#core/errors.ts';
import { dynamoItemSha256, SANDBOX_TAG, sandboxMarker, sandboxName } from '#core/restore/aws-backup.ts';
import { restoreTestId, testSeed } from '#core/restore/ids.ts';

const backup = mockClient(BackupClient);
const ddb = mockClient(DynamoDBClient);
const s3 = mockClient(S3Client);
const lambda = mockClient(LambdaClient);
afterEach(() => {
  backup.reset();
  ddb.reset();
  s3.reset();
  lambda.reset();
});

const NOW = Date.parse('2026-03-02T03:00:00Z');
const identity = {
  tenantId: 'acme',
  resourceId: 'arn:aws:dynamodb:eu-west-3:111122223333:table/orders',
  scheduledAt: NOW,
};
const TEST_ID = restoreTestId(identity);
const SEED = testSeed(identity);
const SANDBOX = sandboxName(TEST_ID);
const TABLE_ARN = `arn:aws:dynamodb:eu-west-3:111122223333:table/${SANDBOX}`;
const BUCKET_ARN = `arn:aws:s3:::${SANDBOX}`;
const RP = 'arn:aws:backup:eu-west-3:111122223333:recovery-point:f1d966fe-a3bd-410b-b292-99f442d13b56';
const ROLE = 'arn:aws:iam::111122223333:role/reversa-restore';
const VOLUME_ARN = 'arn:aws:ec2:eu-west-3:111122223333:volume/vol-0123456789abcdef0';

function clients(extra: Partial<AwsBackupRestoreClients> = {}): AwsBackupRestoreClients {
  let t = NOW;
  return {
    backup: new BackupClient({ region: 'eu-west-3' }),
    dynamodb: new DynamoDBClient({ region: 'eu-west-3' }),
    s3: new S3Client({ region: 'eu-west-3' }),
    lambda: new LambdaClient({ region: 'eu-west-3' }),
    now: () => (t += 1000),
    delay: async () => {},
    ...extra,
  };
}

function sdkError(name: string, status: number, message = 'payload: arn:aws:kms:eu-west-3:1:key/secret-ish'): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('startAwsBackupRestore', () => {
  const input = {
    tenantId: 'acme',
    testId: TEST_ID,
    recoveryPointArn: RP,
    backupVaultName: 'acme-daily',
    resourceType: 'DynamoDB',
    overrides: { kmsKeyId: 'arn:aws:kms:eu-west-3:111122223333:key/sandbox', sandboxNamePrefix: 'orders' },
    iamRoleArn: ROLE,
  };

  it('merges the recovery point metadata with the overrides and starts one job keyed by the test id', async () => {
    backup
      .on(GetRecoveryPointRestoreMetadataCommand)
      .resolves({ RestoreMetadata: { targetTableName: 'orders', encryptionType: 'Default' } })
      .on(StartRestoreJobCommand)
      .resolves({ RestoreJobId: 'job-1' });

    const started = await startAwsBackupRestore(clients(), input);

    expect(backup.commandCalls(GetRecoveryPointRestoreMetadataCommand)[0]?.args[0].input).toEqual({
      BackupVaultName: 'acme-daily',
      RecoveryPointArn: RP,
    });
    const name = `orders-${sandboxMarker(TEST_ID)}`;
    expect(backup.commandCalls(StartRestoreJobCommand)[0]?.args[0].input).toEqual({
      RecoveryPointArn: RP,
      IamRoleArn: ROLE,
      IdempotencyToken: TEST_ID,
      ResourceType: 'DynamoDB',
      Metadata: {
        targetTableName: name,
        encryptionType: 'KMS',
        kmsMasterKeyArn: 'arn:aws:kms:eu-west-3:111122223333:key/sandbox',
      },
    });
    expect(started).toEqual({
      restoreJobId: 'job-1',
      startedAt: NOW + 1000,
      sandboxName: name,
      metadataKeys: ['encryptionType', 'kmsMasterKeyArn', 'targetTableName'],
    });
  });

  it('sends the same idempotency token when a start is retried', async () => {
    backup
      .on(GetRecoveryPointRestoreMetadataCommand)
      .resolves({})
      .on(StartRestoreJobCommand)
      .resolves({ RestoreJobId: 'job-1' });
    await startAwsBackupRestore(clients(), input);
    await startAwsBackupRestore(clients(), input);
    const tokens = backup.commandCalls(StartRestoreJobCommand).map((c) => c.args[0].input.IdempotencyToken);
    expect(tokens).toEqual([TEST_ID, TEST_ID]);
  });

  it('refuses a resource type without a sandbox rule before calling StartRestoreJob', async () => {
    backup.on(GetRecoveryPointRestoreMetadataCommand).resolves({});
    await expect(startAwsBackupRestore(clients(), { ...input, resourceType: 'EFS' })).rejects.toThrow(
      /no sandboxed restore is defined for EFS/,
    );
    expect(backup.commandCalls(StartRestoreJobCommand)).toHaveLength(0);
  });

  it.each([
    ['ThrottlingException', 400, TransientError],
    ['ServiceUnavailableException', 503, TransientError],
    ['AccessDeniedException', 403, ConfigError],
    ['ResourceNotFoundException', 404, NotFoundError],
  ])('maps %s to %s without quoting the request', async (name, status, type) => {
    backup.on(GetRecoveryPointRestoreMetadataCommand).rejects(sdkError(name, status));
    const error = await startAwsBackupRestore(clients(), input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toContain(name);
    expect((error as Error).message).not.toContain('secret-ish');
    expect((error as Error).message).not.toContain(RP);
  });
});

describe('describeAwsBackupRestore', () => {
  it('reports a running job with its progress', async () => {
    backup.on(DescribeRestoreJobCommand).resolves({ Status: 'RUNNING', PercentDone: '40.0%' });
    expect(await describeAwsBackupRestore(clients(), { restoreJobId: 'job-1' })).toEqual({
      status: 'RUNNING',
      percentDone: 40,
    });
  });

  it('reports a completed job with the created resource and completion time', async () => {
    backup.on(DescribeRestoreJobCommand, { RestoreJobId: 'job-1' }).resolves({
      Status: 'COMPLETED',
      CreatedResourceArn: TABLE_ARN,
      CompletionDate: new Date(NOW + 60_000),
      PercentDone: '100%',
    });
    expect(await describeAwsBackupRestore(clients(), { restoreJobId: 'job-1' })).toEqual({
      status: 'COMPLETED',
      createdResourceArn: TABLE_ARN,
      completionDate: NOW + 60_000,
      percentDone: 100,
    });
  });

  it('passes a failed job status message on, capped', async () => {
    backup
      .on(DescribeRestoreJobCommand)
      .resolves({ Status: 'FAILED', StatusMessage: `KMS key disabled ${'x'.repeat(900)}` });
    const state = await describeAwsBackupRestore(clients(), { restoreJobId: 'job-1' });
    expect(state.status).toBe('FAILED');
    expect(state.statusMessage?.startsWith('KMS key disabled')).toBe(true);
    expect(state.statusMessage?.length).toBe(500);
  });

  it('tags a completed EBS volume with the sandbox marker so cleanup may delete it', async () => {
    backup
      .on(DescribeRestoreJobCommand)
      .resolves({ Status: 'COMPLETED', ResourceType: 'EBS', CreatedResourceArn: VOLUME_ARN });
    const ec2 = fakeEc2({ state: 'available', tags: {} });
    await describeAwsBackupRestore(clients({ ec2 }), { restoreJobId: 'job-1', testId: TEST_ID });
    expect(ec2.volume?.tags).toEqual({ [SANDBOX_TAG]: sandboxMarker(TEST_ID) });
  });

  it('maps a throttled poll to a TransientError the workflow retries', async () => {
    backup.on(DescribeRestoreJobCommand).rejects(sdkError('ThrottlingException', 400));
    await expect(describeAwsBackupRestore(clients(), { restoreJobId: 'job-1' })).rejects.toBeInstanceOf(TransientError);
  });
});

describe('validateAwsBackupRestore on DynamoDB', () => {
  const keys = [1, 2, 3, 4].map((n) => JSON.stringify({ pk: { S: `order#${n}` } }));
  const item = (n: number) => ({ pk: { S: `order#${n}` }, total: { N: String(n * 10) } });
  const base: ValidateAwsBackupInput = {
    testId: TEST_ID,
    resourceType: 'DynamoDB',
    createdResourceArn: TABLE_ARN,
    expected: {
      itemCount: 1000,
      sampleKeys: keys,
      sampleChecksums: Object.fromEntries(keys.map((k, i) => [k, dynamoItemSha256(item(i + 1))])),
    },
    tolerancePercent: 1,
    sample: 'all',
    seed: SEED,
  };
  const activeTable = () => ddb.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'ACTIVE' } });
  const getItems = () => {
    for (let n = 1; n <= 4; n++)
      ddb.on(GetItemCommand, { Key: { pk: { S: `order#${n}` } } }).resolves({ Item: item(n) });
  };

  it('passes: table ACTIVE, paginated count within tolerance, sampled items read back and hashed', async () => {
    activeTable();
    ddb
      .on(ScanCommand)
      .resolvesOnce({ Count: 600, LastEvaluatedKey: { pk: { S: 'order#600' } } })
      .resolvesOnce({ Count: 395 });
    getItems();

    const checks = await validateAwsBackupRestore(clients(), base);

    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ['table-present', 'PASSED'],
      ['item-count', 'PASSED'],
      ['sample-reads', 'PASSED'],
    ]);
    expect(checks[1]?.counts).toEqual({ expected: 1000, compared: 995 });
    const scans = ddb.commandCalls(ScanCommand).map((c) => c.args[0].input);
    expect(scans[0]).toEqual({ TableName: SANDBOX, Select: 'COUNT' });
    expect(scans[1]?.ExclusiveStartKey).toEqual({ pk: { S: 'order#600' } });
    expect(ddb.commandCalls(GetItemCommand)[0]?.args[0].input).toMatchObject({
      TableName: SANDBOX,
      ConsistentRead: true,
    });
    expect(checks[2]?.counts).toEqual({ expected: 4, compared: 4, matched: 4 });
  });

  it('fails an item count outside tolerance, naming both counts', async () => {
    activeTable();
    ddb.on(ScanCommand).resolves({ Count: 900 });
    getItems();
    const checks = await validateAwsBackupRestore(clients(), base);
    const count = checks.find((c) => c.name === 'item-count');
    expect(count?.status).toBe('FAILED');
    expect(count?.message).toBe('900 items restored, 1000 at backup time (tolerance 1%): outside tolerance');
  });

  it('fails sample reads naming the missing item and the item whose content changed', async () => {
    activeTable();
    ddb.on(ScanCommand).resolves({ Count: 1000 });
    getItems();
    ddb.on(GetItemCommand, { Key: { pk: { S: 'order#2' } } }).resolves({});
    ddb.on(GetItemCommand, { Key: { pk: { S: 'order#3' } } }).resolves({ Item: { ...item(3), total: { N: '31' } } });
    const reads = (await validateAwsBackupRestore(clients(), base)).find((c) => c.name === 'sample-reads');
    expect(reads?.status).toBe('FAILED');
    expect(reads?.missing?.names).toEqual([keys[1]]);
    expect(reads?.changed?.names).toEqual([keys[2]]);
    expect(reads?.counts.matched).toBe(2);
  });

  it('reads only the seeded sample of keys, the same one on every run', async () => {
    activeTable();
    ddb.on(ScanCommand).resolves({ Count: 1000 });
    getItems();
    const input = { ...base, sample: { count: 2 } };
    await validateAwsBackupRestore(clients(), input);
    const first = ddb.commandCalls(GetItemCommand).map((c) => JSON.stringify(c.args[0].input.Key));
    ddb.resetHistory();
    await validateAwsBackupRestore(clients(), input);
    expect(ddb.commandCalls(GetItemCommand).map((c) => JSON.stringify(c.args[0].input.Key))).toEqual(first);
    expect(first).toHaveLength(2);
  });

  it('fails only table-present when the restored table is missing or not ACTIVE', async () => {
    ddb.on(DescribeTableCommand).rejects(sdkError('ResourceNotFoundException', 400));
    expect(await validateAwsBackupRestore(clients(), base)).toMatchObject([
      { name: 'table-present', status: 'FAILED', message: `table ${SANDBOX} is not found, expected ACTIVE` },
    ]);
    ddb.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'CREATING' } });
    expect(await validateAwsBackupRestore(clients(), base)).toMatchObject([{ status: 'FAILED' }]);
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(0);
  });

  it('reports ERROR when the count stopped at its page bound', async () => {
    activeTable();
    ddb.on(ScanCommand).resolves({ Count: 10, LastEvaluatedKey: { pk: { S: 'x' } } });
    getItems();
    const checks = await validateAwsBackupRestore(clients(), base, { maxPages: 3 });
    expect(checks.find((c) => c.name === 'item-count')).toMatchObject({ status: 'ERROR', counts: { compared: 30 } });
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(3);
  });

  it('throws a TransientError on a throttled scan so the workflow retries the validation', async () => {
    activeTable();
    ddb.on(ScanCommand).rejects(sdkError('ProvisionedThroughputExceededException', 400));
    await expect(validateAwsBackupRestore(clients(), base)).rejects.toBeInstanceOf(TransientError);
  });

  it('reports a declared validator without its expectation, and one that does not apply, as ERROR', async () => {
    activeTable();
    const checks = await validateAwsBackupRestore(clients(), {
      ...base,
      expected: {},
      validators: ['table-present', 'item-count', 'restic-check'],
    });
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ['restic-check', 'ERROR'],
      ['table-present', 'PASSED'],
      ['item-count', 'ERROR'],
    ]);
  });
});

describe('validateAwsBackupRestore on S3', () => {
  const content = { 'a.txt': 'alpha', 'b/c.txt': 'charlie', 'd.bin': 'delta' };
  const base: ValidateAwsBackupInput = {
    testId: TEST_ID,
    resourceType: 'S3',
    createdResourceArn: BUCKET_ARN,
    expected: {
      objectCount: 3,
      sampleChecksums: Object.fromEntries(Object.entries(content).map(([k, v]) => [k, sha(v)])),
    },
    tolerancePercent: 0,
    sample: 'all',
    seed: SEED,
  };
  const serve = (overrides: Record<string, string> = {}) => {
    for (const [key, value] of Object.entries({ ...content, ...overrides })) {
      s3.on(HeadObjectCommand, { Key: key }).resolves({ ContentLength: value.length });
      s3.on(GetObjectCommand, { Key: key }).resolves({ Body: Readable.from([Buffer.from(value)]) as never });
    }
  };

  it('passes: paginated object count and sampled objects streamed and hashed', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ KeyCount: 2, IsTruncated: true, NextContinuationToken: 't2' })
      .resolvesOnce({ KeyCount: 1, IsTruncated: false });
    serve();
    const checks = await validateAwsBackupRestore(clients(), base);
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ['object-count', 'PASSED'],
      ['checksums', 'PASSED'],
    ]);
    expect(s3.commandCalls(ListObjectsV2Command)[1]?.args[0].input).toEqual({
      Bucket: SANDBOX,
      ContinuationToken: 't2',
    });
    expect(s3.commandCalls(HeadObjectCommand)[0]?.args[0].input).toMatchObject({
      Bucket: SANDBOX,
      ChecksumMode: 'ENABLED',
    });
    expect(checks[1]?.counts).toEqual({ expected: 3, compared: 3, matched: 3, bytes: 17 });
  });

  it('fails naming the key of an object whose content differs', async () => {
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 3 });
    serve({ 'b/c.txt': 'CHARLIE' });
    const checks = await validateAwsBackupRestore(clients(), base);
    const sums = checks.find((c) => c.name === 'checksums');
    expect(sums?.status).toBe('FAILED');
    expect(sums?.changed?.names).toEqual(['b/c.txt']);
    expect(sums?.message).toContain('changed: b/c.txt');
  });

  it('trusts a full-object ChecksumSHA256 from HeadObject instead of downloading', async () => {
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 3 });
    serve();
    const stored = (v: string) => createHash('sha256').update(v).digest('base64');
    s3.on(HeadObjectCommand, { Key: 'a.txt' }).resolves({
      ChecksumSHA256: stored('alpha'),
      ChecksumType: 'FULL_OBJECT',
    });
    s3.on(HeadObjectCommand, { Key: 'd.bin' }).resolves({
      ChecksumSHA256: stored('not delta'),
      ChecksumType: 'FULL_OBJECT',
    });
    const sums = (await validateAwsBackupRestore(clients(), base)).find((c) => c.name === 'checksums');
    expect(sums?.changed?.names).toEqual(['d.bin']);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['b/c.txt']);
  });

  it('fails naming a sampled object that was not restored, and an object count outside tolerance', async () => {
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 2 });
    serve();
    s3.on(HeadObjectCommand, { Key: 'a.txt' }).rejects(sdkError('NotFound', 404));
    const checks = await validateAwsBackupRestore(clients(), base);
    expect(checks[0]).toMatchObject({ name: 'object-count', status: 'FAILED', counts: { expected: 3, compared: 2 } });
    expect(checks[1]).toMatchObject({ name: 'checksums', status: 'FAILED', missing: { names: ['a.txt'] } });
  });

  it('fails the object count when the sandbox bucket does not exist', async () => {
    s3.on(ListObjectsV2Command).rejects(sdkError('NoSuchBucket', 404));
    const checks = await validateAwsBackupRestore(clients(), { ...base, expected: { objectCount: 3 } });
    expect(checks).toMatchObject([{ name: 'object-count', status: 'FAILED' }]);
  });
});

describe('validator Lambdas', () => {
  const validator = 'lambda:arn:aws:lambda:eu-west-3:111122223333:function:check-volume';
  const input: ValidateAwsBackupInput = {
    testId: TEST_ID,
    resourceType: 'EBS',
    createdResourceArn: VOLUME_ARN,
    expected: {},
    tolerancePercent: 0,
    sample: 'all',
    seed: SEED,
    validators: [validator],
  };
  const answer = (v: unknown) => ({ Payload: new TextEncoder().encode(JSON.stringify(v)) as never });

  it('invokes the declared Lambda with the restored resource and records its verdict', async () => {
    lambda
      .on(InvokeCommand)
      .resolves(answer({ passed: false, message: 'fsck found 2 errors', counts: { compared: 1 } }));
    const checks = await validateAwsBackupRestore(clients(), input);
    const call = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(call?.FunctionName).toBe('arn:aws:lambda:eu-west-3:111122223333:function:check-volume');
    expect(call?.InvocationType).toBe('RequestResponse');
    expect(JSON.parse(Buffer.from(call?.Payload as Uint8Array).toString())).toEqual({
      createdResourceArn: VOLUME_ARN,
      resourceType: 'EBS',
      testId: TEST_ID,
    });
    expect(checks).toMatchObject([{ name: validator, status: 'FAILED', message: 'fsck found 2 errors' }]);
  });

  it('records an ERROR, never a pass, for an answer that does not fit the contract', async () => {
    lambda.on(InvokeCommand).resolves(answer({ ok: true }));
    expect(await validateAwsBackupRestore(clients(), input)).toMatchObject([{ status: 'ERROR' }]);
  });

  it('records an ERROR when no validator is declared for a type without built-in checks', async () => {
    const efs = { ...input, resourceType: 'EFS', validators: undefined as never };
    expect(await validateAwsBackupRestore(clients(), efs)).toMatchObject([{ name: 'validators', status: 'ERROR' }]);
  });
});

describe('putValidationResult', () => {
  it('sends the verdict for the restore job', async () => {
    backup.on(PutRestoreValidationResultCommand).resolves({});
    expect(await putValidationResult(clients(), 'job-1', 'FAILED', 'item-count FAILED')).toEqual({ recorded: true });
    expect(backup.commandCalls(PutRestoreValidationResultCommand)[0]?.args[0].input).toEqual({
      RestoreJobId: 'job-1',
      ValidationStatus: 'FAILED',
      ValidationStatusMessage: 'item-count FAILED',
    });
  });

  it('reports a refusal by AWS Backup instead of failing the test, and retries throttling', async () => {
    backup.on(PutRestoreValidationResultCommand).rejects(sdkError('InvalidRequestException', 400));
    expect(await putValidationResult(clients(), 'job-1', 'SUCCESSFUL', 'ok')).toMatchObject({ recorded: false });
    backup.on(PutRestoreValidationResultCommand).rejects(sdkError('ThrottlingException', 400));
    await expect(putValidationResult(clients(), 'job-1', 'SUCCESSFUL', 'ok')).rejects.toBeInstanceOf(TransientError);
  });
});

describe('cleanupAwsBackupRestore', () => {
  const cleanup = (resourceType: string, createdResourceArn: string, c = clients()) =>
    cleanupAwsBackupRestore(c, { resourceType, createdResourceArn, testId: TEST_ID }, { verifyAttempts: 3 });

  it('deletes the sandbox table and proves it gone with DescribeTable', async () => {
    ddb
      .on(DeleteTableCommand)
      .resolves({})
      .on(DescribeTableCommand)
      .resolvesOnce({ Table: { TableStatus: 'DELETING' } })
      .rejects(sdkError('ResourceNotFoundException', 400));
    const proof = await cleanup('DynamoDB', TABLE_ARN);
    expect(ddb.commandCalls(DeleteTableCommand)[0]?.args[0].input).toEqual({ TableName: SANDBOX });
    expect(proof).toMatchObject({ target: TABLE_ARN, result: 'CLEANED', removed: 1, remaining: 0 });
    expect(proof.endedAt).toBeGreaterThan(proof.startedAt);
  });

  it('refuses to delete a table that does not carry the sandbox marker, and calls nothing', async () => {
    const proof = await cleanup('DynamoDB', 'arn:aws:dynamodb:eu-west-3:111122223333:table/orders');
    expect(proof).toMatchObject({ result: 'FAILED', removed: 0 });
    expect(proof.message).toMatch(/^refused to delete: orders does not carry the sandbox marker/);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('refuses the sandbox of another test', async () => {
    const other = sandboxName(restoreTestId({ ...identity, scheduledAt: NOW + 1 }));
    const proof = await cleanup('S3', `arn:aws:s3:::${other}`);
    expect(proof.result).toBe('FAILED');
    expect(s3.calls()).toHaveLength(0);
  });

  it('says NOTHING_TO_CLEAN when the table is already gone (a retried cleanup)', async () => {
    ddb.on(DeleteTableCommand).rejects(sdkError('ResourceNotFoundException', 400));
    expect(await cleanup('DynamoDB', TABLE_ARN)).toMatchObject({ result: 'NOTHING_TO_CLEAN', removed: 0 });
  });

  it('never throws: a denied deletion is a FAILED proof that does not quote the request', async () => {
    ddb.on(DeleteTableCommand).rejects(sdkError('AccessDeniedException', 400));
    const proof = await cleanup('DynamoDB', TABLE_ARN);
    expect(proof.result).toBe('FAILED');
    expect(proof.message).toContain('AccessDeniedException');
    expect(proof.message).not.toContain('secret-ish');
  });

  it('fails the proof when the table is still there after every check', async () => {
    ddb
      .on(DeleteTableCommand)
      .resolves({})
      .on(DescribeTableCommand)
      .resolves({ Table: { TableStatus: 'ACTIVE' } });
    expect(await cleanup('DynamoDB', TABLE_ARN)).toMatchObject({ result: 'FAILED', remaining: 1 });
    expect(ddb.commandCalls(DescribeTableCommand)).toHaveLength(3);
  });

  it('empties the bucket by versions in batches of 1000, deletes it and proves it gone', async () => {
    const versions = Array.from({ length: 1000 }, (_, i) => ({ Key: `k${i}`, VersionId: `v${i}` }));
    s3.on(ListObjectVersionsCommand)
      .resolvesOnce({ Versions: versions, IsTruncated: true })
      .resolvesOnce({ DeleteMarkers: [{ Key: 'k1', VersionId: 'm1' }], Versions: [{ Key: 'k2', VersionId: 'v2b' }] })
      .resolves({});
    s3.on(DeleteObjectsCommand).resolves({}).on(DeleteBucketCommand).resolves({});
    s3.on(HeadBucketCommand).rejects(sdkError('NotFound', 404));

    const proof = await cleanup('S3', BUCKET_ARN);

    const batches = s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input);
    expect(batches.map((b) => b.Delete?.Objects?.length)).toEqual([1000, 2]);
    expect(batches[0]).toMatchObject({ Bucket: SANDBOX, Delete: { Quiet: true } });
    expect(batches[1]?.Delete?.Objects).toEqual([
      { Key: 'k2', VersionId: 'v2b' },
      { Key: 'k1', VersionId: 'm1' },
    ]);
    expect(s3.commandCalls(DeleteBucketCommand)[0]?.args[0].input).toEqual({ Bucket: SANDBOX });
    expect(proof).toMatchObject({ result: 'CLEANED', removed: 1002, remaining: 0 });
  });

  it('fails the proof, keeping the bucket, when some versions could not be deleted', async () => {
    s3.on(ListObjectVersionsCommand).resolves({
      Versions: [
        { Key: 'a', VersionId: '1' },
        { Key: 'b', VersionId: '2' },
      ],
    });
    s3.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'b', VersionId: '2', Code: 'AccessDenied' }] });
    const proof = await cleanup('S3', BUCKET_ARN);
    expect(proof).toMatchObject({ result: 'FAILED', removed: 1, remaining: 1 });
    expect(proof.message).toContain('AccessDenied');
    expect(s3.commandCalls(DeleteBucketCommand)).toHaveLength(0);
  });

  it('deletes an RDS sandbox instance without a final snapshot', async () => {
    const calls: unknown[] = [];
    const rds: RdsSandboxPort = {
      deleteDbInstance: async (i) => void calls.push(i),
      dbInstanceStatus: async () => 'deleting',
      describeDbInstance: async () => ({ status: 'deleting' }),
    };
    const proof = await cleanup('RDS', `arn:aws:rds:eu-west-3:111122223333:db:${SANDBOX}`, clients({ rds }));
    expect(calls).toEqual([{ DBInstanceIdentifier: SANDBOX, SkipFinalSnapshot: true, DeleteAutomatedBackups: true }]);
    expect(proof).toMatchObject({ result: 'CLEANED', removed: 1 });
    const refused = await cleanup('RDS', 'arn:aws:rds:eu-west-3:111122223333:db:prod-db', clients({ rds }));
    expect(refused.result).toBe('FAILED');
    expect(calls).toHaveLength(1);
  });

  it('deletes an EBS volume only when it carries this test marker tag', async () => {
    const untagged = fakeEc2({ state: 'available', tags: { Name: 'prod-data' } });
    expect(await cleanup('EBS', VOLUME_ARN, clients({ ec2: untagged }))).toMatchObject({ result: 'FAILED' });
    expect(untagged.deleted).toBe(false);

    const tagged = fakeEc2({ state: 'available', tags: { [SANDBOX_TAG]: sandboxMarker(TEST_ID) } });
    expect(await cleanup('EBS', VOLUME_ARN, clients({ ec2: tagged }))).toMatchObject({ result: 'CLEANED', removed: 1 });
    expect(tagged.deleted).toBe(true);
  });

  it('fails the proof for a resource type it cannot clean', async () => {
    const proof = await cleanup('EFS', 'arn:aws:elasticfilesystem:eu-west-3:111122223333:file-system/fs-1');
    expect(proof).toMatchObject({ result: 'FAILED', removed: 0 });
  });
});

describe('mapAwsError', () => {
  it('keeps our own errors and reduces unknown ones to their name', () => {
    const own = new ConfigError('X', 'y');
    expect(mapAwsError(own, 'S3', 'Get')).toBe(own);
    const other = mapAwsError(sdkError('ValidationException', 400), 'Backup', 'StartRestoreJob');
    expect(other).toBeInstanceOf(ReversaError);
    expect(other.message).toBe('Backup StartRestoreJob failed (ValidationException)');
  });
});

function fakeEc2(initial: { state: string; tags: Record<string, string> }) {
  const port: Ec2VolumePort & { volume: typeof initial | undefined; deleted: boolean } = {
    volume: { ...initial, tags: { ...initial.tags } },
    deleted: false,
    describeVolume: async () => (port.volume === undefined ? undefined : { ...port.volume }),
    tagVolume: async (_id, tags) => {
      if (port.volume) port.volume.tags = { ...port.volume.tags, ...tags };
    },
    deleteVolume: async () => {
      port.deleted = true;
      port.volume = undefined;
    },
  };
  return port;
}
