/**
 * A Writable that streams into one S3 multipart upload (lib-storage Upload), for writeBag.
 * Memory stays bounded by partSize × (queueSize + 1) whatever the archive size.
 *
 * 'finish' fires only once S3 has completed the upload, so a caller that awaited the stream
 * knows the object exists. Destroying the stream (writeBag does so on any error) aborts the
 * multipart upload, so no partial object is ever visible; the bucket's lifecycle rule for
 * incomplete uploads is the backstop if the process dies first.
 */
import { PassThrough, Writable } from 'node:stream';
import { AbortMultipartUploadCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { TransientError } from '#core/errors.ts';

/** S3's minimum part is 5 MiB; 8 MiB keeps 10,000 parts ≥ 78 GiB and memory small. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
export const DEFAULT_QUEUE_SIZE = 2;

export interface S3MultipartSinkOptions {
  client: S3Client;
  bucket: string;
  key: string;
  contentType?: string;
  /** At least 8 MiB (smaller values are raised). */
  partSize?: number;
  /** Parts uploaded in parallel; each is buffered in memory. */
  queueSize?: number;
  metadata?: Record<string, string>;
}

export interface S3UploadOutcome {
  bucket: string;
  key: string;
  etag?: string;
  versionId?: string;
}

export class S3MultipartSink extends Writable {
  private readonly body = new PassThrough();
  private readonly upload: Upload;
  private readonly completion: Promise<S3UploadOutcome>;
  private readonly options: S3MultipartSinkOptions;
  private completed = false;

  constructor(options: S3MultipartSinkOptions) {
    super();
    this.options = options;
    this.upload = new Upload({
      client: options.client,
      params: {
        Bucket: options.bucket,
        Key: options.key,
        Body: this.body,
        ContentType: options.contentType ?? 'application/zip',
        ...(options.metadata ? { Metadata: options.metadata } : {}),
      },
      partSize: Math.max(options.partSize ?? DEFAULT_PART_SIZE, DEFAULT_PART_SIZE),
      queueSize: options.queueSize ?? DEFAULT_QUEUE_SIZE,
      leavePartsOnError: false,
    });
    this.completion = this.upload.done().then((out) => {
      this.completed = true;
      const outcome: S3UploadOutcome = { bucket: options.bucket, key: options.key };
      if (out.ETag) outcome.etag = out.ETag;
      if (out.VersionId) outcome.versionId = out.VersionId;
      return outcome;
    });
    // Observed through _final/done(); this keeps an early failure from being unhandled.
    this.completion.catch(() => undefined);
  }

  /** Resolves when S3 has the complete object; rejects when the upload failed or was aborted. */
  done(): Promise<S3UploadOutcome> {
    return this.completion;
  }

  /** Aborts the multipart upload (idempotent); the stream is destroyed too. */
  async abort(): Promise<void> {
    if (this.completed) return;
    await this.upload.abort();
    this.body.destroy();
    // lib-storage aborts asynchronously once its in-flight parts settle; send the abort ourselves
    // too so the parts are gone now. NoSuchUpload (already aborted) is fine.
    const uploadId = (this.upload as unknown as { uploadId?: string }).uploadId;
    if (uploadId) {
      await this.options.client
        .send(
          new AbortMultipartUploadCommand({ Bucket: this.options.bucket, Key: this.options.key, UploadId: uploadId }),
        )
        .catch(() => undefined);
    }
    if (!this.destroyed) this.destroy();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.body.write(chunk)) callback();
    else this.body.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.body.end();
    this.completion.then(
      () => callback(),
      (err: unknown) =>
        callback(
          new TransientError('S3UploadFailed', `upload of s3://${this.options.bucket}/${this.options.key} failed`, {
            cause: err,
          }),
        ),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.completed) {
      callback(error);
      return;
    }
    this.abort().then(
      () => callback(error),
      () => callback(error),
    );
  }
}

export function createS3MultipartSink(options: S3MultipartSinkOptions): S3MultipartSink {
  return new S3MultipartSink(options);
}
