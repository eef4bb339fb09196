/**
 * The audit bucket as the stateful stack declares it (versioned, Object Lock in COMPLIANCE mode with the
 * stack's default retention), created in moto from the synthesized template, written through S3BlobStore as
 * the audit log writes its copies. What these tests show is what an auditor relies on: an overwrite keeps the
 * old version, and nobody, the bucket owner included, deletes a version before its retention ends.
 */
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { S3BlobStore } from '#adapters/aws/s3-blob-store.ts';
import { NotFoundError } from '#core/errors.ts';
import { bucketProperties, createBucketAsCloudFormation } from './stateful-template.ts';
import { uniqueName } from './support.ts';

const DAY = 86_400_000;
let bucket: string;
let retentionDays: number;
const s3 = new S3Client({});

beforeAll(async () => {
  bucket = uniqueName('audit');
  const properties = bucketProperties('audit/');
  retentionDays = (properties.ObjectLockConfiguration as { Rule: { DefaultRetention: { Days: number } } }).Rule
    .DefaultRetention.Days;
  await createBucketAsCloudFormation(s3, bucket, properties);
});

async function versionsOf(key: string) {
  const out = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  return { versions: out.Versions ?? [], deleteMarkers: out.DeleteMarkers ?? [] };
}

describe('the audit bucket on moto, created as the stateful stack declares it', () => {
  it('keeps the first copy of an entry as a locked version when the entry is written again', async () => {
    const blobs = new S3BlobStore({ bucket });
    const key = 'audit/acme/entries/000000000001.json';
    const before = Date.now();

    await blobs.putText(key, '{"seq":1,"v":"first"}', 'application/json');
    await blobs.putText(key, '{"seq":1,"v":"second"}', 'application/json');

    const { versions } = await versionsOf(key);
    expect(versions).toHaveLength(2);
    const oldest = versions.find((v) => v.IsLatest === false);
    const first = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: oldest?.VersionId }));
    expect(await first.Body?.transformToString()).toBe('{"seq":1,"v":"first"}');
    // HeadObject, not GetObjectRetention: moto answers the latter with the object's body when given a VersionId.
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: oldest?.VersionId }));
    expect(head.ObjectLockMode).toBe('COMPLIANCE');
    const until = head.ObjectLockRetainUntilDate?.getTime() ?? 0;
    expect(until).toBeGreaterThanOrEqual(before + (retentionDays - 1) * DAY);
    expect(retentionDays).toBeGreaterThanOrEqual(365);
  });

  it('refuses, even to the bucket owner, to delete a version before its retention ends', async () => {
    const blobs = new S3BlobStore({ bucket });
    const key = 'audit/acme/digests/000000000001.json';
    await blobs.putText(key, '{"digestSeq":1}', 'application/json');
    const [version] = (await versionsOf(key)).versions;

    const single = await s3
      .send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: version?.VersionId }))
      .catch((error: unknown) => error);
    const batch = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: [{ Key: key, VersionId: version?.VersionId }] },
      }),
    );

    expect(single).toMatchObject({ name: 'AccessDenied' });
    expect(batch.Errors?.map((e) => e.Code)).toEqual(['AccessDenied']);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: version?.VersionId }));
    expect(head.ObjectLockMode).toBe('COMPLIANCE');
  });

  it('lets a plain delete only hide the object behind a delete marker: the locked version stays readable', async () => {
    const blobs = new S3BlobStore({ bucket });
    const key = 'audit/acme/public-key.pem';
    await blobs.putText(key, 'PEM', 'application/x-pem-file');

    await blobs.delete(key);

    await expect(blobs.getText(key)).rejects.toBeInstanceOf(NotFoundError);
    const { versions, deleteMarkers } = await versionsOf(key);
    expect(deleteMarkers).toHaveLength(1);
    const kept = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versions[0]?.VersionId }));
    expect(await kept.Body?.transformToString()).toBe('PEM');
  });

  it('refuses a write without a checksum header, so the functions must keep the SDK default checksums', async () => {
    // The root vitest config sets WHEN_REQUIRED for s3rver; a Lambda runs with the SDK default (WHEN_SUPPORTED).
    const withoutChecksums = new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED' });

    const refused = new S3BlobStore({ bucket, client: withoutChecksums }).putText('audit/acme/x.json', '{}');

    // AWS names it InvalidRequest, moto MissingUploadObjectWithObjectLockHeaders; both say what is missing.
    await expect(refused).rejects.toMatchObject({
      $metadata: { httpStatusCode: 400 },
      message: expect.stringMatching(/Content-MD5/),
    });
  });

  it('refuses a second write of a key with If-None-Match (S3 conditional writes)', async () => {
    const key = 'audit/acme/conditional.json';
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'first', IfNoneMatch: '*' }));

    const second = s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'second', IfNoneMatch: '*' }));

    await expect(second).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    expect((await versionsOf(key)).versions).toHaveLength(1);
  });
});
