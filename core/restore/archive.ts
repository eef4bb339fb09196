/**
 * Opens an archive stream whatever its format, recognised by magic bytes (never by the key's suffix,
 * which a misnamed object would fool): gzip (then tar inside), zip, or tar.
 */
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ValidationError } from '../errors.ts';
import type { ArchiveEntry } from './archive-entry.ts';
import { ByteReader } from './byte-reader.ts';
import { readTar } from './tar.ts';
import { isZlibError, readZip } from './zip.ts';

export type ArchiveFormat = 'tar' | 'tar.gz' | 'zip';

export function detectFormat(head: Buffer): ArchiveFormat | 'gzip' | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05)) return 'zip';
  if (head.length >= 262 && head.toString('ascii', 257, 262) === 'ustar') return 'tar';
  return undefined;
}

async function* gunzip(source: AsyncIterable<Uint8Array>, compressed: ByteReader): AsyncGenerator<Buffer> {
  const gz = createGunzip();
  pipeline(Readable.from(source, { objectMode: false }), gz, () => {
    // Errors surface through iterating `gz` (pipeline destroys it with the error).
  });
  try {
    for await (const chunk of gz) yield chunk as Buffer;
  } catch (error) {
    // Corrupt or truncated gzip is bad input: a typed error with the offset, not zlib's bare Error.
    if (!isZlibError(error)) throw error;
    throw new ValidationError('InvalidArchive', [
      {
        file: 'archive',
        path: '',
        message: `gzip: corrupt or truncated compressed data (${error.message}) near compressed byte ${compressed.position}`,
      },
    ]);
  }
}

export interface OpenedArchive {
  format: ArchiveFormat;
  entries: AsyncGenerator<ArchiveEntry>;
  /** Bytes read from the (decompressed) archive stream so far. */
  position(): number;
}

/** Detects the format and returns the entries; throws ValidationError('UnsupportedArchive') otherwise. */
export async function openArchive(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<OpenedArchive> {
  let reader = new ByteReader(source);
  let format = detectFormat(await reader.peek(512));
  if (format === 'gzip') {
    // Hand the already-buffered head back to gunzip together with the rest of the stream.
    const outer = reader;
    reader = new ByteReader(
      gunzip(
        (async function* () {
          for (;;) {
            const chunk = await outer.nextChunk();
            if (chunk === undefined) return;
            yield chunk;
          }
        })(),
        outer,
      ),
    );
    format = detectFormat(await reader.peek(512)) === 'tar' ? 'tar.gz' : undefined;
  }
  if (format === undefined) {
    throw new ValidationError('UnsupportedArchive', [
      { file: 'archive', path: '', message: 'not a tar, tar.gz or zip archive (unrecognised magic bytes)' },
    ]);
  }
  const entries = format === 'zip' ? readZip(reader) : readTar(reader);
  const current = reader;
  return { format, entries, position: () => current.position };
}
