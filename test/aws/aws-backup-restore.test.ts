/**
 * The aws-backup restore-test runner's reads and clean-up against moto, on a DynamoDB table and an S3 bucket
 * standing for what AWS Backup restored (moto has no StartRestoreJob, DescribeRestoreJob or
 * PutRestoreValidationResult: those stay proved with aws-sdk-client-mock in test/unit/restore/). The
 * validators read the data back (DescribeTable, Scan COUNT, GetItem, ListObjectsV2, HeadObject with checksums,
 * GetObject) and the clean-up empties every version of the bucket and deletes it, as they would in AWS.
 */
import { createHash, randomBytes } from 'node:crypto';
import { BackupClient } from '@aws-sdk/client-backup';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  HeadBucketCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { type AwsBackupRestoreClients, cleanupAwsBackupRestore } from '#adapters/aws/aws-backup-restore.ts';
import { validateAwsBackupRestore } from '#adapters/aws/aws-backup-validators.ts';
import { dynamoItemSha256, sandboxName } from '#core/restore/aws-backup.ts';
import { restoreTestId, testSeed } from '#core/restore/ids.ts';
import { MOTO_ACCOUNT_ID, MOTO_REGION, recordCommands, uniqueName } from './support.ts';

function clients(): AwsBackupRestoreClients {
  let t = Date.parse('2026-05-01T03:00:00Z');
  return {
    backup: new BackupClient({}),
    dynamodb: new DynamoDBClient({}),
    s3: new S3Client({}),
    now: () => (t += 1_000),
    // Clean-up polls "is it gone yet?" every 5 s in AWS; moto deletes at once, so no wait is needed.
    delay: async () => {},
  };
}

/** A fresh test identity per case: its id names the sandbox the restore created. */
function testOf(label: string) {
  const identity = { tenantId: 'acme', resourceId: uniqueName(label), scheduledAt: Date.parse('2026-05-01T03:00:00Z') };
  const testId = restoreTestId(identity);
  return { testId, seed: testSeed(identity), sandbox: sandboxName(testId) };
}

describe('aws-backup restore validation and clean-up of a DynamoDB table on moto', () => {
  it('counts the restored items over several Scan pages, reads the sample back, then deletes the table', async () => {
    const { testId, seed, sandbox } = testOf('orders');
    const ddb = new DynamoDBClient({});
    await ddb.send(
      new CreateTableCommand({
        TableName: sandbox,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    // ~1.6 MB of items: Scan COUNT still pages at 1 MB of data read.
    const items: Record<string, AttributeValue>[] = Array.from({ length: 80 }, (_, i) => ({
      pk: { S: `order#${i}` },
      total: { N: String(i * 10) },
      note: { S: 'n'.repeat(20_000) },
    }));
    for (let i = 0; i < items.length; i += 25) {
      await ddb.send(
        new BatchWriteItemCommand({
          RequestItems: { [sandbox]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
    }
    const sampleKeys = [0, 1, 2].map((i) => JSON.stringify({ pk: { S: `order#${i}` } }));
    const arn = `arn:aws:dynamodb:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:table/${sandbox}`;

    const reading = clients();
    const sent = recordCommands(reading.dynamodb as DynamoDBClient);
    const checks = await validateAwsBackupRestore(reading, {
      testId,
      resourceType: 'DynamoDB',
      createdResourceArn: arn,
      expected: {
        itemCount: 80,
        sampleKeys,
        sampleChecksums: {
          [sampleKeys[0] as string]: dynamoItemSha256(items[0] as never),
          [sampleKeys[1] as string]: 'f'.repeat(64),
        },
      },
      tolerancePercent: 0,
      sample: 'all',
      seed,
    });
    const proof = await cleanupAwsBackupRestore(clients(), {
      resourceType: 'DynamoDB',
      createdResourceArn: arn,
      testId,
    });

    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ['table-present', 'PASSED'],
      ['item-count', 'PASSED'],
      ['sample-reads', 'FAILED'],
    ]);
    expect(checks[2]).toMatchObject({ counts: { matched: 2 }, changed: { names: [sampleKeys[1]] } });
    const scans = sent.filter((c) => c.command === 'ScanCommand');
    expect(scans.filter((c) => c.input.ExclusiveStartKey !== undefined).length).toBeGreaterThanOrEqual(1);
    expect(proof).toMatchObject({ result: 'CLEANED', removed: 1, remaining: 0 });
    await expect(ddb.send(new DescribeTableCommand({ TableName: sandbox }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

describe('aws-backup restore validation and clean-up of an S3 bucket on moto', () => {
  it('checks the restored objects against their backup-time SHA-256, then deletes every version and the bucket', async () => {
    const { testId, seed, sandbox } = testOf('reports');
    const s3 = new S3Client({});
    await s3.send(
      new CreateBucketCommand({ Bucket: sandbox, CreateBucketConfiguration: { LocationConstraint: MOTO_REGION } }),
    );
    await s3.send(new PutBucketVersioningCommand({ Bucket: sandbox, VersioningConfiguration: { Status: 'Enabled' } }));
    const bodies = Array.from({ length: 6 }, () => randomBytes(2_000));
    const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    // Half stored with a SHA-256 checksum (read from HeadObject), half without (read back and hashed).
    await Promise.all(
      bodies.map((Body, i) =>
        s3.send(
          new PutObjectCommand({
            Bucket: sandbox,
            Key: `reports/${i}.bin`,
            Body,
            ...(i % 2 === 0 ? { ChecksumAlgorithm: 'SHA256' as const } : {}),
          }),
        ),
      ),
    );
    // A later overwrite and a deletion leave older versions and a delete marker for the clean-up to remove.
    await s3.send(new PutObjectCommand({ Bucket: sandbox, Key: 'reports/0.bin', Body: bodies[0] ?? '' }));
    await s3.send(new PutObjectCommand({ Bucket: sandbox, Key: 'scratch.tmp', Body: 'x' }));
    await s3.send(new DeleteObjectCommand({ Bucket: sandbox, Key: 'scratch.tmp' }));
    const expectedSums = Object.fromEntries(bodies.map((b, i) => [`reports/${i}.bin`, sha(b)]));
    expectedSums['reports/5.bin'] = sha(Buffer.from('what was backed up'));
    expectedSums['reports/missing.bin'] = sha(Buffer.from('lost'));
    const arn = `arn:aws:s3:::${sandbox}`;

    const reading = clients();
    const sent = recordCommands(reading.s3 as S3Client);
    const checks = await validateAwsBackupRestore(reading, {
      testId,
      resourceType: 'S3',
      createdResourceArn: arn,
      expected: { objectCount: 6, sampleChecksums: expectedSums },
      tolerancePercent: 0,
      sample: 'all',
      seed,
    });
    const proof = await cleanupAwsBackupRestore(clients(), { resourceType: 'S3', createdResourceArn: arn, testId });

    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ['object-count', 'PASSED'],
      ['checksums', 'FAILED'],
    ]);
    expect(checks[1]).toMatchObject({
      counts: { matched: 5 },
      changed: { names: ['reports/5.bin'] },
      missing: { names: ['reports/missing.bin'] },
    });
    // Objects whose current version has a stored SHA-256 are judged on HeadObject alone; the others (odd ones,
    // and 0.bin, overwritten without one) are read back and hashed.
    const readBack = sent.filter((c) => c.command === 'GetObjectCommand').map((c) => c.input.Key);
    expect(readBack.sort()).toEqual(['reports/0.bin', 'reports/1.bin', 'reports/3.bin', 'reports/5.bin']);
    // 6 objects, one overwritten (1 older version), scratch.tmp and its delete marker.
    expect(proof).toMatchObject({ result: 'CLEANED', removed: 9, remaining: 0 });
    await expect(s3.send(new HeadBucketCommand({ Bucket: sandbox }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('refuses to delete a bucket that is not this test’s sandbox', async () => {
    const { testId } = testOf('someone-else');
    const bucket = uniqueName('production');
    const s3 = new S3Client({});
    await s3.send(
      new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: MOTO_REGION } }),
    );

    const proof = await cleanupAwsBackupRestore(clients(), {
      resourceType: 'S3',
      createdResourceArn: `arn:aws:s3:::${bucket}`,
      testId,
    });

    expect(proof).toMatchObject({ result: 'FAILED', removed: 0 });
    await expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).resolves.toBeDefined();
  });
});
