import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3MultipartSink } from '#adapters/aws/s3-multipart-sink.ts';
import { createFileSink } from '#adapters/local/file-sink.ts';
import { localS3Client } from '#adapters/local/local-clients.ts';
import type { PayloadEntry } from '#core/dossier/bag/types.ts';
import { writeBag } from '#core/dossier/bag/writer.ts';
import { type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import { NOW, testSigner } from './support.ts';

const MB = 1024 * 1024;

function pseudoRandom(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function payload(entries: PayloadEntry[]): AsyncIterable<PayloadEntry> {
  return (async function* () {
    yield* entries;
  })();
}

describe('AtomicFileSink', () => {
  it('shows the file under its final name only once complete', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reversa-sink-'));
    const sink = createFileSink(join(dir, 'out.zip'));

    sink.write(Buffer.from('part one, '));
    const during = await readdir(dir);
    await new Promise<void>((resolve, reject) =>
      sink.end(Buffer.from('part two'), () => resolve()).once('error', reject),
    );

    expect(during).not.toContain('out.zip');
    expect(await readdir(dir)).toEqual(['out.zip']);
    expect(await readFile(join(dir, 'out.zip'), 'utf8')).toBe('part one, part two');
  });

  it('removes the temporary file when destroyed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reversa-sink-'));
    const sink = createFileSink(join(dir, 'out.zip'));
    sink.write(Buffer.from('partial'));

    const closed = new Promise((resolve) => sink.once('close', resolve));
    const failure = new Promise((resolve) => sink.once('error', resolve));

    sink.destroy(new Error('upstream failed'));
    await closed;

    expect(await failure).toMatchObject({ message: 'upstream failed' });
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('S3MultipartSink on the local S3', () => {
  let cloud: LocalCloud;
  let s3: S3Client;

  beforeAll(async () => {
    cloud = await startLocalCloud({
      home: await mkdtemp(join(tmpdir(), 'reversa-cloud-')),
      persist: false,
      exportEnv: false,
    });
    s3 = localS3Client(cloud.endpoints);
  });
  afterAll(async () => {
    s3?.destroy();
    await cloud?.stop();
  });

  it('uploads a bag larger than one part and the object hashes to the returned SHA-256', async () => {
    const data = pseudoRandom(20 * MB, 7);
    const sink = new S3MultipartSink({ client: s3, bucket: cloud.bucketName, key: 'dossiers/acme/v1.zip' });

    const result = await writeBag({
      bagName: 'v1',
      payload: payload([
        { path: 'backup.bin', size: data.length, compressible: false, open: async () => Readable.from([data]) },
      ]),
      totals: { bytes: data.length, files: 1 },
      bagInfo: { 'Source-Organization': 'P', 'External-Identifier': 'acme/v1' },
      signer: testSigner(),
      sink,
      now: NOW,
    });
    const object = await s3.send(new GetObjectCommand({ Bucket: cloud.bucketName, Key: 'dossiers/acme/v1.zip' }));
    const bytes = Buffer.from(await object.Body!.transformToByteArray());

    expect(await sink.done()).toMatchObject({ key: 'dossiers/acme/v1.zip' });
    expect(bytes.length).toBe(result.zipBytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(result.zipSha256);
  }, 60_000);

  it('publishes nothing when the write fails midway', async () => {
    const sink = new S3MultipartSink({ client: s3, bucket: cloud.bucketName, key: 'dossiers/acme/broken.zip' });
    const failing: PayloadEntry = {
      path: 'backup.bin',
      size: 30 * MB,
      compressible: false,
      open: async () =>
        Readable.from(
          (async function* () {
            yield pseudoRandom(18 * MB, 3);
            throw new Error('source vanished');
          })(),
        ),
    };

    const write = writeBag({
      bagName: 'broken',
      payload: payload([failing]),
      totals: { bytes: 30 * MB, files: 1 },
      bagInfo: { 'Source-Organization': 'P', 'External-Identifier': 'acme/v2' },
      signer: testSigner(),
      sink,
      now: NOW,
    });

    await expect(write).rejects.toThrow('source vanished');
    await expect(sink.done()).rejects.toBeDefined();
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: cloud.bucketName, Key: 'dossiers/acme/broken.zip' })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  }, 60_000);
});
