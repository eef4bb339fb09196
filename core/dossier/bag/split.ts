/**
 * Splitting a file that must be embedded but is too large for one zip entry. Parts are named
 * `<path>.part-0001`, `<path>.part-0002`, … (zero-padded so `cat <path>.part-*` reassembles them in
 * order) and each is hashed in the manifest like any payload file.
 */
import type { Readable } from 'node:stream';
import { ValidationError } from '#core/errors.ts';
import { DEFAULT_PART_BYTES, MAX_ENTRY_BYTES } from './limits.ts';
import type { PayloadEntry } from './types.ts';

export interface SplittableEntry {
  path: string;
  size: number;
  /** A stream of bytes `start` to `end` inclusive (the `fs.createReadStream` and HTTP Range convention). */
  openRange(start: number, end: number): Promise<Readable>;
  compressible?: boolean;
  mtime?: Date;
}

const MAX_PARTS = 9999;

export function partPath(path: string, index: number): string {
  return `${path}.part-${String(index + 1).padStart(4, '0')}`;
}

/** The parts as payload entries, in sorted order; a file that fits yields parts anyway (caller decides). */
export function splitLargeEntry(entry: SplittableEntry, partBytes: number = DEFAULT_PART_BYTES): PayloadEntry[] {
  if (!Number.isSafeInteger(partBytes) || partBytes <= 0 || partBytes > MAX_ENTRY_BYTES) {
    throw new ValidationError('InvalidPartSize', [
      { file: entry.path, path: 'partBytes', message: 'expected a positive integer below 4 GiB' },
    ]);
  }
  const count = Math.max(1, Math.ceil(entry.size / partBytes));
  if (count > MAX_PARTS) {
    throw new ValidationError('TooManyParts', [
      {
        file: entry.path,
        path: 'partBytes',
        message: `would need ${count} parts; at most ${MAX_PARTS}: use larger parts or fetch.txt`,
      },
    ]);
  }
  return Array.from({ length: count }, (_, i) => {
    const start = i * partBytes;
    const size = Math.min(partBytes, entry.size - start);
    const part: PayloadEntry = {
      path: partPath(entry.path, i),
      size,
      open: () => entry.openRange(start, start + size - 1),
    };
    if (entry.compressible !== undefined) part.compressible = entry.compressible;
    if (entry.mtime !== undefined) part.mtime = entry.mtime;
    return part;
  });
}
