/**
 * The streaming BagIt writer: one pass, one payload stream open at a time, the zip streamed
 * straight into the sink (a multipart upload or a temp file). Memory holds only the manifest
 * lines (one per file), never file contents.
 *
 * Zip entries are written in byte-wise order of their full path, which is also the order in
 * which everything they contain becomes known:
 *   <bag>/ · README-VERIFY.md · bag-info.txt · bagit.txt · data/… · fetch.txt ·
 *   manifest-sha256.txt · signer-public-key.pem · tagmanifest-sha256.txt · tagmanifest-sha256.txt.sig
 * README, bag-info (Payload-Oxum comes from the declared totals, checked against what streamed)
 * and bagit.txt are known up front; the manifest after the payload; the tag manifest and its
 * signature last.
 *
 * The zip itself is written here (no archiver): small entries arrive whole from the read-ahead,
 * already hashed, CRC'd and deflated on worker threads (compression.ts EntryPreparer), and go out as
 * header + data with their CRC and sizes known; large ones stream with a data descriptor. A zlib
 * stream per small file (what archiver does) cost more CPU, garbage and native memory than the
 * files themselves, and kept all the work on the main thread.
 */
import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, createDeflateRaw } from 'node:zlib';
import { InternalError, ValidationError } from '#core/errors.ts';
import { BAGIT_TXT, payloadOxum, renderBagInfo } from './bag-info.ts';
import { DEFLATE_LEVEL, EntryPreparer, type PreparedEntry, prepareHere, shouldStore } from './compression.ts';
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

/**
 * Archiver emits many tiny writes (4-byte header fields); gathering them into 256 KiB chunks
 * turns thousands of sink writes (syscalls, upload buffer appends) per small file into a few.
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

const ZIP64_LIMIT = 0xffffffff;
const UTF8_NAMES = 0x0800;
const DATA_DESCRIPTOR = 0x0008;
const VERSION_MADE_BY = (3 << 8) | 45; // Unix, spec 4.5
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

/** MS-DOS date and time in UTC (the bagging time is a UTC instant; local time would vary by host). */
function dosDateTime(d: Date): { date: number; time: number } {
  const year = d.getUTCFullYear();
  if (year < 1980) return { date: (1 << 5) | 1, time: 0 };
  if (year > 2107) return { date: (127 << 9) | (12 << 5) | 31, time: (23 << 11) | (59 << 5) | 29 };
  return {
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
  };
}

interface ZipEntryMeta {
  name: string;
  date: Date;
  mode: number;
  directory?: boolean;
}

/**
 * A forward-only zip writer: local header, data, (data descriptor), and the central directory at
 * the end; ZIP64 records only where an offset, the directory or the entry count needs them (no
 * entry is ever 4 GiB: the writer refuses those). Keeps one central record (~100 bytes) per entry.
 */
class ZipOut {
  private offset = 0;
  private readonly central: Buffer[] = [];
  private centralBytes = 0;

  constructor(private readonly emit: (chunk: Buffer) => Promise<void>) {}

  private async write(chunk: Buffer): Promise<void> {
    this.offset += chunk.length;
    await this.emit(chunk);
  }

  private localHeader(
    name: Buffer,
    flags: number,
    method: number,
    dos: { date: number; time: number },
    crc: number,
    compressed: number,
    size: number,
  ): Buffer {
    const h = Buffer.alloc(30 + name.length);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(flags, 6);
    h.writeUInt16LE(method, 8);
    h.writeUInt16LE(dos.time, 10);
    h.writeUInt16LE(dos.date, 12);
    h.writeUInt32LE(crc >>> 0, 14);
    h.writeUInt32LE(compressed, 18);
    h.writeUInt32LE(size, 22);
    h.writeUInt16LE(name.length, 26);
    h.writeUInt16LE(0, 28);
    name.copy(h, 30);
    return h;
  }

  private record(
    meta: ZipEntryMeta,
    name: Buffer,
    flags: number,
    method: number,
    crc: number,
    compressed: number,
    size: number,
    localOffset: number,
  ): void {
    const dos = dosDateTime(meta.date);
    const zip64 = localOffset >= ZIP64_LIMIT;
    const extra = zip64 ? Buffer.alloc(28) : Buffer.alloc(0);
    if (zip64) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(size), 4);
      extra.writeBigUInt64LE(BigInt(compressed), 12);
      extra.writeBigUInt64LE(BigInt(localOffset), 20);
    }
    const c = Buffer.alloc(46 + name.length + extra.length);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(VERSION_MADE_BY, 4);
    c.writeUInt16LE(zip64 ? 45 : 20, 6);
    c.writeUInt16LE(flags, 8);
    c.writeUInt16LE(method, 10);
    c.writeUInt16LE(dos.time, 12);
    c.writeUInt16LE(dos.date, 14);
    c.writeUInt32LE(crc >>> 0, 16);
    c.writeUInt32LE(zip64 ? ZIP64_LIMIT : compressed, 20);
    c.writeUInt32LE(zip64 ? ZIP64_LIMIT : size, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt16LE(extra.length, 30);
    c.writeUInt16LE(0, 32); // comment
    c.writeUInt16LE(0, 34); // disk
    c.writeUInt16LE(0, 36); // internal attributes
    const type = meta.directory ? S_IFDIR : S_IFREG;
    c.writeUInt32LE((((meta.mode | type) << 16) | (meta.directory ? 0x10 : 0x20)) >>> 0, 38);
    c.writeUInt32LE(zip64 ? ZIP64_LIMIT : localOffset, 42);
    name.copy(c, 46);
    extra.copy(c, 46 + name.length);
    this.central.push(c);
    this.centralBytes += c.length;
  }

  /** An entry whose bytes are all known: stored, or deflated when `prepared.deflated` is there. */
  async addBuffer(meta: ZipEntryMeta, prepared: Pick<PreparedEntry, 'data' | 'crc' | 'deflated'>): Promise<void> {
    const { data, crc, deflated } = prepared;
    const name = Buffer.from(meta.name, 'utf8');
    const method = deflated === undefined ? 0 : 8;
    const body = deflated ?? data;
    const at = this.offset;
    await this.write(this.localHeader(name, UTF8_NAMES, method, dosDateTime(meta.date), crc, body.length, data.length));
    if (body.length > 0) await this.write(body);
    this.record(meta, name, UTF8_NAMES, method, crc, body.length, data.length, at);
  }

  /** An entry streamed in: CRC and sizes follow the data in a data descriptor. */
  async addStream(meta: ZipEntryMeta, source: AsyncIterable<Buffer>, deflate: boolean): Promise<number> {
    const name = Buffer.from(meta.name, 'utf8');
    const flags = UTF8_NAMES | DATA_DESCRIPTOR;
    const method = deflate ? 8 : 0;
    const at = this.offset;
    await this.write(this.localHeader(name, flags, method, dosDateTime(meta.date), 0, 0, 0));
    let crc = 0;
    let size = 0;
    let compressed = 0;
    if (deflate) {
      const z = createDeflateRaw({ level: DEFLATE_LEVEL });
      const feeding = (async () => {
        try {
          for await (const chunk of source) {
            crc = crc32(chunk, crc);
            size += chunk.length;
            if (!z.write(chunk)) await once(z, 'drain');
          }
          z.end();
        } catch (err) {
          z.destroy(err as Error);
        }
      })();
      for await (const out of z as AsyncIterable<Buffer>) {
        compressed += out.length;
        await this.write(out);
      }
      await feeding;
    } else {
      for await (const chunk of source) {
        crc = crc32(chunk, crc);
        size += chunk.length;
        await this.write(chunk);
      }
      compressed = size;
    }
    const d = Buffer.alloc(16);
    d.writeUInt32LE(0x08074b50, 0);
    d.writeUInt32LE(crc >>> 0, 4);
    d.writeUInt32LE(compressed, 8);
    d.writeUInt32LE(size, 12);
    await this.write(d);
    this.record(meta, name, flags, method, crc, compressed, size, at);
    return size;
  }

  async finish(): Promise<void> {
    const start = this.offset;
    const size = this.centralBytes;
    // Emitted in slices so no single buffer the size of the whole directory is built.
    for (let i = 0; i < this.central.length; i += 512) await this.write(Buffer.concat(this.central.slice(i, i + 512)));
    const count = this.central.length;
    const end = this.offset;
    const zip64 = count >= 0xffff || start >= ZIP64_LIMIT || size >= ZIP64_LIMIT;
    if (zip64) {
      const r = Buffer.alloc(56 + 20);
      r.writeUInt32LE(0x06064b50, 0);
      r.writeBigUInt64LE(44n, 4);
      r.writeUInt16LE(VERSION_MADE_BY, 12);
      r.writeUInt16LE(45, 14);
      r.writeUInt32LE(0, 16);
      r.writeUInt32LE(0, 20);
      r.writeBigUInt64LE(BigInt(count), 24);
      r.writeBigUInt64LE(BigInt(count), 32);
      r.writeBigUInt64LE(BigInt(size), 40);
      r.writeBigUInt64LE(BigInt(start), 48);
      r.writeUInt32LE(0x07064b50, 56);
      r.writeUInt32LE(0, 60);
      r.writeBigUInt64LE(BigInt(end), 64);
      r.writeUInt32LE(1, 72);
      await this.write(r);
    }
    const e = Buffer.alloc(22);
    e.writeUInt32LE(0x06054b50, 0);
    e.writeUInt16LE(zip64 ? 0xffff : count, 8);
    e.writeUInt16LE(zip64 ? 0xffff : count, 10);
    e.writeUInt32LE(zip64 ? ZIP64_LIMIT : size, 12);
    e.writeUInt32LE(zip64 ? ZIP64_LIMIT : start, 16);
    await this.write(e);
    this.central.length = 0;
  }
}

const EMPTY = Buffer.alloc(0);

/** Streams one large entry into the zip, hashing it on the way; returns its SHA-256 (hex). */
async function streamEntry(zip: ZipOut, entry: PayloadEntry, meta: ZipEntryMeta, deflate: boolean): Promise<string> {
  const hash = createHash('sha256');
  let seen = 0;
  const source = await entry.open();
  const hashed = (async function* () {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      seen += chunk.length;
      if (seen > entry.size) throw sizeMismatch(entry, seen);
      hash.update(chunk);
      yield chunk;
    }
  })();
  try {
    await zip.addStream(meta, hashed, deflate);
  } finally {
    source.destroy();
  }
  if (seen !== entry.size) throw sizeMismatch(entry, seen);
  return hash.digest('hex');
}

/**
 * Writes the bag as a zip into `opts.sink` and resolves once the sink has finished (for the
 * multipart sink: the upload is complete; for the file sink: the file is renamed into place).
 * On any error the sink is destroyed with it, so nothing partial is ever published.
 */
export async function writeBag(opts: WriteBagOptions): Promise<BagResult> {
  const { bagName, sink, now, signer } = opts;
  const head = new Coalesce();
  const out = new HashingCounter();
  // Started at once so backpressure from the sink reaches the writer from the first byte.
  const piping = pipeline(head, out, sink);
  let pipeError: unknown;
  piping.catch((err: unknown) => {
    pipeError ??= err;
  });
  const emit = async (chunk: Buffer): Promise<void> => {
    if (pipeError !== undefined) throw pipeError;
    if (head.destroyed) throw new InternalError('BagSinkClosed', 'the zip output closed before the bag was complete');
    // once() rejects when the stream errors (pipeline destroys every stage with the error).
    if (!head.write(chunk)) await once(head, 'drain');
  };
  const zip = new ZipOut(emit);
  const preparer = new EntryPreparer();
  const tag = async (name: string, content: string | Uint8Array): Promise<void> => {
    const bytes = Buffer.from(content);
    const meta = { name: `${bagName}/${name}`, date: now, mode: FILE_MODE };
    await zip.addBuffer(meta, prepareHere(bytes, bytes.length > 0));
  };
  const dir = (name: string): Promise<void> =>
    zip.addBuffer({ name: `${bagName}/${name}`, date: now, mode: DIR_MODE, directory: true }, { data: EMPTY, crc: 0 });

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
    const compress = (entry: PayloadEntry): boolean => !shouldStore(entry.path, entry.size, entry.compressible);
    const prepare = (entry: PayloadEntry, bytes: Buffer): Promise<PreparedEntry> =>
      preparer.prepare(bytes, compress(entry) && bytes.length === entry.size);
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
        await dir(`data/${parent}`);
      }
      files.add(entry.path);
      const meta = { name: `${bagName}/data/${entry.path}`, date: entry.mtime ?? now, mode: FILE_MODE };
      if (prepared) {
        const ready = await prepared;
        if (ready.data.length !== entry.size) throw sizeMismatch(entry, ready.data.length);
        await zip.addBuffer(meta, ready);
        manifest.push({ sha256: ready.sha256, path: `data/${entry.path}` });
        continue;
      }
      manifest.push({ sha256: await streamEntry(zip, entry, meta, compress(entry)), path: `data/${entry.path}` });
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

    await zip.finish();
    head.end();
    await piping;
    return {
      bagName,
      zipName: `${bagName}.zip`,
      zipBytes: out.bytes,
      zipSha256: out.hash.digest('hex'),
      payloadOxum: oxum,
      tagManifestSha256: sha256Hex(tagManifest),
      signerFingerprint,
    };
  } catch (err) {
    head.destroy(err as Error);
    out.destroy(err as Error);
    if (!sink.destroyed) sink.destroy(err as Error);
    // Settle only once the sink has cleaned up (temp file removed, multipart upload aborted).
    if (!sink.closed) await new Promise<void>((resolve) => sink.once('close', () => resolve()));
    throw err;
  } finally {
    await preparer.close();
  }
}
