/**
 * A Writable that writes to a temporary file beside the target and renames it into place only
 * when the stream finishes cleanly: readers never see a partial archive. Destroying the stream
 * (writeBag does so on any error) removes the temporary file.
 */
import { randomUUID } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';

export class AtomicFileSink extends Writable {
  readonly path: string;
  readonly tempPath: string;
  private handle: FileHandle | undefined;
  private committed = false;

  constructor(path: string) {
    super({ highWaterMark: 1024 * 1024 });
    this.path = path;
    // Same folder, so the final rename stays on one filesystem and is atomic.
    this.tempPath = join(dirname(path), `.${basename(path)}.${process.pid}.${randomUUID()}.partial`);
  }

  override _construct(callback: (error?: Error | null) => void): void {
    open(this.tempPath, 'wx', 0o644).then(
      (handle) => {
        this.handle = handle;
        callback();
      },
      (err: Error) => callback(err),
    );
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeAll(chunk).then(() => callback(), callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.writeAll(Buffer.concat(chunks.map((c) => c.chunk))).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    const commit = async (): Promise<void> => {
      const handle = this.handle!;
      await handle.sync();
      await handle.close();
      this.handle = undefined;
      await rename(this.tempPath, this.path);
      this.committed = true;
    };
    commit().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const cleanup = async (): Promise<void> => {
      await this.handle?.close().catch(() => undefined);
      this.handle = undefined;
      if (!this.committed) await rm(this.tempPath, { force: true });
    };
    cleanup().then(
      () => callback(error),
      () => callback(error),
    );
  }

  private async writeAll(data: Buffer): Promise<void> {
    let offset = 0;
    while (offset < data.length) {
      const { bytesWritten } = await this.handle!.write(data, offset, data.length - offset);
      offset += bytesWritten;
    }
  }
}

export function createFileSink(path: string): AtomicFileSink {
  return new AtomicFileSink(path);
}
