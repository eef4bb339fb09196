/**
 * Streaming zip reader: walks local file headers front to back, never the central directory (that
 * needs random access, which an S3 stream does not give). Stored and deflated entries; sizes from the
 * local header, its zip64 extra field, or — for entries written to a pipe (flag bit 3) — from the data
 * descriptor, found by scanning for its signature and checking the compressed size it states.
 */
import { pipeline, Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { ValidationError } from '../errors.ts';
import { type ArchiveEntry, MAX_ENTRY_NAME_BYTES } from './archive-entry.ts';
import type { ByteReader } from './byte-reader.ts';

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL = 0x06054b50;
const DESCRIPTOR = 0x08074b50;
const DESCRIPTOR_SIG = Buffer.from([0x50, 0x4b, 0x07, 0x08]);

function bad(reader: ByteReader, message: string): ValidationError {
  return new ValidationError('InvalidArchive', [
    { file: 'archive', path: '', message: `zip: ${message} near byte ${reader.position}` },
  ]);
}

interface Zip64Sizes {
  compressed?: number;
  uncompressed?: number;
  present: boolean;
}

function zip64Of(extra: Buffer, compressed32: number, uncompressed32: number): Zip64Sizes {
  let offset = 0;
  while (offset + 4 <= extra.length) {
    const id = extra.readUInt16LE(offset);
    const len = extra.readUInt16LE(offset + 2);
    if (id === 0x0001) {
      let p = offset + 4;
      const out: Zip64Sizes = { present: true };
      // Fields appear only for the 32-bit values that overflowed, uncompressed first.
      if (uncompressed32 === 0xffffffff && p + 8 <= offset + 4 + len) {
        out.uncompressed = Number(extra.readBigUInt64LE(p));
        p += 8;
      }
      if (compressed32 === 0xffffffff && p + 8 <= offset + 4 + len) out.compressed = Number(extra.readBigUInt64LE(p));
      return out;
    }
    offset += 4 + len;
  }
  return { present: false };
}

/**
 * The compressed bytes of an entry whose size only the trailing data descriptor states. Holds back a
 * descriptor's length of bytes so a signature split across chunks is still found; accepts a signature
 * only when the size it states equals the bytes seen, which rules out a stray match in the data.
 */
async function* untilDescriptor(
  reader: ByteReader,
  zip64: boolean,
  onEnd: (uncompressed: number) => void,
): AsyncGenerator<Buffer> {
  const descLength = zip64 ? 24 : 16;
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
        onEnd(zip64 ? Number(buf.readBigUInt64LE(at + 16)) : buf.readUInt32LE(at + 12));
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

export async function* readZip(reader: ByteReader): AsyncGenerator<ArchiveEntry> {
  for (;;) {
    const sigBytes = await reader.peek(4);
    if (sigBytes.length < 4) return;
    const sig = sigBytes.readUInt32LE(0);
    if (sig === CENTRAL_HEADER || sig === END_OF_CENTRAL) {
      // The entries are behind us; the central directory only repeats them.
      await reader.drain();
      return;
    }
    if (sig !== LOCAL_HEADER) throw bad(reader, `unexpected signature 0x${sig.toString(16)}`);
    const header = (await reader.read(30))!;
    const flags = header.readUInt16LE(6);
    const method = header.readUInt16LE(8);
    const compressed32 = header.readUInt32LE(18);
    const uncompressed32 = header.readUInt32LE(22);
    const nameLength = header.readUInt16LE(26);
    const extraLength = header.readUInt16LE(28);
    if (nameLength > MAX_ENTRY_NAME_BYTES) throw bad(reader, 'entry name too long');
    // The stream ending inside the header is a truncated archive, not an entry with an empty name.
    const name = (await reader.read(nameLength)) ?? Buffer.alloc(0);
    const extra = (await reader.read(extraLength)) ?? Buffer.alloc(0);
    if (name.length < nameLength || extra.length < extraLength) throw reader.truncated(nameLength + extraLength);
    const path = name.toString((flags & 0x0800) !== 0 ? 'utf8' : 'latin1');
    if ((flags & 0x0001) !== 0) throw bad(reader, `entry ${JSON.stringify(path)} is encrypted: not supported`);
    if (method !== 0 && method !== 8)
      throw bad(
        reader,
        `entry ${JSON.stringify(path)} uses compression method ${method}: only stored and deflate are supported`,
      );
    const z64 = zip64Of(extra, compressed32, uncompressed32);
    const streamed = (flags & 0x0008) !== 0;
    const isDirectory = path.endsWith('/');

    let consumed = 0;
    let compressedSize: number | undefined;
    let uncompressedSize: number | undefined;
    let raw: AsyncIterable<Buffer>;
    if (streamed && (compressed32 === 0 || compressed32 === 0xffffffff) && !isDirectory) {
      if (method === 0)
        throw bad(reader, `stored entry ${JSON.stringify(path)} with a data descriptor: size unknown in a stream`);
      raw = untilDescriptor(reader, z64.present, (u) => {
        uncompressedSize = u;
      });
    } else {
      compressedSize = z64.compressed ?? compressed32;
      uncompressedSize = z64.uncompressed ?? uncompressed32;
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
      yield* bodySource;
      finished = true;
    })();
    yield {
      path,
      kind: isDirectory ? 'directory' : 'file',
      size: streamed ? undefined : uncompressedSize,
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
      // Sizes were known after all: skip the descriptor (signature optional in the spec).
      const next = await reader.peek(4);
      if (next.length === 4 && next.readUInt32LE(0) === DESCRIPTOR) await reader.skip(z64.present ? 24 : 16);
      else await reader.skip(z64.present ? 20 : 12);
    }
  }
}
