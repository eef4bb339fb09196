/**
 * Streaming zip reader: walks local file headers front to back (random access, which the central
 * directory needs, is what an S3 stream does not give). Stored and deflated entries; sizes from the
 * local header, its zip64 extra field, or — for entries written to a pipe (flag bit 3) — from the data
 * descriptor, found by scanning for its signature and checking the compressed size it states.
 *
 * The central directory at the end is then read too, and every record is compared with the local
 * header (and data descriptor) it points at, and with the CRC-32 of the data that was read: `unzip`
 * goes by the central directory, so an archive whose two descriptions disagree would restore
 * different files with it than the ones this reader checked (core/zip/headers.ts). Entries are handed
 * out as they stream, so a disagreement surfaces as the error ending the iteration, naming the entry.
 */
import { pipeline, Readable } from 'node:stream';
import { crc32, createInflateRaw } from 'node:zlib';
import { ValidationError } from '../errors.ts';
import {
  CENTRAL_HEADER_BYTES,
  CENTRAL_HEADER_SIGNATURE,
  descriptorAgreeingWith,
  descriptorBytes,
  FLAG_DATA_DESCRIPTOR,
  headerDisagreements,
  headerMismatch,
  LOCAL_HEADER_BYTES,
  type LocalHeader,
  parseCentralHeader,
  parseDataDescriptor,
  parseLocalHeader,
} from '../zip/headers.ts';
import { type ArchiveEntry, MAX_ENTRY_NAME_BYTES } from './archive-entry.ts';
import type { ByteReader } from './byte-reader.ts';

const LOCAL_HEADER = 0x04034b50;
const END_OF_CENTRAL = 0x06054b50;
const ZIP64_END_OF_CENTRAL = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const DESCRIPTOR_SIG = Buffer.from([0x50, 0x4b, 0x07, 0x08]);
/** Entries remembered for the central-directory comparison (a few dozen bytes each, names included). */
export const MAX_ZIP_ENTRIES = 1_000_000;

function bad(reader: ByteReader, message: string): ValidationError {
  return new ValidationError('InvalidArchive', [
    { file: 'archive', path: '', message: `zip: ${message} near byte ${reader.position}` },
  ]);
}

/** What the walk remembers of each entry until the central directory vouches for it. */
interface LocalRecord {
  header: LocalHeader;
  /** The bytes after the data, for a flag-bit-3 entry (its data descriptor). */
  descriptor?: Buffer;
  /** CRC-32 of the uncompressed data, when the consumer read the whole body. */
  dataCrc?: number;
  vouched: boolean;
}

/**
 * The compressed bytes of an entry whose size only the trailing data descriptor states. Holds back a
 * descriptor's length of bytes so a signature split across chunks is still found; accepts a signature
 * only when the size it states equals the bytes seen, which rules out a stray match in the data.
 */
async function* untilDescriptor(
  reader: ByteReader,
  zip64: boolean,
  onEnd: (descriptor: Buffer) => void,
): AsyncGenerator<Buffer> {
  const descLength = descriptorBytes(zip64);
  let seen = 0;
  let carry = Buffer.alloc(0);
  for (;;) {
    const chunk = await reader.nextChunk();
    if (chunk === undefined) throw reader.truncated(descLength);
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let from = 0;
    for (;;) {
      const at = buf.indexOf(DESCRIPTOR_SIG, from);
      if (at === -1 || at + descLength > buf.length) {
        // Keep the tail that could start a descriptor (from the candidate on, or the last bytes).
        const keepFrom = at === -1 ? Math.max(0, buf.length - descLength + 1) : at;
        if (keepFrom > 0) {
          seen += keepFrom;
          yield buf.subarray(0, keepFrom);
        }
        carry = Buffer.from(buf.subarray(keepFrom));
        break;
      }
      const compressed = zip64 ? Number(buf.readBigUInt64LE(at + 8)) : buf.readUInt32LE(at + 8);
      if (compressed === seen + at) {
        if (at > 0) yield buf.subarray(0, at);
        onEnd(Buffer.from(buf.subarray(at, at + descLength)));
        reader.unshift(Buffer.from(buf.subarray(at + descLength)));
        return;
      }
      from = at + 1;
    }
  }
}

/** zlib's own errors (code Z_DATA_ERROR, Z_BUF_ERROR…) mean corrupt input; anything else (the source's) passes through. */
export function isZlibError(error: unknown): error is Error & { code: string } {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('Z_');
}

async function* inflated(source: AsyncIterable<Buffer>, reader: ByteReader, path: string): AsyncGenerator<Buffer> {
  const inflate = createInflateRaw();
  pipeline(Readable.from(source, { objectMode: false }), inflate, () => {
    // Errors surface through the iteration of `inflate` below (pipeline destroys it with the error).
  });
  try {
    for await (const chunk of inflate) yield chunk as Buffer;
  } catch (error) {
    // Corrupt deflate data is bad input like any other: a typed error naming the entry, not zlib's bare Error.
    if (isZlibError(error))
      throw bad(reader, `entry ${JSON.stringify(path)} has corrupt deflate data (${error.message})`);
    throw error;
  }
}

/** Reads one local header (signature already checked) with its name and extra field. */
async function readLocalHeader(reader: ByteReader): Promise<{ header: LocalHeader; compressed32: number }> {
  const fixed = (await reader.read(LOCAL_HEADER_BYTES))!;
  const nameLength = fixed.readUInt16LE(26);
  const extraLength = fixed.readUInt16LE(28);
  if (nameLength > MAX_ENTRY_NAME_BYTES) throw bad(reader, 'entry name too long');
  // The stream ending inside the header is a truncated archive, not an entry with an empty name.
  const name = (await reader.read(nameLength)) ?? Buffer.alloc(0);
  const extra = (await reader.read(extraLength)) ?? Buffer.alloc(0);
  if (name.length < nameLength || extra.length < extraLength) throw reader.truncated(nameLength + extraLength);
  // Copies: the header is kept until the central directory, and must not pin the stream's chunks.
  const header = parseLocalHeader(fixed, Buffer.from(name), extra);
  if (header.unicodePath !== undefined) header.unicodePath = Buffer.from(header.unicodePath);
  return { header, compressed32: fixed.readUInt32LE(18) };
}

/**
 * After the entries: every central-directory record against the local header it points at, the
 * end record's entry count against the records read, and no local entry left that the central
 * directory does not list (unzip would not extract it; this reader already handed it out).
 */
async function checkCentralDirectory(reader: ByteReader, locals: Map<number, LocalRecord>): Promise<void> {
  const start = reader.position;
  let records = 0;
  for (;;) {
    const sig = await reader.peek(4);
    if (sig.length < 4 || sig.readUInt32LE(0) !== CENTRAL_HEADER_SIGNATURE) break;
    const at = reader.position;
    const fixed = await reader.read(CENTRAL_HEADER_BYTES);
    if (fixed === undefined || fixed.length < CENTRAL_HEADER_BYTES) throw reader.truncated(CENTRAL_HEADER_BYTES);
    const nameLength = fixed.readUInt16LE(28);
    if (nameLength > MAX_ENTRY_NAME_BYTES) throw bad(reader, 'central directory entry name too long');
    const name = (await reader.read(nameLength)) ?? Buffer.alloc(0);
    const extra = (await reader.read(fixed.readUInt16LE(30))) ?? Buffer.alloc(0);
    await reader.skip(fixed.readUInt16LE(32));
    const central = parseCentralHeader(fixed, name, extra);
    records++;
    const local = locals.get(central.localHeaderOffset);
    if (local === undefined || local.vouched) {
      throw headerMismatch('archive', central.name, [
        `the central directory record at byte ${at} points at byte ${central.localHeaderOffset}, where ` +
          (local === undefined ? 'this reader found no local header' : 'another record already points'),
      ]);
    }
    local.vouched = true;
    const bitThree = (local.header.flags & central.flags & FLAG_DATA_DESCRIPTOR) !== 0;
    const descriptor =
      bitThree && local.descriptor !== undefined
        ? descriptorAgreeingWith(local.descriptor, local.header, central)
        : undefined;
    const disagreements = headerDisagreements(central, local.header, descriptor);
    if (local.dataCrc !== undefined && local.dataCrc !== central.crc32) {
      disagreements.push(
        `the data read has CRC-32 0x${local.dataCrc.toString(16).padStart(8, '0')}, the central directory states ` +
          `0x${central.crc32.toString(16).padStart(8, '0')}`,
      );
    }
    if (disagreements.length > 0) {
      throw headerMismatch(
        'archive',
        central.name,
        disagreements,
        ` (local header at byte ${central.localHeaderOffset})`,
      );
    }
  }
  await checkEndRecords(reader, { records, start, size: reader.position - start });
  for (const [offset, local] of locals) {
    if (!local.vouched) {
      throw headerMismatch('archive', local.header.name, [
        `has a local header at byte ${offset} but no central directory record: unzip would not extract it`,
      ]);
    }
  }
}

/**
 * The zip64 end record and locator (optional) and the end record: their entry count, and where they
 * say the central directory is, must be the one just read. unzip looks for the central directory
 * where the end record says; pointing it at another one (hidden in an entry's data) would show it
 * other files than the ones this reader checked.
 */
async function checkEndRecords(
  reader: ByteReader,
  read: { records: number; start: number; size: number },
): Promise<void> {
  let declared: { records: number; start: number; size: number } | undefined;
  for (;;) {
    const head = await reader.peek(4);
    if (head.length < 4) throw bad(reader, 'the central directory has no end record: the archive is truncated');
    const sig = head.readUInt32LE(0);
    if (sig === ZIP64_END_OF_CENTRAL) {
      const fixed = await reader.read(56);
      if (fixed === undefined || fixed.length < 56) throw reader.truncated(56);
      declared = {
        records: Number(fixed.readBigUInt64LE(32)),
        size: Number(fixed.readBigUInt64LE(40)),
        start: Number(fixed.readBigUInt64LE(48)),
      };
      await reader.skip(Number(fixed.readBigUInt64LE(4)) - 44);
    } else if (sig === ZIP64_LOCATOR) {
      await reader.skip(20);
    } else if (sig === END_OF_CENTRAL) {
      const fixed = await reader.read(22);
      if (fixed === undefined || fixed.length < 22) throw reader.truncated(22);
      // Each value of the end record defers to the zip64 record when it holds the "see zip64" mark.
      const records16 = fixed.readUInt16LE(10);
      const size32 = fixed.readUInt32LE(12);
      const start32 = fixed.readUInt32LE(16);
      declared = {
        records: records16 === 0xffff && declared !== undefined ? declared.records : records16,
        size: size32 === 0xffffffff && declared !== undefined ? declared.size : size32,
        start: start32 === 0xffffffff && declared !== undefined ? declared.start : start32,
      };
      break;
    } else {
      throw bad(reader, `unexpected signature 0x${sig.toString(16)} after the central directory`);
    }
  }
  if (declared.records !== read.records) {
    throw bad(
      reader,
      `the end of the central directory counts ${declared.records} entries, the central directory lists ${read.records}`,
    );
  }
  if (declared.start !== read.start || declared.size !== read.size) {
    throw bad(
      reader,
      `the end of the central directory places it at byte ${declared.start} (${declared.size} bytes), ` +
        `but it is at byte ${read.start} (${read.size} bytes)`,
    );
  }
}

export async function* readZip(reader: ByteReader): AsyncGenerator<ArchiveEntry> {
  const locals = new Map<number, LocalRecord>();
  for (;;) {
    const sigBytes = await reader.peek(4);
    if (sigBytes.length < 4) throw bad(reader, 'the archive ends without a central directory (truncated?)');
    const sig = sigBytes.readUInt32LE(0);
    if (sig === CENTRAL_HEADER_SIGNATURE || sig === END_OF_CENTRAL) {
      await checkCentralDirectory(reader, locals);
      // Whatever follows the end record (an archive comment's tail, padding) is not ours to read.
      await reader.drain();
      return;
    }
    if (sig !== LOCAL_HEADER) throw bad(reader, `unexpected signature 0x${sig.toString(16)}`);
    if (locals.size >= MAX_ZIP_ENTRIES) throw bad(reader, `more than ${MAX_ZIP_ENTRIES} entries`);
    const offset = reader.position;
    const { header, compressed32 } = await readLocalHeader(reader);
    const { flags, method } = header;
    const path = header.name.toString((flags & 0x0800) !== 0 ? 'utf8' : 'latin1');
    if ((flags & 0x0001) !== 0) throw bad(reader, `entry ${JSON.stringify(path)} is encrypted: not supported`);
    if (method !== 0 && method !== 8)
      throw bad(
        reader,
        `entry ${JSON.stringify(path)} uses compression method ${method}: only stored and deflate are supported`,
      );
    const record: LocalRecord = { header, vouched: false };
    locals.set(offset, record);
    const streamed = (flags & FLAG_DATA_DESCRIPTOR) !== 0;
    const isDirectory = path.endsWith('/');

    let consumed = 0;
    let compressedSize: number | undefined;
    let raw: AsyncIterable<Buffer>;
    if (streamed && (compressed32 === 0 || compressed32 === 0xffffffff) && !isDirectory) {
      if (method === 0)
        throw bad(reader, `stored entry ${JSON.stringify(path)} with a data descriptor: size unknown in a stream`);
      raw = untilDescriptor(reader, header.zip64, (descriptor) => {
        record.descriptor = descriptor;
      });
    } else {
      compressedSize = header.compressedSize;
      const size = compressedSize;
      raw = (async function* () {
        for await (const chunk of reader.chunks(size)) {
          consumed += chunk.length;
          yield chunk;
        }
      })();
    }
    let finished = false;
    const bodySource = method === 8 ? inflated(raw, reader, path) : raw;
    const body = (async function* () {
      let crc = 0;
      for await (const chunk of bodySource) {
        crc = crc32(chunk, crc);
        yield chunk;
      }
      record.dataCrc = crc;
      finished = true;
    })();
    yield {
      path,
      kind: isDirectory ? 'directory' : 'file',
      size: streamed ? undefined : header.uncompressedSize,
      body,
    };
    if (!finished) {
      if (compressedSize !== undefined) await reader.skip(compressedSize - consumed);
      else
        for await (const _ of raw) {
          // Scan to the descriptor to find where the next entry starts.
        }
    }
    if (streamed && compressedSize !== undefined) {
      // Sizes were known after all: the descriptor follows (signature optional in the spec).
      const bytes = Buffer.from(await reader.peek(descriptorBytes(header.zip64)));
      const descriptor = parseDataDescriptor(bytes, header.zip64);
      if (descriptor === undefined) throw reader.truncated(descriptorBytes(header.zip64) - bytes.length);
      record.descriptor = bytes;
      await reader.skip(descriptor.length);
    }
  }
}
