/**
 * The byte streams around archiver in the writer's pipeline: the hasher that counts and hashes the
 * zip on its way to the sink, the hasher of each streamed payload (which stops a stream that
 * overruns its declared size), and the coalescer that turns archiver's many small writes into few
 * large ones for the sink.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { InternalError } from '#core/errors.ts';
import type { PayloadEntry } from './types.ts';

/** Buffer size of archiver's streams (its own and its zip engine's). */
export const ARCHIVER_BUFFER_BYTES = 1024 * 1024;
const COALESCE_BYTES = 256 * 1024;
const PASS_THROUGH_BYTES = 64 * 1024;

export function sizeMismatch(entry: PayloadEntry, actual: number): InternalError {
  return new InternalError(
    'PayloadSizeMismatch',
    `data/${entry.path} was declared ${entry.size} bytes but its stream yielded ${actual}${actual > entry.size ? ' or more' : ''}`,
  );
}

/** Counts and hashes bytes passing through, without holding them. */
export class HashingCounter extends Transform {
  readonly hash: Hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

/** Hashes a payload stream on its way into archiver and stops it as soon as it overruns its declared size. */
export class PayloadHasher extends Transform {
  readonly hash: Hash = createHash('sha256');
  bytes = 0;
  constructor(private readonly entry: PayloadEntry) {
    super({ highWaterMark: ARCHIVER_BUFFER_BYTES });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.entry.size) {
      done(sizeMismatch(this.entry, this.bytes));
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }
}

/**
 * Archiver's zip engine writes every header field separately (2- and 4-byte writes); gathering
 * them into 256 KiB chunks turns thousands of sink writes (syscalls, upload buffer appends) per
 * small file into a few.
 */
export class Coalesce extends Transform {
  private chunks: Buffer[] = [];
  private length = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (chunk.length >= PASS_THROUGH_BYTES) {
      // Already big (a streamed file's chunk): copying it into a bigger one would only cost memory bandwidth.
      this.flushChunks();
      this.push(chunk);
      done();
      return;
    }
    this.chunks.push(chunk);
    this.length += chunk.length;
    if (this.length >= COALESCE_BYTES) this.flushChunks();
    done();
  }
  override _flush(done: TransformCallback): void {
    this.flushChunks();
    done();
  }
  private flushChunks(): void {
    if (this.length === 0) return;
    this.push(this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length));
    this.chunks = [];
    this.length = 0;
  }
}
