/**
 * The s3-archive restore test on moto's S3: S3ArchiveSource streams a real tar.gz and its manifest from the
 * provider's bucket, S3Sandbox writes every file through multipart uploads under the test's prefix, reads them
 * back and removes them (DeleteObjects, then a listing to prove the prefix empty). And SfnVerifyStarter's
 * deterministic execution names against moto's Step Functions.
 */
import { readFileSync } from 'node:fs';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { S3ArchiveSource } from '#adapters/aws/s3-archive-source.ts';
import { S3Sandbox } from '#adapters/aws/s3-sandbox.ts';
import { SfnVerifyStarter } from '#adapters/aws/sfn-verify-starter.ts';
import { NotFoundError } from '#core/errors.ts';
import { restoreAndVerifyArchive } from '#core/restore/s3-archive.ts';
import { archive, type Fixture, makeTree, steppingClock } from '../unit/restore/archive-fixtures.ts';
import { MOTO_ACCOUNT_ID, MOTO_REGION, uniqueName } from './support.ts';

const s3 = new S3Client({});
let bucket: string;
let fx: Fixture | undefined;

beforeAll(async () => {
  bucket = uniqueName('backups');
  await s3.send(
    new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: MOTO_REGION } }),
  );
});
afterEach(() => fx?.cleanup());

const ref = { tenantId: 'acme', resourceId: 'nas-projects', recoveryPointId: '2026-05-01T0300' };
const location = () => ({ bucket, key: 'archives/{tenantId}/{resourceId}/{recoveryPointId}.tar.gz' });

describe('the s3-archive restore test on moto', () => {
  it('restores a tar.gz from the bucket into an S3 sandbox, matches every file, and leaves the prefix empty', async () => {
    fx = makeTree();
    const path = archive(fx, 'tar.gz');
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `archives/acme/nas-projects/${ref.recoveryPointId}.tar.gz`,
        Body: readFileSync(path),
      }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `archives/acme/nas-projects/${ref.recoveryPointId}.tar.gz.sha256`,
        Body: fx.manifestText,
      }),
    );
    const prefix = `sandbox/acme/${uniqueName('rt')}/`;
    const sandbox = new S3Sandbox({ bucket, prefix });

    const result = await restoreAndVerifyArchive({
      ...new S3ArchiveSource().openers(location(), ref),
      sandbox,
      sample: 'all',
      seed: 'seed-1',
      clock: steppingClock(),
    });

    expect(result.error).toBeUndefined();
    expect(result.checks.map((c) => [c.name, c.status])).toEqual([
      ['checksums', 'PASSED'],
      ['file-list', 'PASSED'],
    ]);
    expect(result.checks[0]?.counts).toMatchObject({ expected: 26, compared: 26, matched: 26 });
    expect(result.cleanup).toMatchObject({
      result: 'CLEANED',
      removed: 26,
      remaining: 0,
      target: `s3://${bucket}/${prefix}`,
    });
    const left = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    expect(left.KeyCount).toBe(0);
  });

  it('reports a recovery point whose archive is not in the bucket as not found', async () => {
    const { openArchive } = new S3ArchiveSource().openers(location(), { ...ref, recoveryPointId: 'never-written' });

    await expect(openArchive()).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('SfnVerifyStarter on moto', () => {
  it('starts one execution per deterministic name: the same sweep slot delivered twice starts nothing new', async () => {
    const sfn = new SFNClient({});
    const machine = await sfn.send(
      new CreateStateMachineCommand({
        name: uniqueName('verify-backups'),
        roleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/verify`,
        definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
      }),
    );
    const starter = new SfnVerifyStarter({ stateMachineArn: machine.stateMachineArn ?? '', client: sfn });
    const name = 'verify-acme-20260501T0305Z-sweep';

    const first = await starter.start({ tenantId: 'acme', reason: 'sweep' }, name);
    const again = await starter.start({ tenantId: 'acme', reason: 'sweep' }, name);
    const otherInput = await starter.start({ tenantId: 'acme', reason: 'cli' }, name);

    expect([first, again, otherInput]).toEqual([{ started: true }, { started: true }, { started: false }]);
    const executions = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machine.stateMachineArn }));
    expect(executions.executions?.map((e) => e.name)).toEqual([name]);
  });
});
