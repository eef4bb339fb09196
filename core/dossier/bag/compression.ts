/** Which entries are stored as-is and which are deflated, and how. */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { crc32, deflateRawSync } from 'node:zlib';
import { InternalError } from '#core/errors.ts';

/** Deflate level for text: level 1 is ~3× faster than the default 6 for a few % more bytes; text is a small part of a dossier. */
export const DEFLATE_LEVEL = 1;

/** Formats that are already compressed or encrypted: deflating them costs CPU and gains nothing. */
const STORED_EXTENSIONS = new Set([
  '7z',
  'age',
  'apk',
  'avif',
  'br',
  'bz2',
  'cab',
  'deb',
  'docx',
  'enc',
  'flac',
  'gif',
  'gpg',
  'gz',
  'heic',
  'jar',
  'jpeg',
  'jpg',
  'lz',
  'lz4',
  'lzma',
  'm4a',
  'mkv',
  'mov',
  'mp3',
  'mp4',
  'odp',
  'ods',
  'odt',
  'ogg',
  'pdf',
  'png',
  'pptx',
  'rar',
  'rpm',
  'tgz',
  'txz',
  'webm',
  'webp',
  'whl',
  'xlsx',
  'xz',
  'zip',
  'zst',
  'zstd',
  'pgp',
  'asc.gpg',
]);

/**
 * Entries at or above this size are stored even when compressible: a deflated stream may come
 * out slightly larger than its input, and the zip local header (written before the data, sizes
 * unknown) has no room for a ZIP64 size, so every entry's compressed size must stay < 4 GiB.
 */
export const STORE_ABOVE_BYTES = 1024 * 1024 * 1024;

export function shouldStore(path: string, size: number, compressible: boolean | undefined): boolean {
  if (compressible === false) return true;
  if (size >= STORE_ABOVE_BYTES || size === 0) return true;
  if (compressible === true) return false;
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = name.lastIndexOf('.');
  return dot > 0 && STORED_EXTENSIONS.has(name.slice(dot + 1));
}

/**
 * zlib options for one deflated buffer: exactly archiver's (`zlib: { level: DEFLATE_LEVEL }`, default
 * window), so an entry deflated here is byte-for-byte what archiver's own deflate stream would emit
 * and the zip does not depend on which path an entry took.
 */
export function deflateOptions(_size: number): { level: number } {
  return { level: DEFLATE_LEVEL };
}

export async function deflateBuffer(data: Buffer): Promise<Buffer> {
  return deflateRawSync(data, deflateOptions(data.length));
}

/** What the writer needs of a small entry: its bytes, SHA-256, CRC-32 and (when compressed) deflated form. */
export interface PreparedEntry {
  data: Buffer;
  sha256: string;
  crc: number;
  deflated?: Buffer;
}

/** Prepares in the calling thread (tiny bags, or when no worker is wanted). */
export function prepareHere(data: Buffer, deflate: boolean): PreparedEntry {
  const out: PreparedEntry = {
    data,
    sha256: createHash('sha256').update(data).digest('hex'),
    crc: crc32(data) >>> 0,
  };
  if (deflate && data.length > 0) out.deflated = deflateRawSync(data, deflateOptions(data.length));
  return out;
}

/**
 * The worker's code, inline (no separate file: bundled Lambdas would not ship one). It does for a
 * small entry what would otherwise be the main thread's CPU: hash, CRC, deflate.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { crc32, deflateRawSync } = require('node:zlib');
parentPort.on('message', ({ items }) => {
  const replies = [];
  const transfer = [];
  for (const { id, data, deflate, options } of items) {
    try {
      const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      const sha256 = createHash('sha256').update(buf).digest('hex');
      const crc = crc32(buf) >>> 0;
      const deflated = deflate && buf.length > 0 ? deflateRawSync(buf, options) : undefined;
      transfer.push(data.buffer);
      if (deflated !== undefined && deflated.byteOffset === 0 && deflated.byteLength === deflated.buffer.byteLength) transfer.push(deflated.buffer);
      replies.push({ id, data, sha256, crc, deflated });
    } catch (error) {
      replies.push({ id, error: String(error && error.message || error) });
    }
  }
  parentPort.postMessage({ replies }, transfer);
});
`;

/** At most this many entries per message to the worker (and back). */
const BATCH_ENTRIES = 32;

interface WorkerRequest {
  id: number;
  data: Uint8Array;
  deflate: boolean;
  options: { level: number };
}

interface WorkerReply {
  id: number;
  data: Uint8Array;
  sha256: string;
  crc: number;
  deflated?: Uint8Array;
  error?: string;
}

/**
 * Workers: deflating text is the bulk of a dossier's CPU (level 1 runs at ~150 MB/s here, against
 * ~1.8 GB/s for SHA-256 and ~5 GB/s for CRC-32). One worker takes it off the main thread, which
 * keeps reading, hashing and writing the zip; on two cores (a Lambda, the bench host) the 1 GB bench
 * assembled in 6.9–7.3 s with one worker against 8.6–9.0 s without, for ~25 MB more peak RSS. A
 * second worker only pays when a third core is free for it.
 */
const WORKERS = Math.max(0, Math.min(2, availableParallelism() - 1));

/** Bags with fewer small entries than this are prepared in the calling thread (a worker costs ~30 ms to start). */
const WORKER_AFTER_ENTRIES = 32;

/**
 * Prepares small entries on one worker thread, in parallel with the main thread's reading, zip
 * writing and output hashing. Entries go in batches (those whose reads completed in the same
 * event-loop turn, up to BATCH_ENTRIES) and come back the same way; buffers are transferred both ways
 * (no copies); the caller holds at most its read-ahead budget of entries in flight. close() must be
 * called (the writer does, always).
 */
export class EntryPreparer {
  private readonly workers: Worker[] = [];
  private seen = 0;
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (p: PreparedEntry) => void; reject: (e: unknown) => void; data: Buffer; deflate: boolean }
  >();
  private batch: WorkerRequest[] = [];
  private batches = 0;
  private flushQueued = false;
  private closed = false;
  private failure: Error | undefined;

  prepare(data: Buffer, deflate: boolean): Promise<PreparedEntry> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new InternalError('EntryPreparationFailed', 'the bag writer has finished'));
    if (WORKERS === 0 || ++this.seen <= WORKER_AFTER_ENTRIES) {
      try {
        return Promise.resolve(prepareHere(data, deflate));
      } catch (error) {
        return Promise.reject(new InternalError('EntryPreparationFailed', String((error as Error).message)));
      }
    }
    const id = this.nextId++;
    // The read-ahead hands over buffers that own their ArrayBuffer (a view of all of it, or of all but
    // the overrun-probe byte): those are transferred as they are. Anything else, such as a slice of
    // Node's shared pool, is copied first: transferring it would detach its neighbours.
    const owned = data.byteOffset === 0 && data.buffer.byteLength - data.byteLength <= 1;
    const own = owned ? data : new Uint8Array(data);
    return new Promise<PreparedEntry>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, data, deflate });
      this.batch.push({ id, data: own, deflate, options: deflateOptions(own.length) });
      if (this.batch.length >= BATCH_ENTRIES) this.flush();
      else if (!this.flushQueued) {
        // Entries whose reads complete in the same event-loop turn travel together: one message and
        // one wake-up each way per batch instead of per file.
        this.flushQueued = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushQueued = false;
    const items = this.batch.splice(0);
    if (items.length === 0 || this.failure !== undefined) return;
    const worker = this.start(this.batches++ % WORKERS);
    try {
      worker.postMessage(
        { items },
        items.map((item) => item.data.buffer as ArrayBuffer),
      );
    } catch {
      // Not transferable after all (a buffer marked so by its owner): prepare these here instead.
      for (const item of items) {
        const waiting = this.pending.get(item.id);
        if (waiting === undefined) continue;
        this.pending.delete(item.id);
        try {
          waiting.resolve(prepareHere(waiting.data, waiting.deflate));
        } catch (error) {
          waiting.reject(new InternalError('EntryPreparationFailed', String((error as Error).message)));
        }
      }
    }
  }

  private start(slot: number): Worker {
    const existing = this.workers[slot];
    if (existing !== undefined) return existing;
    // A small heap for the worker: it holds one entry at a time and the bytes live outside its heap
    // (transferred ArrayBuffers). 1 MB young / 8 MB old measured ~15 MB less peak RSS than 4 / 32 at
    // the same speed; a default-sized isolate would reserve more memory than the entries themselves.
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8 },
    });
    worker.unref();
    worker.on('message', ({ replies }: { replies: WorkerReply[] }) => {
      for (const reply of replies) {
        const waiting = this.pending.get(reply.id);
        if (waiting === undefined) continue;
        this.pending.delete(reply.id);
        if (reply.error !== undefined) {
          waiting.reject(new InternalError('EntryPreparationFailed', reply.error));
          continue;
        }
        const out: PreparedEntry = {
          data: Buffer.from(reply.data.buffer, reply.data.byteOffset, reply.data.byteLength),
          sha256: reply.sha256,
          crc: reply.crc,
        };
        if (reply.deflated !== undefined)
          out.deflated = Buffer.from(reply.deflated.buffer, reply.deflated.byteOffset, reply.deflated.byteLength);
        waiting.resolve(out);
      }
    });
    const fail = (error: Error): void => {
      this.failure = new InternalError('EntryPreparationFailed', `compression worker failed: ${error.message}`);
      for (const w of this.pending.values()) w.reject(this.failure);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.pending.size > 0) fail(new Error(`exited with code ${code}`));
    });
    this.workers[slot] = worker;
    return worker;
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
