/**
 * A zip describes every entry twice: in the local file header just before its data, and in the
 * central-directory record at the end of the archive. `unzip` and random-access readers (yauzl, the
 * dossier verifier) go by the central directory; streaming readers (the restore-test archive reader)
 * and some extractors go by the local headers. When the two disagree, different tools see different
 * files under the same archive: `unzip -t` complains about a name the verifier never looked at, or a
 * restore test checks bytes a real restore would not produce. So both readers compare the two
 * descriptions field by field (APPNOTE 6.3.10, sections 4.3.7, 4.3.9 and 4.3.12) and refuse an
 * archive where they disagree, naming the entry.
 *
 * Pure functions over bytes: each reader fetches the headers its own way (random access or stream).
 */
import { ValidationError } from '../errors.ts';

export const LOCAL_HEADER_SIGNATURE = 0x04034b50;
export const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
export const DATA_DESCRIPTOR_SIGNATURE = 0x08074b50;
/** Fixed part of a local file header, before its name and extra field. */
export const LOCAL_HEADER_BYTES = 30;
/** Fixed part of a central-directory record, before its name, extra field and comment. */
export const CENTRAL_HEADER_BYTES = 46;
/** General-purpose flag bit 3: crc-32 and sizes follow the data in a data descriptor (4.4.4). */
export const FLAG_DATA_DESCRIPTOR = 0x0008;
/** The 32-bit (and 16-bit) values that say "look in the zip64 extra field" (4.4.8, 4.5.3). */
const ZIP64_MARK_32 = 0xffffffff;
const ZIP64_EXTRA = 0x0001;
/** Info-ZIP Unicode Path extra field: when present, unzip takes the name from it (4.6.9). */
const UNICODE_PATH_EXTRA = 0x7075;
/** Longest name quoted in an error (names are untrusted and up to 64 KiB). */
const SHOWN_NAME_CHARS = 200;

/** What both headers state about an entry, zip64 values resolved. */
export interface EntryHeader {
  /** The name as stored (bytes: their encoding depends on flag bit 11 and the Unicode Path field). */
  name: Buffer;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Data of the Unicode Path extra field, when there is one. */
  unicodePath?: Buffer;
}

export interface LocalHeader extends EntryHeader {
  /** Bytes from the start of the header to the start of the data (30 + name + extra). */
  length: number;
  /** The header has a zip64 extra field, so its data descriptor (if any) has 8-byte sizes (4.3.9.2). */
  zip64: boolean;
}

export interface CentralHeader extends EntryHeader {
  /** Offset of the entry's local header from the start of the archive. */
  localHeaderOffset: number;
  /** Bytes of this record (46 + name + extra + comment). */
  length: number;
}

/** A data descriptor: the crc-32 and sizes of an entry written to a pipe (flag bit 3). */
export interface DataDescriptor {
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Bytes it occupies after the data, signature included when present. */
  length: number;
}

/** The extra field's records by id (first one wins: a duplicate id is itself suspicious, never a second chance). */
function extraFields(extra: Buffer): Map<number, Buffer> {
  const fields = new Map<number, Buffer>();
  let at = 0;
  while (at + 4 <= extra.length) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    const data = extra.subarray(at + 4, Math.min(extra.length, at + 4 + length));
    if (!fields.has(id)) fields.set(id, data);
    at += 4 + length;
  }
  return fields;
}

/**
 * The zip64 extra field's 8-byte values, in their fixed order (uncompressed, compressed, offset):
 * each is present only when its 32-bit field holds the 0xFFFFFFFF mark (4.5.3). A local header
 * must carry both sizes once it has the field; some writers store both even when only one
 * overflowed, which the field's length tells.
 */
function zip64Values(
  data: Buffer | undefined,
  marked: { uncompressed: boolean; compressed: boolean; offset?: boolean },
  bothSizes: boolean,
): { uncompressed?: number; compressed?: number; offset?: number } {
  if (data === undefined) return {};
  const out: { uncompressed?: number; compressed?: number; offset?: number } = {};
  const sizesBoth = bothSizes && data.length >= 16 && (marked.uncompressed || marked.compressed);
  let at = 0;
  const next = (): number | undefined => {
    if (at + 8 > data.length) return undefined;
    const value = Number(data.readBigUInt64LE(at));
    at += 8;
    return value;
  };
  if (marked.uncompressed || sizesBoth) {
    const v = next();
    if (marked.uncompressed && v !== undefined) out.uncompressed = v;
  }
  if (marked.compressed || sizesBoth) {
    const v = next();
    if (marked.compressed && v !== undefined) out.compressed = v;
  }
  if (marked.offset) {
    const v = next();
    if (v !== undefined) out.offset = v;
  }
  return out;
}

/**
 * The fields both headers carry, laid out alike from the flags on (at byte 6 of a local header, byte 8
 * of a central record): flags, method, time, date, CRC-32, compressed and uncompressed size. A central
 * record also points at its local header (`offset32`); zip64 values are resolved for all of them.
 */
function sharedFields(
  fixed: Buffer,
  flagsAt: number,
  name: Buffer,
  extra: Buffer,
  offset32?: number,
): { header: EntryHeader; zip64: boolean; offset?: number } {
  const compressed32 = fixed.readUInt32LE(flagsAt + 12);
  const uncompressed32 = fixed.readUInt32LE(flagsAt + 16);
  const fields = extraFields(extra);
  const z64 = zip64Values(
    fields.get(ZIP64_EXTRA),
    {
      uncompressed: uncompressed32 === ZIP64_MARK_32,
      compressed: compressed32 === ZIP64_MARK_32,
      offset: offset32 === ZIP64_MARK_32,
    },
    // A local header's zip64 field must hold both sizes (4.5.3); a central one only the marked values.
    offset32 === undefined,
  );
  const header: EntryHeader = {
    name,
    flags: fixed.readUInt16LE(flagsAt),
    method: fixed.readUInt16LE(flagsAt + 2),
    crc32: fixed.readUInt32LE(flagsAt + 8),
    compressedSize: z64.compressed ?? compressed32,
    uncompressedSize: z64.uncompressed ?? uncompressed32,
  };
  const unicodePath = fields.get(UNICODE_PATH_EXTRA);
  if (unicodePath !== undefined) header.unicodePath = unicodePath;
  const offset = z64.offset ?? offset32;
  return { header, zip64: fields.has(ZIP64_EXTRA), ...(offset === undefined ? {} : { offset }) };
}

/** Parses a local file header from its 30 fixed bytes, its name and its extra field. */
export function parseLocalHeader(fixed: Buffer, name: Buffer, extra: Buffer): LocalHeader {
  const { header, zip64 } = sharedFields(fixed, 6, name, extra);
  return { ...header, length: LOCAL_HEADER_BYTES + name.length + extra.length, zip64 };
}

/** Parses a central-directory record from its 46 fixed bytes, its name and its extra field. */
export function parseCentralHeader(fixed: Buffer, name: Buffer, extra: Buffer): CentralHeader {
  const { header, offset } = sharedFields(fixed, 8, name, extra, fixed.readUInt32LE(42));
  return {
    ...header,
    localHeaderOffset: offset ?? 0,
    length: CENTRAL_HEADER_BYTES + name.length + extra.length + fixed.readUInt16LE(32),
  };
}

/** Bytes a data descriptor may occupy: optional signature, crc-32, two sizes of 4 or 8 bytes. */
export function descriptorBytes(zip64: boolean): number {
  return zip64 ? 24 : 16;
}

/**
 * Reads a data descriptor from the bytes right after an entry's data. Its signature is optional
 * (4.3.9.3); when the first four bytes are the signature, they are taken as one, as unzip does.
 * Undefined when too few bytes are left.
 */
export function parseDataDescriptor(bytes: Buffer, zip64: boolean): DataDescriptor | undefined {
  const signed = bytes.length >= 4 && bytes.readUInt32LE(0) === DATA_DESCRIPTOR_SIGNATURE;
  const at = signed ? 4 : 0;
  const length = at + (zip64 ? 20 : 12);
  if (bytes.length < length) return undefined;
  return {
    crc32: bytes.readUInt32LE(at),
    compressedSize: zip64 ? Number(bytes.readBigUInt64LE(at + 4)) : bytes.readUInt32LE(at + 4),
    uncompressedSize: zip64 ? Number(bytes.readBigUInt64LE(at + 12)) : bytes.readUInt32LE(at + 8),
    length,
  };
}

/** A name for humans: decoded as UTF-8 (a stand-in for bytes that are not), quoted, and cut. */
export function shownName(name: Buffer): string {
  const text = name.toString('utf8');
  return JSON.stringify(text.length > SHOWN_NAME_CHARS ? `${text.slice(0, SHOWN_NAME_CHARS)}…` : text);
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/**
 * Where the local header (with its data descriptor, for a flag-bit-3 entry) and the central
 * directory disagree, one phrase per field; empty when they agree. With bit 3 the local header's
 * crc-32 and sizes are zero (4.4.4) and the descriptor holds the values; a writer may still fill
 * them in, so a non-zero local value must agree too. `descriptor` is undefined when the reader could
 * not find one where bit 3 says it is: that alone is a disagreement.
 */
export function headerDisagreements(
  central: EntryHeader,
  local: EntryHeader,
  descriptor?: Pick<DataDescriptor, 'crc32' | 'compressedSize' | 'uncompressedSize'>,
): string[] {
  const out: string[] = [];
  if (!local.name.equals(central.name)) {
    out.push(`local header names ${shownName(local.name)}, central directory ${shownName(central.name)}`);
  }
  const unicodeLocal = local.unicodePath;
  const unicodeCentral = central.unicodePath;
  if (
    (unicodeLocal === undefined) !== (unicodeCentral === undefined) ||
    (unicodeLocal !== undefined && unicodeCentral !== undefined && !unicodeLocal.equals(unicodeCentral))
  ) {
    out.push('the Unicode Path extra fields differ');
  }
  if (local.method !== central.method) {
    out.push(`compression method ${local.method} in the local header, ${central.method} in the central directory`);
  }
  if (local.flags !== central.flags) {
    out.push(
      `general-purpose flags 0x${local.flags.toString(16).padStart(4, '0')} in the local header, ` +
        `0x${central.flags.toString(16).padStart(4, '0')} in the central directory`,
    );
  }
  const fields = [
    ['CRC-32', 'crc32', hex],
    ['compressed size', 'compressedSize', String],
    ['uncompressed size', 'uncompressedSize', String],
  ] as const;
  const viaDescriptor = (central.flags & FLAG_DATA_DESCRIPTOR) !== 0 && (local.flags & FLAG_DATA_DESCRIPTOR) !== 0;
  for (const [label, key, show] of fields) {
    const want = central[key];
    // With bit 3, zero in the local header is the placeholder the spec asks for.
    if (!(viaDescriptor && local[key] === 0) && local[key] !== want) {
      out.push(`${label} ${show(local[key])} in the local header, ${show(want)} in the central directory`);
    }
  }
  if (viaDescriptor) {
    if (descriptor === undefined) out.push('flag bit 3 announces a data descriptor after the data, and there is none');
    else
      for (const [label, key, show] of fields) {
        if (descriptor[key] !== central[key]) {
          out.push(
            `${label} ${show(descriptor[key])} in the data descriptor, ${show(central[key])} in the central directory`,
          );
        }
      }
  }
  return out;
}

/**
 * The descriptor after an entry's data, read as the header announces it (8-byte sizes with a zip64
 * local header) or, failing agreement, with the other size width: writers differ on when they use
 * 8 bytes (4.3.9.2 leaves room), and what matters is that the values agree, not their width.
 */
export function descriptorAgreeingWith(
  bytes: Buffer,
  local: LocalHeader,
  central: EntryHeader,
): DataDescriptor | undefined {
  const announced = parseDataDescriptor(bytes, local.zip64);
  if (announced !== undefined && headerDisagreements(central, local, announced).length === 0) return announced;
  const other = parseDataDescriptor(bytes, !local.zip64);
  if (other !== undefined && headerDisagreements(central, local, other).length === 0) return other;
  return announced;
}

/** The typed error both readers raise: names the archive, the entry, and every field that disagrees. */
export function headerMismatch(
  file: string,
  entry: Buffer,
  disagreements: readonly string[],
  where = '',
): ValidationError {
  return new ValidationError('ZipHeaderMismatch', [
    {
      file,
      path: entry.toString('utf8').slice(0, SHOWN_NAME_CHARS),
      message: `zip: entry ${shownName(entry)}: ${disagreements.join('; ')}${where}`,
    },
  ]);
}
