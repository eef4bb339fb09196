/**
 * Minimal streaming tar reader: ustar, POSIX pax (path, linkpath, size) and GNU long names (L/K), the
 * formats GNU tar, bsdtar and Go's archive/tar (restic dump) write. No package dependency: the format
 * is small, and reading it ourselves keeps memory at one 512-byte header plus the current chunk.
 */
import { ValidationError } from '../errors.ts';
import { type ArchiveEntry, type EntryKind, MAX_ENTRY_NAME_BYTES, MAX_PAX_HEADER_BYTES } from './archive-entry.ts';
import type { ByteReader } from './byte-reader.ts';

const BLOCK = 512;

function bad(reader: ByteReader, message: string): ValidationError {
  return new ValidationError('InvalidArchive', [
    { file: 'archive', path: '', message: `tar: ${message} near byte ${reader.position}` },
  ]);
}

function cString(block: Buffer, start: number, length: number): string {
  const end = block.indexOf(0, start);
  return block.toString('utf8', start, end === -1 || end > start + length ? start + length : end);
}

/** Octal, or GNU base-256 (high bit set) for sizes over 8 GiB. */
function numeric(block: Buffer, start: number, length: number): number {
  if ((block[start]! & 0x80) !== 0) {
    let value = block[start]! & 0x7f;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + block[i]!;
    return value;
  }
  const text = cString(block, start, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return Number.NaN;
  return Number.parseInt(text, 8);
}

function checksumOk(block: Buffer): boolean {
  const stored = numeric(block, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  return sum === stored;
}

function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space === -1) break;
    const length = Number.parseInt(data.toString('ascii', offset, space), 10);
    if (!Number.isSafeInteger(length) || length <= 0 || offset + length > data.length) break;
    const record = data.toString('utf8', space + 1, offset + length - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    offset += length;
  }
  return out;
}

function kindOf(type: string): EntryKind {
  switch (type) {
    case '0':
    case '\u0000':
    case '':
    case '7':
      return 'file';
    case '5':
      return 'directory';
    case '2':
      return 'symlink';
    case '1':
      return 'hardlink';
    default:
      return 'other';
  }
}

async function readSmall(reader: ByteReader, size: number, limit: number, what: string): Promise<Buffer> {
  if (size > limit) throw bad(reader, `${what} of ${size} bytes exceeds the ${limit}-byte limit`);
  const data = await reader.read(size);
  // The stream ending where the header's data should be is a truncated archive, not an empty header.
  if (data === undefined) throw reader.truncated(size);
  await reader.skip((BLOCK - (size % BLOCK)) % BLOCK);
  return data;
}

export async function* readTar(reader: ByteReader): AsyncGenerator<ArchiveEntry> {
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax = new Map<string, string>();
  let globalPax = new Map<string, string>();
  for (;;) {
    const block = await reader.read(BLOCK);
    if (block === undefined) return; // Some writers omit the end-of-archive blocks.
    if (isZeroBlock(block)) return;
    if (!checksumOk(block)) throw bad(reader, 'header checksum mismatch (not a tar archive, or corrupted)');
    const type = String.fromCharCode(block[156]!);
    const size = numeric(block, 124, 12);
    if (!Number.isSafeInteger(size) || size < 0) throw bad(reader, 'invalid entry size');

    if (type === 'x' || type === 'g') {
      const records = parsePax(await readSmall(reader, size, MAX_PAX_HEADER_BYTES, 'pax header'));
      if (type === 'g') globalPax = new Map([...globalPax, ...records]);
      else pax = records;
      continue;
    }
    if (type === 'L' || type === 'K') {
      const value = cString(await readSmall(reader, size, MAX_ENTRY_NAME_BYTES, 'GNU long name'), 0, size);
      if (type === 'L') longName = value;
      else longLink = value;
      continue;
    }

    const ustar = block.toString('ascii', 257, 262) === 'ustar';
    const prefix = ustar && block[345] !== 0 ? cString(block, 345, 155) : '';
    const baseName = cString(block, 0, 100);
    const path = pax.get('path') ?? globalPax.get('path') ?? longName ?? (prefix ? `${prefix}/${baseName}` : baseName);
    const linkTarget = pax.get('linkpath') ?? longLink ?? cString(block, 157, 100);
    const paxSize = pax.get('size') ?? globalPax.get('size');
    const realSize = paxSize === undefined ? size : Number(paxSize);
    if (!Number.isSafeInteger(realSize) || realSize < 0) throw bad(reader, 'invalid pax size');
    const kind = kindOf(type);
    // Only regular files carry data we restore; other entries' data (if any) is skipped.
    const dataSize = kind === 'hardlink' || kind === 'symlink' || kind === 'directory' ? 0 : realSize;
    longName = undefined;
    longLink = undefined;
    pax = new Map();

    let consumed = 0;
    const body = (async function* () {
      for await (const chunk of reader.chunks(dataSize)) {
        consumed += chunk.length;
        yield chunk;
      }
    })();
    const entry: ArchiveEntry = { path, kind, size: dataSize, body };
    if (kind === 'symlink' || kind === 'hardlink') entry.linkTarget = linkTarget;
    yield entry;
    // The consumer may have stopped early (or never read): skip what is left of the body and the padding.
    await reader.skip(Math.ceil(realSize / BLOCK) * BLOCK - consumed);
  }
}
