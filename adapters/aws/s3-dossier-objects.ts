/**
 * The dossier's ObjectStore on S3: streamed reads (ranged for split parts), small puts, and
 * multipart sinks for the archive. Works against s3rver locally, which lacks
 * ListMultipartUploads: abortUploads then reports 0 and the lifecycle rule remains the backstop.
 */
import type { Readable, Writable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { ObjectInfo, ObjectStore } from '#core/dossier/ports.ts';
import { NotFoundError, TransientError, ValidationError } from '#core/errors.ts';
import { createS3MultipartSink } from './s3-multipart-sink.ts';

export interface S3DossierObjectsOptions {
  bucket: string;
  client?: S3Client;
}

function isNotFound(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return (error as Error).name === 'NoSuchKey' || (error as Error).name === 'NotFound' || status === 404;
}

function mapError(error: unknown, bucket: string, key: string): unknown {
  if (isNotFound(error))
    return new NotFoundError('ObjectNotFound', `no object s3://${bucket}/${key}`, { cause: error });
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
  if (status >= 500 || (error as Error).name === 'SlowDown' || (error as Error).name === 'TimeoutError') {
    return new TransientError('S3Unavailable', `S3 request on s3://${bucket}/${key} failed (${status})`, {
      cause: error,
    });
  }
  return error;
}

export class S3DossierObjects implements ObjectStore {
  readonly bucket: string;
  private readonly s3: S3Client;

  constructor(options: S3DossierObjectsOptions) {
    this.bucket = options.bucket;
    this.s3 = options.client ?? new S3Client({});
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let token: string | undefined;
    do {
      const page = await this.s3
        .send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
        )
        .catch((error: unknown) => {
          throw mapError(error, this.bucket, prefix);
        });
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined) continue;
        const info: ObjectInfo = { key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified?.getTime() ?? 0 };
        if (o.ETag) info.etag = o.ETag.replaceAll('"', '');
        yield info;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async open(key: string, range?: { start: number; end: number }): Promise<Readable> {
    try {
      const out = await this.s3.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      return out.Body as Readable;
    } catch (error) {
      throw mapError(error, this.bucket, key);
    }
  }

  async put(key: string, body: Uint8Array | string, contentType = 'application/octet-stream'): Promise<void> {
    await this.s3
      .send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }))
      .catch((error: unknown) => {
        throw mapError(error, this.bucket, key);
      });
  }

  async getBytes(key: string, maxBytes: number): Promise<Buffer> {
    const stream = await this.open(key);
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > maxBytes) {
        stream.destroy();
        throw new ValidationError('ObjectTooLarge', [
          { file: `s3://${this.bucket}/${key}`, path: '', message: `expected at most ${maxBytes} bytes` },
        ]);
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, length);
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })).catch((error: unknown) => {
      if (!isNotFound(error)) throw mapError(error, this.bucket, key);
    });
  }

  createSink(key: string, contentType = 'application/zip'): Writable {
    return createS3MultipartSink({ client: this.s3, bucket: this.bucket, key, contentType });
  }

  async abortUploads(key: string): Promise<number> {
    let uploads: { Key?: string | undefined; UploadId?: string | undefined }[];
    try {
      const out = await this.s3.send(new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: key }));
      uploads = out.Uploads ?? [];
    } catch {
      // s3rver has no ListMultipartUploads; a writer that failed in-process already aborted its own upload.
      return 0;
    }
    let aborted = 0;
    for (const u of uploads) {
      if (u.Key !== key || !u.UploadId) continue;
      await this.s3
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: u.UploadId }))
        .catch(() => undefined);
      aborted++;
    }
    return aborted;
  }

  urlOf(key: string): string {
    return `s3://${this.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }
}
