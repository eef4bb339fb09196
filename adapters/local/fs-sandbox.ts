/**
 * A Sandbox in a fresh temporary directory. Paths are sanitised again here (defence in depth: the
 * sandbox must never write outside its root, whoever calls it), and removal is verified by checking
 * the directory is gone.
 */
import { access, type FileHandle, mkdir, mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InternalError } from '#core/errors.ts';
import { safeRelativePath } from '#core/restore/archive-entry.ts';
import type { Sandbox, SandboxFile } from '#core/restore/sandbox.ts';

const READ_CHUNK = 1024 * 1024;
const WRITE_BATCH = 1024 * 1024;

/** writev may write less than asked (large batches, signals): loop until every byte is out. */
async function writeAll(fh: FileHandle, chunks: Buffer[]): Promise<void> {
  let pending = chunks;
  for (;;) {
    const { bytesWritten } = await fh.writev(pending);
    let left = bytesWritten;
    let i = 0;
    while (i < pending.length && left >= pending[i]!.length) left -= pending[i++]!.length;
    if (i === pending.length) return;
    pending = [pending[i]!.subarray(left), ...pending.slice(i + 1)];
  }
}

export class FsSandbox implements Sandbox {
  readonly location: string;
  private readonly createdDirs = new Set<string>();

  private constructor(readonly root: string) {
    this.location = `${pathToFileURL(root).href}/`;
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
    // A plain file handle: stream machinery per file costs more than the I/O for small files. Chunks are
    // gathered into one writev per WRITE_BATCH bytes: a small file is one open, one write, one close.
    const fh = await open(target, 'w');
    try {
      let batch: Buffer[] = [];
      let batchBytes = 0;
      for await (const chunk of body) {
        batch.push(chunk);
        batchBytes += chunk.length;
        if (batchBytes >= WRITE_BATCH) {
          await writeAll(fh, batch);
          batch = [];
          batchBytes = 0;
        }
      }
      if (batchBytes > 0) await writeAll(fh, batch);
    } finally {
      await fh.close();
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

  read(path: string): AsyncIterable<Uint8Array> {
    const file = this.resolve(path);
    return (async function* () {
      const fh = await open(file, 'r');
      try {
        const { size } = await fh.stat();
        // Buffers sized to the file (capped): a 1 MiB buffer per small file would dominate the cost. One
        // byte more than the stated size, so a short read proves the end of the file without another read.
        const buffer = Buffer.allocUnsafe(Math.min(size + 1, READ_CHUNK));
        for (;;) {
          const { bytesRead } = await fh.read(buffer, 0, buffer.length, null);
          if (bytesRead === 0) return;
          yield buffer.subarray(0, bytesRead);
          if (bytesRead < buffer.length) return;
        }
      } finally {
        await fh.close();
      }
    })();
  }

  async removeAll(): Promise<{ removed: number; remaining: number }> {
    let removed = 0;
    for await (const _ of this.walk()) removed++;
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
