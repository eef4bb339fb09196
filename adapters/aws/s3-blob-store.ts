/**
 * BlobStore on one S3 bucket. getText refuses an object larger than `maxBytes` from its
 * Content-Length, before reading the body, and counts bytes while streaming as a second guard
 * (a lying or absent length must not let a huge object into memory).
 */

import type { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { NotFoundError, ValidationError } from '#core/errors.ts';
import type { BlobStore } from '#core/ports.ts';

/** Default ceiling for getText when the caller gives none: text blobs are reports and documents, not backups. */
export const DEFAULT_MAX_TEXT_BYTES = 64 * 1024 * 1024;

export interface S3BlobStoreOptions {
  bucket: string;
  client?: S3Client;
}

function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return error.name === 'NoSuchKey' || error.name === 'NotFound' || status === 404;
}

export function tooLarge(key: string, size: number, maxBytes: number): ValidationError {
  return new ValidationError('ObjectTooLarge', [
    { file: key, path: '', message: `object is ${size} bytes, over the ${maxBytes}-byte limit` },
  ]);
}

/**
 * The `x-amz-copy-source` value: bucket and key, each key segment percent-encoded (UTF-8) and `/` kept, which S3
 * URL-decodes back to the key. Unencoded, a `+` would read as a space and `%`, `?` or `#` would corrupt the key.
 */
export function copySourceOf(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Characters whose escapes `decodeURI` leaves encoded. s3rver decodes the copy source with `decodeURI`, so a key
 * holding one of them is not found there even though S3 itself would find it.
 */
const KEPT_ENCODED_BY_DECODE_URI = /[;,?:@&=+$#]/;

export class S3BlobStore implements BlobStore {
  private readonly s3: S3Client;
  private readonly bucket: string;

  constructor(options: S3BlobStoreOptions) {
    this.s3 = options.client ?? new S3Client({});
    this.bucket = options.bucket;
  }

  async putText(key: string, body: string, contentType = 'text/plain; charset=utf-8'): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }

  async getText(key: string, maxBytes: number = DEFAULT_MAX_TEXT_BYTES): Promise<string> {
    let out: GetObjectCommandOutput;
    try {
      out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (isNotFound(error)) throw new NotFoundError('BlobNotFound', `no object ${key}`, { cause: error });
      throw error;
    }
    const body = out.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
    if (out.ContentLength !== undefined && out.ContentLength > maxBytes) {
      body?.destroy?.();
      throw tooLarge(key, out.ContentLength, maxBytes);
    }
    if (!body) return '';
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const part of body) {
      total += part.byteLength;
      if (total > maxBytes) {
        body.destroy?.();
        throw tooLarge(key, total, maxBytes);
      }
      chunks.push(part);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Size in bytes, or undefined when the object does not exist. */
  async size(key: string): Promise<number | undefined> {
    try {
      const out = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return out.ContentLength ?? 0;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.size(key)) !== undefined;
  }

  async list(prefix: string): Promise<string[]> {
    const found: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(token === undefined ? {} : { ContinuationToken: token }),
        }),
      );
      for (const object of page.Contents ?? []) if (object.Key !== undefined) found.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return found;
  }

  /** Copy then delete (S3 has no rename). A crash in between leaves both: the next move is still correct. */
  async move(fromKey: string, toKey: string): Promise<void> {
    try {
      await this.s3.send(
        new CopyObjectCommand({ Bucket: this.bucket, Key: toKey, CopySource: copySourceOf(this.bucket, fromKey) }),
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
      // S3 decodes the copy source fully; an emulator that does not (s3rver) misses keys with `+`, `&`, …:
      // if the object is there by its plain key, copy it through GetObject/PutObject instead.
      if (!KEPT_ENCODED_BY_DECODE_URI.test(fromKey) || !(await this.copyThrough(fromKey, toKey))) {
        throw new NotFoundError('BlobNotFound', `no object ${fromKey}`, { cause: error });
      }
    }
    await this.delete(fromKey);
  }

  /** Streams one object to another key (content type kept); false when the source does not exist. */
  private async copyThrough(fromKey: string, toKey: string): Promise<boolean> {
    let source: GetObjectCommandOutput;
    try {
      source = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: fromKey }));
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: toKey,
        // In Node the body is a Readable: streamed, never buffered.
        Body: (source.Body as Readable | undefined) ?? '',
        ...(source.ContentLength === undefined ? {} : { ContentLength: source.ContentLength }),
        ...(source.ContentType === undefined ? {} : { ContentType: source.ContentType }),
      }),
    );
    return true;
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}
