/**
 * Where things are in a (non-zip64) zip, read from its end record and central directory, so a test
 * can alter one header field of one entry the way an attacker with a hex editor would. Deliberately
 * independent of core/zip: a test of the header comparison must not share its parser.
 */

/** Offsets of the fields tests alter, from the start of a local file header. */
export const LOCAL_FIELD = { flags: 6, method: 8, crc: 14, compressed: 18, uncompressed: 22 } as const;
/** Offsets of the fields tests alter, from the start of a central-directory record. */
export const CENTRAL_FIELD = { flags: 8, method: 10, crc: 16, compressed: 20, uncompressed: 24 } as const;

export interface ZipEntryLayout {
  name: string;
  /** Start of the local header. */
  local: number;
  /** Start of the local header's name. */
  localName: number;
  /** Start of the entry's data. */
  data: number;
  /** Start of its central-directory record. */
  central: number;
  flags: number;
  method: number;
  compressedSize: number;
  /** Start of the data descriptor (flag bit 3), after its optional signature. */
  descriptor?: number;
}

export interface ZipLayout {
  entries: ZipEntryLayout[];
  /** Start of the end-of-central-directory record. */
  end: number;
}

export function zipLayout(zip: Buffer): ZipLayout {
  const end = zip.lastIndexOf(Buffer.from('PK\x05\x06', 'latin1'));
  if (end < 0) throw new RangeError('no end-of-central-directory record');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntryLayout[] = [];
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    const local = zip.readUInt32LE(at + 42);
    const flags = zip.readUInt16LE(at + 8);
    const compressedSize = zip.readUInt32LE(at + 20);
    const data = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const entry: ZipEntryLayout = {
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      local,
      localName: local + 30,
      data,
      central: at,
      flags,
      method: zip.readUInt16LE(at + 10),
      compressedSize,
    };
    if ((flags & 0x08) !== 0) {
      const after = data + compressedSize;
      entry.descriptor = zip.readUInt32LE(after) === 0x08074b50 ? after + 4 : after;
    }
    entries.push(entry);
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return { entries, end };
}

/** A copy of `zip` with a 16- or 32-bit little-endian field at `offset` set to `value`. */
export function withField(zip: Buffer, offset: number, bytes: 2 | 4, value: number): Buffer {
  const out = Buffer.from(zip);
  if (bytes === 2) out.writeUInt16LE(value, offset);
  else out.writeUInt32LE(value >>> 0, offset);
  return out;
}

/** A copy of `zip` with the byte at `offset` changed (xor with a non-zero mask, so it always differs). */
export function withByteChanged(zip: Buffer, offset: number, mask = 0x01): Buffer {
  const out = Buffer.from(zip);
  out[offset] = out[offset]! ^ (mask || 0x01);
  return out;
}
