/**
 * S3BlobStore against moto's S3, the way the s3-inbox function moves a report to processed/ or quarantine/:
 * CopyObject with a percent-encoded copy source, so keys with spaces, `+`, `%`, `#` or non-ASCII letters are
 * found by a server that decodes the copy source as S3 does (s3rver does not, hence the adapter's fallback).
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { S3BlobStore } from '#adapters/aws/s3-blob-store.ts';
import { NotFoundError, ValidationError } from '#core/errors.ts';
import { MOTO_REGION, recordCommands, uniqueName } from './support.ts';

let bucket: string;
beforeAll(async () => {
  bucket = uniqueName('data');
  await new S3Client({}).send(
    new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: MOTO_REGION } }),
  );
});

describe('S3BlobStore on moto', () => {
  it('moves a report whose key holds spaces, +, %, # and accents with one CopyObject and one DeleteObject', async () => {
    const client = new S3Client({});
    const blobs = new S3BlobStore({ bucket, client });
    const key = 'inbox/acme/NAS export +1 %41 #3 é&=;.json';
    await blobs.putText(key, '{"jobs":[]}', 'application/json');
    const sent = recordCommands(client);

    await blobs.move(key, key.replace('inbox/', 'processed/'));

    expect(sent.map((c) => c.command)).toEqual(['CopyObjectCommand', 'DeleteObjectCommand']);
    expect(await blobs.getText(key.replace('inbox/', 'processed/'))).toBe('{"jobs":[]}');
    expect(await blobs.exists(key)).toBe(false);
    await expect(blobs.move(key, 'quarantine/acme/x.json')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a text larger than the limit from its Content-Length, and sizes a missing object as absent', async () => {
    const blobs = new S3BlobStore({ bucket });
    await blobs.putText('inbox/acme/big.json', 'x'.repeat(2_048));

    await expect(blobs.getText('inbox/acme/big.json', 1_024)).rejects.toBeInstanceOf(ValidationError);
    expect(await blobs.size('inbox/acme/big.json')).toBe(2_048);
    expect(await blobs.size('inbox/acme/none.json')).toBeUndefined();
  });
});
