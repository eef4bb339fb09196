/**
 * A Sandbox under a prefix of a bucket. Each file is uploaded with @aws-sdk/lib-storage's Upload
 * (multipart, a few 8 MiB parts in memory at a time) straight from the extraction stream: no local
 * disk, so archives larger than a Lambda's /tmp restore fine. Cleanup lists the prefix, deletes in
 * batches of 1000 (DeleteObjects) and lists again to prove the prefix is empty.
 */

import { Readable } from 'node:stream';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { InternalError, ValidationError } from '#core/errors.ts';
import { safeRelativePath } from '#core/restore/archive-entry.ts';
import type { Sandbox, SandboxFile } from '#core/restore/sandbox.ts';

export interface S3SandboxOptions {
  bucket: string;
  /** Key prefix, e.g. `sandbox/acme/rt-…/`; a trailing slash is added when missing. */
  prefix: string;
  client?: S3Client;
  /** Multipart part size (default 8 MiB, minimum 5 MiB) and parallel parts per file (default 4). */
  partSize?: number;
  queueSize?: number;
}

export class S3Sandbox implements Sandbox {
  readonly location: string;
  private readonly s3: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(options: S3SandboxOptions) {
    const prefix = options.prefix.endsWith('/') ? options.prefix : `${options.prefix}/`;
    // An empty or root prefix would make cleanup delete the whole bucket.
    if (safeRelativePath(prefix) === undefined || prefix.length < 2) {
      throw new ValidationError('InvalidSandbox', [
        { file: 'sandbox', path: 'prefix', message: 'expected a non-empty relative key prefix' },
      ]);
    }
    this.s3 = options.client ?? new S3Client({});
    this.bucket = options.bucket;
    this.prefix = prefix;
    this.partSize = Math.max(options.partSize ?? 8 * 1024 * 1024, 5 * 1024 * 1024);
    this.queueSize = options.queueSize ?? 4;
    this.location = `s3://${this.bucket}/${this.prefix}`;
  }

  private key(path: string): string {
    const safe = safeRelativePath(path);
    if (safe === undefined)
      throw new InternalError(
        'UnsafeSandboxPath',
        `refused to use an unsafe path in the sandbox: ${JSON.stringify(path)}`,
      );
    return this.prefix + safe;
  }

  async put(path: string, body: AsyncIterable<Buffer>, _size: number | undefined): Promise<void> {
    const upload = new Upload({
      client: this.s3,
      params: { Bucket: this.bucket, Key: this.key(path), Body: Readable.from(body, { objectMode: false }) },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async *list(): AsyncIterable<SandboxFile> {
    let token: string | undefined;
    do {
      const out = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const o of out.Contents ?? []) {
        if (o.Key !== undefined) yield { path: o.Key.slice(this.prefix.length), size: o.Size ?? 0 };
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  read(path: string): AsyncIterable<Uint8Array> {
    const s3 = this.s3;
    const bucket = this.bucket;
    const key = this.key(path);
    return (async function* () {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      yield* out.Body as AsyncIterable<Uint8Array>;
    })();
  }

  async removeAll(): Promise<{ removed: number; remaining: number }> {
    let removed = 0;
    let batch: string[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const out = await this.s3.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      removed += batch.length - (out.Errors?.length ?? 0);
      batch = [];
    };
    // Collect keys per page before deleting: deleting while paginating would shift the listing.
    const keys: string[] = [];
    for await (const f of this.list()) keys.push(this.prefix + f.path);
    for (const key of keys) {
      batch.push(key);
      if (batch.length === 1000) await flush();
    }
    await flush();
    let remaining = 0;
    for await (const _ of this.list()) remaining++;
    return { removed, remaining };
  }
}
