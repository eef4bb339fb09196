/**
 * The streaming BagIt writer: one pass, one payload stream open at a time, the zip produced by
 * archiver (the project's fixed choice for archives) and streamed straight into the sink (a
 * multipart upload or a temp file). Memory holds only the manifest lines and archiver's central
 * directory records (one per entry), never whole large files.
 *
 * Zip entries are appended in byte-wise order of their full path, which is also the order in
 * which everything they contain becomes known:
 *   <bag>/ · README-VERIFY.md · bag-info.txt · bagit.txt · data/… · fetch.txt ·
 *   manifest-sha256.txt · signer-public-key.pem · tagmanifest-sha256.txt · tagmanifest-sha256.txt.sig
 * README, bag-info (Payload-Oxum comes from the declared totals, checked against what streamed)
 * and bagit.txt are known up front; the manifest after the payload; the tag manifest and its
 * signature last.
 *
 * Every entry goes through archiver.append() with an explicit date and mode: append() feeds
 * archiver's one-at-a-time queue directly, so entries come out in the order appended. (Its
 * file()/directory()/glob() would lstat on the statConcurrency queue first, which can reorder
 * entries unless `stats` is passed; we never use them: payloads are streams from S3 or disk.)
 * Small files arrive whole from the read-ahead, already hashed on a worker thread; large ones
 * stream through a hashing transform into archiver.
 */
import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import { type Readable, Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { ZipArchive, type ZipEntryData } from 'archiver';
import { InternalError, ValidationError } from '#core/errors.ts';
import { BAGIT_TXT, payloadOxum, renderBagInfo } from './bag-info.ts';
import { DEFLATE_LEVEL, EntryPreparer, type PreparedEntry, shouldStore } from './compression.ts';
import { MAX_ENTRY_BYTES } from './limits.ts';
import { type ManifestLine, renderFetch, renderManifest } from './manifest.ts';
import { assertAfter, assertBagName, assertSafePath, compareBytes } from './paths.ts';
import { prefetch } from './prefetch.ts';
import { renderReadme } from './readme.ts';
import { publicKeyFingerprint } from './signer.ts';
import type { BagResult, FetchEntry, PayloadEntry, WriteBagOptions } from './types.ts';

export const FILE_MODE = 0o644;
export const DIR_MODE = 0o755;
const COALESCE_BYTES = 256 * 1024;
const PASS_THROUGH_BYTES = 64 * 1024;
/** Buffer size of archiver's streams (its own and its zip engine's). */
const ARCHIVER_BUFFER_BYTES = 1024 * 1024;
/** How far ahead of archiver small entries are queued (count and bytes), on top of the read-ahead. */
const QUEUED_ENTRIES = 4;
const QUEUED_BYTES = 4 * 1024 * 1024;

/** Counts and hashes bytes passing through, without holding them. */
class HashingCounter extends Transform {
  readonly hash: Hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

/** Hashes a payload stream on its way into archiver and stops it as soon as it overruns its declared size. */
class PayloadHasher extends Transform {
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
class Coalesce extends Transform {
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

function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function tooLargeError(bagName: string, where: string, path: string, size: number): ValidationError {
  return new ValidationError('BagEntryTooLarge', [
    {
      file: bagName,
      path: where,
      message:
        `data/${path} is ${size} bytes: a zip entry must stay below 4 GiB. Reference it through fetch.txt ` +
        '(a FetchEntry with its URL, size and SHA-256) or split it with splitLargeEntry() into parts below 4 GiB',
    },
  ]);
}

function assertSize(bagName: string, where: string, path: string, size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new ValidationError('InvalidBagEntrySize', [
      { file: bagName, path: where, message: `size of data/${path} must be a non-negative integer` },
    ]);
  }
  if (size > MAX_ENTRY_BYTES) throw tooLargeError(bagName, where, path, size);
}

function validateFetch(bagName: string, fetch: readonly FetchEntry[]): FetchEntry[] {
  const sorted = [...fetch].sort((a, b) => compareBytes(a.path, b.path));
  let previous: string | undefined;
  sorted.forEach((f, i) => {
    const where = `fetch[${i}]`;
    assertSafePath(f.path, `${where}.path`, bagName);
    assertAfter(previous, f.path, `${where}.path`, bagName);
    previous = f.path;
    if (!Number.isSafeInteger(f.size) || f.size < 0) {
      throw new ValidationError('InvalidFetchEntry', [
        { file: bagName, path: `${where}.size`, message: 'expected a non-negative integer' },
      ]);
    }
    if (!/^[0-9a-f]{64}$/.test(f.sha256)) {
      throw new ValidationError('InvalidFetchEntry', [
        { file: bagName, path: `${where}.sha256`, message: 'expected 64 lower-case hex digits' },
      ]);
    }
    if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(f.url)) {
      throw new ValidationError('InvalidFetchEntry', [
        { file: bagName, path: `${where}.url`, message: 'expected an absolute URL without spaces' },
      ]);
    }
  });
  return sorted;
}

function sizeMismatch(entry: PayloadEntry, actual: number): InternalError {
  return new InternalError(
    'PayloadSizeMismatch',
    `data/${entry.path} was declared ${entry.size} bytes but its stream yielded ${actual}${actual > entry.size ? ' or more' : ''}`,
  );
}

/** Each zip entry path's parent folders, shallowest first: `a/b/c` → `a/`, `a/b/`. */
function parentDirs(path: string): string[] {
  const segments = path.split('/');
  return segments.slice(0, -1).map((_, i) => `${segments.slice(0, i + 1).join('/')}/`);
}

/**
 * archiver's zip engine (zip-stream). A Buffer entry is written into it in one go and its callback
 * fires at once, whatever the sink's pace: the writer waits on this stream's own backpressure
 * before appending more, or a slow sink would let stored files pile up in memory.
 */
function zipEngineOf(archive: ZipArchive): Writable | undefined {
  const engine = (archive as unknown as { _module?: { engine?: unknown } })._module?.engine;
  return engine !== null && typeof engine === 'object' && 'writableNeedDrain' in engine
    ? (engine as Writable)
    : undefined;
}

/**
 * CRC-32 of a stored entry streamed through archiver's engine, with zlib's native crc32 instead of
 * crc32-stream's pure-JS one (the main thread's biggest cost for stored multi-MB files); it offers
 * the same digest()/size() the engine reads once the entry ends.
 */
class NativeCrc32Stream extends Transform {
  private crc = 0;
  private bytes = 0;
  constructor() {
    super({ highWaterMark: ARCHIVER_BUFFER_BYTES });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.crc = crc32(chunk, this.crc);
    this.bytes += chunk.length;
    done(null, chunk);
  }
  digest(): Buffer {
    const out = Buffer.allocUnsafe(4);
    out.writeUInt32BE(this.crc >>> 0, 0);
    return out;
  }
  size(): number {
    return this.bytes;
  }
}

/** The parts of compress-commons' zip entry the prepared-entry path touches. */
interface ZipEngineEntry {
  getMethod(): number;
  setCrc(crc: number): void;
  setSize(size: number): void;
  setCompressedSize(size: number): void;
}

/** The zip engine's own entry steps (compress-commons' ZipArchiveOutputStream), as the prepared path reuses them. */
interface ZipEngineInternals {
  _appendBuffer(ae: ZipEngineEntry, source: Buffer, callback: (err: Error | null, ae?: ZipEngineEntry) => void): void;
  _writeLocalFileHeader(ae: ZipEngineEntry): void;
  _afterAppend(ae: ZipEngineEntry): void;
  _smartStream(ae: ZipEngineEntry, callback: (err: Error | null, ae?: ZipEngineEntry) => void): Transform;
  write(chunk: Buffer): boolean;
}

const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;

/**
 * Lets archiver's zip engine take a small entry already prepared on a worker thread (CRC-32 and,
 * when deflated, the raw deflate stream, made with archiver's own zlib options). Without it the
 * engine computes the CRC in pure JS and opens a zlib stream per entry, a thread-pool round trip
 * each: for thousands of small text files that, not the bytes, was the cost. The engine still
 * writes every header, data descriptor and central-directory record itself, exactly as for its
 * own deflate stream. Buffers it was not told about (tag files, directories) take its usual path.
 * Returns undefined when the engine's shape is not the one known (the usual path then serves all).
 */
function acceptPrepared(engine: Writable | undefined): WeakMap<Buffer, PreparedEntry> | undefined {
  const internals = engine as unknown as Partial<ZipEngineInternals> | undefined;
  if (
    typeof internals?._appendBuffer !== 'function' ||
    typeof internals._writeLocalFileHeader !== 'function' ||
    typeof internals._afterAppend !== 'function'
  ) {
    return undefined;
  }
  const known = internals as ZipEngineInternals;
  if (typeof known._smartStream === 'function') {
    const usualSmart = known._smartStream;
    // Same steps as the engine's own _smartStream for a stored entry, only the CRC is native.
    known._smartStream = function smartStored(ae, callback) {
      if (ae.getMethod() !== METHOD_STORED) return usualSmart.call(this, ae, callback);
      const crc = new NativeCrc32Stream();
      let error: Error | null = null;
      crc.once('end', () => {
        ae.setCrc(crc.digest().readUInt32BE(0));
        ae.setSize(crc.size());
        ae.setCompressedSize(crc.size());
        this._afterAppend(ae);
        callback(error, ae);
      });
      crc.once('error', (err: Error) => {
        error = err;
      });
      crc.pipe(this as unknown as Writable, { end: false });
      return crc;
    };
  }
  const prepared = new WeakMap<Buffer, PreparedEntry>();
  const usual = known._appendBuffer;
  known._appendBuffer = function appendPrepared(ae, source, callback) {
    const ready = prepared.get(source);
    const method = ae.getMethod();
    const body = method === METHOD_DEFLATED ? ready?.deflated : method === METHOD_STORED ? source : undefined;
    if (ready === undefined || body === undefined || source.length === 0) {
      usual.call(this, ae, source, callback);
      return;
    }
    prepared.delete(source);
    ae.setCrc(ready.crc);
    ae.setSize(source.length);
    ae.setCompressedSize(body.length);
    this._writeLocalFileHeader(ae);
    this.write(body);
    this._afterAppend(ae);
    callback(null, ae);
  };
  return prepared;
}

/** The parts of archiver's core (archiver 8, lib/core.js) that hand one finished entry to the next. */
interface ArchiverCore {
  _moduleAppend(source: unknown, data: unknown, callback: () => void): void;
  _module: { append(source: unknown, data: unknown, callback: (err?: Error | null) => void): void };
  _state: { aborted: boolean };
  _task: unknown;
  _shutdown(): void;
  _entriesCount: number;
  _entriesProcessedCount: number;
  _fsEntriesTotalBytes: number;
  _fsEntriesProcessedBytes: number;
  emit(event: string, ...args: unknown[]): boolean;
}

/**
 * archiver starts its next queued entry with setImmediate once one is appended, so it takes at most
 * one entry per event-loop turn, and every turn polls for I/O: with thousands of small entries that
 * was a tenth of the small-file phase (1 GB bench, A/B on the same bundle: 4.3–4.8 s against
 * 5.0–5.2 s for the 15k small files). This replaces its _moduleAppend with the same steps (events,
 * counters, abort handling) ending in process.nextTick. I/O is not starved: the writer keeps at most
 * QUEUED_ENTRIES entries queued in archiver. Left alone when archiver's shape is not the known one.
 */
function appendWithoutLoopTurns(archive: ZipArchive): boolean {
  const core = archive as unknown as Partial<ArchiverCore>;
  if (
    typeof core._moduleAppend !== 'function' ||
    typeof core._module?.append !== 'function' ||
    typeof core._shutdown !== 'function' ||
    typeof core._state?.aborted !== 'boolean' ||
    typeof core._entriesProcessedCount !== 'number'
  ) {
    return false;
  }
  const known = core as ArchiverCore;
  known._moduleAppend = function moduleAppend(this: ArchiverCore, source, data, callback) {
    if (this._state.aborted) {
      callback();
      return;
    }
    this._module.append(source, data, (err) => {
      this._task = null;
      if (this._state.aborted) {
        this._shutdown();
        return;
      }
      if (err) {
        this.emit('error', err);
        process.nextTick(callback);
        return;
      }
      this.emit('entry', data);
      this._entriesProcessedCount++;
      const size = (data as { stats?: { size?: number } }).stats?.size;
      if (size) this._fsEntriesProcessedBytes += size;
      this.emit('progress', {
        entries: { total: this._entriesCount, processed: this._entriesProcessedCount },
        fs: { totalBytes: this._fsEntriesTotalBytes, processedBytes: this._fsEntriesProcessedBytes },
      });
      process.nextTick(callback);
    });
  };
  return true;
}

/** Engine writes below this size (header fields, data descriptors, tag files) are gathered. */
const ENGINE_SMALL_WRITE_BYTES = 4 * 1024;
const ENGINE_BATCH_BYTES = 64 * 1024;

/**
 * Gathers the zip engine's small writes into one buffer before they enter its stream. The engine
 * writes each header field separately (a dozen writes per local header, twenty per central-directory
 * record): for thousands of small files that was most of the stream machinery per entry, and at
 * finalize the central directory of 15k entries went in as ~300k tiny writes in one synchronous
 * loop, a 50 MB heap spike. Order is kept: any larger write (entry data, piped or whole) and end()
 * flush what is gathered first. compress-commons counts `offset` (where each header goes in the
 * central directory) in its write(), so gathered bytes are counted at once and the flush, which
 * goes through that same write(), is compensated. Returns false when the engine is not the known shape.
 */
function batchSmallWrites(engine: Writable | undefined): boolean {
  const target = engine as unknown as
    | { write?: unknown; end?: unknown; offset?: unknown; writableNeedDrain?: boolean }
    | undefined;
  if (typeof target?.write !== 'function' || typeof target.end !== 'function' || typeof target.offset !== 'number') {
    return false;
  }
  const stream = target as { offset: number; writableNeedDrain: boolean };
  const write = target.write as (this: unknown, chunk: unknown, cb?: unknown) => boolean;
  const end = target.end as (this: unknown, ...args: unknown[]) => unknown;
  let gathered: Buffer[] = [];
  let length = 0;
  const flush = (self: unknown): boolean => {
    if (length === 0) return true;
    const chunk = gathered.length === 1 ? (gathered[0] as Buffer) : Buffer.concat(gathered, length);
    gathered = [];
    length = 0;
    stream.offset -= chunk.length; // counted when gathered; write() counts it again
    return write.call(self, chunk);
  };
  target.write = function gatheringWrite(this: unknown, chunk: unknown, cb?: unknown): boolean {
    if (Buffer.isBuffer(chunk) && chunk.length < ENGINE_SMALL_WRITE_BYTES && cb === undefined) {
      gathered.push(chunk);
      length += chunk.length;
      stream.offset += chunk.length;
      return length >= ENGINE_BATCH_BYTES ? flush(this) : !stream.writableNeedDrain;
    }
    flush(this);
    return write.call(this, chunk, cb);
  };
  target.end = function gatheringEnd(this: unknown, ...args: unknown[]): unknown {
    flush(this);
    return end.apply(this, args);
  };
  return true;
}

/**
 * Installs the writer's speed-ups on a fresh ZipArchive (each checks archiver's shape and steps aside
 * when it is not the known one, so an archiver upgrade costs speed, never correctness). Exported so a
 * test notices when one of them no longer applies.
 */
export function tuneArchiver(archive: ZipArchive): {
  preparedFor: WeakMap<Buffer, PreparedEntry> | undefined;
  gathersHeaders: boolean;
  chainsEntries: boolean;
} {
  const engine = zipEngineOf(archive);
  return {
    preparedFor: acceptPrepared(engine),
    gathersHeaders: batchSmallWrites(engine),
    chainsEntries: appendWithoutLoopTurns(archive),
  };
}

/**
 * Writes the bag as a zip into `opts.sink` and resolves once the sink has finished (for the
 * multipart sink: the upload is complete; for the file sink: the file is renamed into place).
 * On any error the sink is destroyed with it, so nothing partial is ever published.
 */
export async function writeBag(opts: WriteBagOptions): Promise<BagResult> {
  const { bagName, sink, now, signer } = opts;
  const archive = new ZipArchive({
    zlib: { level: DEFLATE_LEVEL },
    // UTC DOS times: the bagging time is a UTC instant; local time would vary by host.
    forceLocalTime: false,
    // Only file()/directory()/glob() stat; append() (all we use) goes straight to the ordered queue.
    statConcurrency: 1,
    highWaterMark: ARCHIVER_BUFFER_BYTES,
  });
  const engine = zipEngineOf(archive);
  const { preparedFor } = tuneArchiver(archive);
  const out = new HashingCounter();
  // Started at once so backpressure from the sink reaches the archive from the first byte.
  const piping = pipeline(archive, new Coalesce(), out, sink);
  let failure: unknown;
  let rejectFailed: (err: unknown) => void = () => undefined;
  /** Rejects on the first error of archiver or the pipeline: whatever is awaited races it, so nothing hangs. */
  const failed = new Promise<never>((_, reject) => {
    rejectFailed = reject;
  });
  failed.catch(() => undefined);
  const fail = (err: unknown): void => {
    failure ??= err;
    rejectFailed(failure);
  };
  archive.on('warning', fail);
  archive.on('error', fail);
  piping.catch(fail);

  /**
   * Entries handed to archiver's queue whose bytes it has not consumed yet. Small entries are queued a
   * few ahead: archiver handles one at a time, and waiting for each one's callback before appending the
   * next left the main thread idle between entries (a zlib round trip on the thread pool per entry).
   */
  const queued: Promise<void>[] = [];
  let queuedBytes = 0;
  const settle = async (keep: number): Promise<void> => {
    while (queued.length > keep) await Promise.race([queued.shift(), failed]);
    if (queued.length === 0) queuedBytes = 0;
    if (failure !== undefined) throw failure;
    if (engine?.writableNeedDrain) await Promise.race([once(engine, 'drain'), failed]);
  };
  /** Queues one entry in archiver; with `wait`, resolves once archiver has consumed everything queued. */
  const append = async (source: Readable | Buffer, data: ZipEntryData, wait = true): Promise<void> => {
    if (failure !== undefined) throw failure;
    queued.push(
      new Promise<void>((resolve) => {
        archive.append(source, { ...data, callback: resolve } as ZipEntryData);
      }),
    );
    if (Buffer.isBuffer(source)) queuedBytes += source.length;
    await settle(wait ? 0 : queuedBytes > QUEUED_BYTES ? 0 : QUEUED_ENTRIES);
  };
  const tag = (name: string, content: string | Uint8Array): Promise<void> =>
    append(Buffer.from(content), { name: `${bagName}/${name}`, date: now, mode: FILE_MODE });
  const dir = (name: string, wait = true): Promise<void> =>
    append(Buffer.alloc(0), { name: `${bagName}/${name}`, type: 'directory', date: now, mode: DIR_MODE }, wait);
  const preparer = new EntryPreparer();

  try {
    assertBagName(bagName);
    const { totals } = opts;
    if (
      !Number.isSafeInteger(totals.bytes) ||
      totals.bytes < 0 ||
      !Number.isSafeInteger(totals.files) ||
      totals.files < 0
    ) {
      throw new ValidationError('InvalidBagTotals', [
        { file: bagName, path: 'totals', message: 'expected non-negative integers' },
      ]);
    }
    const fetch = validateFetch(bagName, opts.fetch ?? []);
    const fetchBytes = fetch.reduce((sum, f) => sum + f.size, 0);
    // Payload-Oxum describes the complete bag: embedded files plus those fetch.txt brings in.
    const oxum = payloadOxum(totals.bytes + fetchBytes, totals.files + fetch.length);
    const publicKeyPem = await signer.publicKeyPem();
    const signerFingerprint = publicKeyFingerprint(publicKeyPem);
    const readme = renderReadme({ bagName, hasFetch: fetch.length > 0, splitFiles: opts.splitFiles ?? [] });
    const bagInfo = renderBagInfo(opts.bagInfo, now, oxum);
    const fetchTxt = fetch.length > 0 ? renderFetch(fetch.map((f) => ({ ...f, path: `data/${f.path}` }))) : undefined;
    const tagFiles = new Map<string, string>([
      ['README-VERIFY.md', readme],
      ['bag-info.txt', bagInfo],
      ['bagit.txt', BAGIT_TXT],
    ]);

    await dir('');
    for (const [name, content] of tagFiles) await tag(name, content);
    await dir('data/');

    const manifest: ManifestLine[] = [];
    const files = new Set<string>();
    const dirs = new Set<string>();
    let previous: string | undefined;
    let streamedBytes = 0;
    let streamedFiles = 0;
    // Small files are hashed, CRC'd and (text) deflated off the main thread; archiver's engine takes the result.
    const prepare = (entry: PayloadEntry, bytes: Buffer): Promise<PreparedEntry> =>
      preparer.prepare(bytes, preparedFor !== undefined && !shouldStore(entry.path, entry.size, entry.compressible));
    for await (const { entry, prepared } of prefetch(opts.payload, prepare)) {
      const where = `payload[${streamedFiles}]`;
      assertSafePath(entry.path, `${where}.path`, bagName);
      assertAfter(previous, entry.path, `${where}.path`, bagName);
      assertSize(bagName, where, entry.path, entry.size);
      previous = entry.path;
      streamedFiles++;
      streamedBytes += entry.size;
      if (streamedFiles > totals.files || streamedBytes > totals.bytes) {
        throw new InternalError(
          'PayloadOxumMismatch',
          `payload exceeds the declared totals ${totals.bytes}.${totals.files}`,
        );
      }
      for (const parent of parentDirs(entry.path)) {
        if (dirs.has(parent)) continue;
        if (files.has(parent.slice(0, -1))) {
          throw new ValidationError('BagPathConflict', [
            {
              file: bagName,
              path: `${where}.path`,
              message: `data/${parent.slice(0, -1)} is both a file and a folder`,
            },
          ]);
        }
        dirs.add(parent);
        await dir(`data/${parent}`, false);
      }
      files.add(entry.path);
      const zipEntry: ZipEntryData = {
        name: `${bagName}/data/${entry.path}`,
        date: entry.mtime ?? now,
        mode: FILE_MODE,
        store: shouldStore(entry.path, entry.size, entry.compressible),
      };
      if (prepared) {
        const ready = await prepared;
        if (ready.data.length !== entry.size) throw sizeMismatch(entry, ready.data.length);
        preparedFor?.set(ready.data, ready);
        await append(ready.data, zipEntry, false);
        manifest.push({ sha256: ready.sha256, path: `data/${entry.path}` });
        continue;
      }
      // One payload stream open at a time: whatever is queued goes out before this one opens.
      await settle(0);
      const hasher = new PayloadHasher(entry);
      const source = await entry.open();
      const feeding = pipeline(source, hasher);
      feeding.catch(fail);
      await append(hasher, zipEntry);
      await Promise.race([feeding, failed]);
      if (hasher.bytes !== entry.size) throw sizeMismatch(entry, hasher.bytes);
      manifest.push({ sha256: hasher.hash.digest('hex'), path: `data/${entry.path}` });
    }
    if (streamedFiles !== totals.files || streamedBytes !== totals.bytes) {
      throw new InternalError(
        'PayloadOxumMismatch',
        `declared totals ${totals.bytes}.${totals.files} but streamed ${streamedBytes}.${streamedFiles}`,
      );
    }
    for (const [i, f] of fetch.entries()) {
      if (files.has(f.path) || dirs.has(`${f.path}/`)) {
        throw new ValidationError('BagPathConflict', [
          { file: bagName, path: `fetch[${i}].path`, message: `data/${f.path} is both fetched and embedded` },
        ]);
      }
      manifest.push({ sha256: f.sha256, path: `data/${f.path}` });
    }

    const manifestTxt = renderManifest(manifest);
    if (fetchTxt !== undefined) {
      tagFiles.set('fetch.txt', fetchTxt);
      await tag('fetch.txt', fetchTxt);
    }
    tagFiles.set('manifest-sha256.txt', manifestTxt);
    await tag('manifest-sha256.txt', manifestTxt);
    tagFiles.set('signer-public-key.pem', publicKeyPem);
    await tag('signer-public-key.pem', publicKeyPem);
    const tagManifest = Buffer.from(
      renderManifest([...tagFiles].map(([name, content]) => ({ sha256: sha256Hex(content), path: name }))),
    );
    await tag('tagmanifest-sha256.txt', tagManifest);
    const signature = await signer.sign(tagManifest);
    await tag('tagmanifest-sha256.txt.sig', signature);

    await Promise.race([archive.finalize(), failed]);
    await piping;
    return {
      bagName,
      zipName: `${bagName}.zip`,
      zipBytes: out.bytes,
      zipSha256: out.hash.digest('hex'),
      payloadOxum: oxum,
      manifestText: manifestTxt,
      tagManifestSha256: sha256Hex(tagManifest),
      signerFingerprint,
    };
  } catch (err) {
    archive.abort();
    archive.destroy(err as Error);
    out.destroy(err as Error);
    if (!sink.destroyed) sink.destroy(err as Error);
    // Settle only once the sink has cleaned up (temp file removed, multipart upload aborted).
    if (!sink.closed) await new Promise<void>((resolve) => sink.once('close', () => resolve()));
    throw err;
  } finally {
    await preparer.close();
  }
}
