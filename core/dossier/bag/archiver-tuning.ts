/**
 * The writer's speed-ups on archiver 8 and its zip engine (zip-stream / compress-commons): native
 * CRC-32 for stored streams, small entries prepared on a worker thread, small header writes gathered,
 * and entries chained without an event-loop turn each. Each one checks archiver's shape and steps
 * aside when it is not the known one, so an archiver upgrade costs speed, never correctness. They
 * live apart from the writer because they reach into archiver's internals: one place to re-check
 * when archiver changes (writer.test.ts fails when one of them no longer applies).
 */
import type { Writable } from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';
import type { ZipArchive } from 'archiver';
import type { PreparedEntry } from './compression.ts';
import { ARCHIVER_BUFFER_BYTES } from './writer-streams.ts';

/**
 * archiver's zip engine (zip-stream). A Buffer entry is written into it in one go and its callback
 * fires at once, whatever the sink's pace: the writer waits on this stream's own backpressure
 * before appending more, or a slow sink would let stored files pile up in memory.
 */
export function zipEngineOf(archive: ZipArchive): Writable | undefined {
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
