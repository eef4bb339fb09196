/**
 * The random-access side of the header comparison (headers.ts): given the central directory's
 * entries, reads each local header (and the data descriptor after its data, for a flag-bit-3 entry)
 * and reports every entry whose two descriptions disagree, or whose data, measured with the local
 * header's real length, runs into the next entry (an extra field stretched over a neighbour is the
 * one overlap the central directory alone cannot show).
 */
import type { ValidationError } from '../errors.ts';
import {
  type CentralHeader,
  type DataDescriptor,
  descriptorAgreeingWith,
  descriptorBytes,
  FLAG_DATA_DESCRIPTOR,
  headerDisagreements,
  headerMismatch,
  LOCAL_HEADER_BYTES,
  LOCAL_HEADER_SIGNATURE,
  parseLocalHeader,
} from './headers.ts';

/** Reads up to `length` bytes at `offset` (fewer at the end of the file). */
export type PositionalRead = (offset: number, length: number) => Promise<Buffer>;

/** A central-directory entry as the random-access reader already parsed it. */
export type CentralEntry = Omit<CentralHeader, 'length'>;

/**
 * The errors of the entries whose local header disagrees with the central directory, in archive
 * order. `dataEnd` is where entry data must stop: the start of the central directory.
 */
export async function localHeaderMismatches(
  file: string,
  entries: readonly CentralEntry[],
  read: PositionalRead,
  dataEnd: number,
): Promise<ValidationError[]> {
  const errors: ValidationError[] = [];
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 0; i < byOffset.length; i++) {
    const central = byOffset[i]!;
    const at = central.localHeaderOffset;
    const next = byOffset[i + 1]?.localHeaderOffset ?? dataEnd;
    const fixed = await read(at, LOCAL_HEADER_BYTES);
    if (fixed.length < LOCAL_HEADER_BYTES || fixed.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) {
      errors.push(headerMismatch(file, central.name, [`no local header at byte ${at}`]));
      continue;
    }
    const nameLength = fixed.readUInt16LE(26);
    const rest = await read(at + LOCAL_HEADER_BYTES, nameLength + fixed.readUInt16LE(28));
    const local = parseLocalHeader(
      fixed,
      rest.subarray(0, nameLength),
      rest.subarray(Math.min(nameLength, rest.length)),
    );
    const dataStart = at + local.length;
    let descriptor: DataDescriptor | undefined;
    if ((local.flags & central.flags & FLAG_DATA_DESCRIPTOR) !== 0) {
      const bytes = await read(dataStart + central.compressedSize, descriptorBytes(true));
      descriptor = descriptorAgreeingWith(bytes, local, central);
    }
    const disagreements = headerDisagreements(central, local, descriptor);
    const end = dataStart + central.compressedSize + (descriptor?.length ?? 0);
    if (end > next) disagreements.push(`its data ends at byte ${end}, past the next entry at byte ${next}`);
    if (disagreements.length > 0)
      errors.push(headerMismatch(file, central.name, disagreements, ` (local header at byte ${at})`));
  }
  return errors;
}
