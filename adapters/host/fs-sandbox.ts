/**
 * A Sandbox in a fresh temporary directory. Paths are sanitised again here (defence in depth: the
 * sandbox must never write outside its root, whoever calls it), and removal is verified by checking
 * the directory is gone.
 */
import { close as fsClose, open as fsOpen, read as fsRead, write as fsWrite } from 'node:fs';
import { access, mkdir, mkdtemp, opendir, readdir, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InternalError } from '#core/errors.ts';
import { safeRelativePath } from '#core/restore/archive-entry.ts';
import type { Sandbox, SandboxFile } from '#core/restore/sandbox.ts';

const READ_CHUNK = 256 * 1024;
/** Read buffers kept for reuse: allocating one per file read back churns external memory (and GC). */
const SPARE_BUFFERS = 16;
/** Files unlinked at once during removal. */
const UNLINK_BATCH = 32;

// Callback fs calls wrapped by hand: a FileHandle per file (promises API) costs ~20% more per small file.
const openFd = (path: string, flags: string) =>
  new Promise<number>((resolve, reject) => fsOpen(path, flags, (err, fd) => (err ? reject(err) : resolve(fd))));
const closeFd = (fd: number) =>
  new Promise<void>((resolve, reject) => fsClose(fd, (err) => (err ? reject(err) : resolve())));
const readFd = (fd: number, buffer: Buffer, length: number) =>
  new Promise<number>((resolve, reject) =>
    fsRead(fd, buffer, 0, length, null, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead))),
  );
const writeFd = (fd: number, chunk: Buffer, offset: number) =>
  new Promise<number>((resolve, reject) =>
    fsWrite(fd, chunk, offset, chunk.length - offset, null, (err, written) => (err ? reject(err) : resolve(written))),
  );

/** write may write less than asked (signals, quotas): loop until every byte is out. */
async function writeAll(fd: number, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) offset += await writeFd(fd, chunk, offset);
}

export class FsSandbox implements Sandbox {
  readonly location: string;
  private readonly createdDirs = new Set<string>();
  private readonly spare: Buffer[] = [];

  private constructor(readonly root: string) {
    this.location = `${pathToFileURL(root).href}/`;
  }

  /**
   * A sandbox at a fixed directory (created on first write), so any later step — even in another
   * process, like the restore workflow's Cleanup — can list and remove it by name.
   */
  static at(root: string): FsSandbox {
    return new FsSandbox(root);
  }

  /** Creates `<parent>/reversa-<name>-XXXXXX` (parent defaults to the system temp directory). */
  static async create(name: string, parent: string = tmpdir()): Promise<FsSandbox> {
    await mkdir(parent, { recursive: true });
    const safe = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
    return new FsSandbox(await mkdtemp(join(parent, `reversa-${safe}-`)));
  }

  private resolve(path: string): string {
    const safe = safeRelativePath(path);
    if (safe === undefined)
      throw new InternalError(
        'UnsafeSandboxPath',
        `refused to use an unsafe path in the sandbox: ${JSON.stringify(path)}`,
      );
    return join(this.root, ...safe.split('/'));
  }

  async put(path: string, body: AsyncIterable<Buffer>, _size: number | undefined): Promise<void> {
    const target = this.resolve(path);
    const dir = dirname(target);
    if (!this.createdDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.createdDirs.add(dir);
    }
    // A plain file handle: stream machinery per file costs more than the I/O for small files. Each chunk
    // is written before the next is pulled: a source may reuse its buffer (read() below does).
    const fd = await openFd(target, 'w');
    try {
      for await (const chunk of body) await writeAll(fd, chunk);
    } finally {
      await closeFd(fd);
    }
  }

  async *list(): AsyncIterable<SandboxFile> {
    for await (const { path, full } of this.walk()) yield { path, size: (await stat(full)).size };
  }

  /**
   * Every file under the root, in sorted order, without stat calls. A folder's entries are
   * stat-free here; list() adds the sizes, counting (removeAll) does not need them.
   */
  private async *walk(): AsyncGenerator<{ path: string; full: string }> {
    const walk = async function* (dir: string, prefix: string): AsyncGenerator<{ path: string; full: string }> {
      const entries = await readdir(dir, { withFileTypes: true });
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        const full = join(dir, e.name);
        const rel = prefix ? `${prefix}/${e.name}` : e.name;
        if (e.isDirectory()) yield* walk(full, rel);
        else yield { path: rel, full };
      }
    };
    try {
      yield* walk(this.root, '');
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
    }
  }

  /** Reads a file back. Each chunk is valid until the next one is requested (the buffer is reused). */
  read(path: string): AsyncIterable<Uint8Array> {
    const file = this.resolve(path);
    const spare = this.spare;
    return (async function* () {
      const fd = await openFd(file, 'r');
      const buffer = spare.pop() ?? Buffer.allocUnsafeSlow(READ_CHUNK);
      try {
        for (;;) {
          const bytesRead = await readFd(fd, buffer, buffer.length);
          if (bytesRead === 0) return;
          yield buffer.subarray(0, bytesRead);
          // A short read of a regular file is its end, so a small file takes one read (no stat, no
          // second read). Were it ever wrong, the file would hash short and FAIL: never a false pass.
          if (bytesRead < buffer.length) return;
        }
      } finally {
        if (spare.length < SPARE_BUFFERS) spare.push(buffer);
        await closeFd(fd);
      }
    })();
  }

  async removeAll(): Promise<{ removed: number; remaining: number }> {
    let removed = 0;
    try {
      removed = await removeTree(this.root);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
    }
    // Whatever the walk could not remove (odd entry types, races) goes with the root.
    await rm(this.root, { recursive: true, force: true });
    let remaining = 0;
    try {
      await access(this.root);
      for await (const _ of this.walk()) remaining++;
      // The directory itself surviving is a failed cleanup even when empty.
      remaining = Math.max(remaining, 1);
    } catch {
      remaining = 0;
    }
    this.createdDirs.clear();
    return { removed, remaining };
  }

  /** For logs and tests only: the directory separator-terminated root. */
  get rootWithSep(): string {
    return this.root + sep;
  }
}

/**
 * Deletes a directory tree and returns how many non-directory entries it removed. Streams each
 * directory (opendir) and unlinks in bounded batches: memory stays flat whatever the file count
 * (a recursive rm queues every unlink of the tree at once).
 */
async function removeTree(dir: string): Promise<number> {
  let removed = 0;
  let batch: string[] = [];
  const flush = async (): Promise<void> => {
    await Promise.all(batch.map((p) => unlink(p)));
    removed += batch.length;
    batch = [];
  };
  for await (const e of await opendir(dir)) {
    const full = join(dir, e.name);
    if (e.isDirectory()) removed += await removeTree(full);
    else {
      batch.push(full);
      if (batch.length >= UNLINK_BATCH) await flush();
    }
  }
  await flush();
  await rmdir(dir);
  return removed;
}
