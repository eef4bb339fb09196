/** Shared arbitraries and helpers of the fuzz suite: byte mutations, chunkings, and the per-run time limit. */
import fc from 'fast-check';
import { CENTRAL_FIELD, LOCAL_FIELD, zipLayout } from '../../support/zip-layout.ts';

/**
 * Every property run gets this long (fast-check fails the run past it), so a parser that hangs on
 * some input fails the test with that input as the counterexample instead of stalling the suite.
 */
export const RUN_TIMEOUT_MS = 2_000;

/** One corruption of a byte string: what broken transfers, bad disks and attackers do to a file. */
export type ByteMutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'append'; junk: Uint8Array }
  | { kind: 'overwrite'; at: number; junk: Uint8Array }
  | { kind: 'delete'; at: number; count: number };

/** Offsets are drawn from [0, 2^31) and reduced modulo the length at apply time, so one arbitrary fits any file. */
const offset = fc.nat();

export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('flip' as const), at: offset, bit: fc.integer({ min: 0, max: 7 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      at: offset,
      value: fc.constantFrom(0, 0xff, 0x2e, 0x2f),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: offset }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      junk: fc.uint8Array({ minLength: 1, maxLength: 64 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('overwrite' as const),
      at: offset,
      junk: fc.uint8Array({ minLength: 1, maxLength: 32 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('delete' as const), at: offset, count: fc.integer({ min: 1, max: 64 }) }),
  },
);

export function mutateBytes(original: Uint8Array, mutations: readonly ByteMutation[]): Buffer {
  let bytes = Buffer.from(original);
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : ('at' in m ? m.at : 0) % bytes.length;
    switch (m.kind) {
      case 'flip':
        if (bytes.length > 0) bytes[at] = bytes[at]! ^ (1 << m.bit);
        break;
      case 'set':
        if (bytes.length > 0) bytes[at] = m.value;
        break;
      case 'truncate':
        bytes = bytes.subarray(0, at);
        break;
      case 'append':
        bytes = Buffer.concat([bytes, m.junk]);
        break;
      case 'overwrite':
        bytes = Buffer.concat([bytes.subarray(0, at), m.junk, bytes.subarray(at + m.junk.length)]);
        break;
      case 'delete':
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.count)]);
        break;
    }
  }
  return bytes;
}

/** True when the mutations left the bytes exactly as they were (a flip twice, a truncate at the end…). */
export function unchanged(original: Uint8Array, mutated: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(original), Buffer.from(mutated)) === 0;
}

/** Cut points for splitting a byte string into the chunks a stream would deliver (boundaries anywhere). */
export const chunking = fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 });

/** Splits bytes into chunks of the given sizes (cycled), the last chunk taking the rest. */
export function chunksOf(bytes: Uint8Array, sizes: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const size = sizes[i++ % sizes.length] ?? bytes.length;
    out.push(Buffer.from(bytes.subarray(at, at + size)));
    at += size;
  }
  return out;
}

/** An async source yielding the chunks one by one, like a network stream. */
export async function* asyncSource(chunks: readonly Buffer[]): AsyncGenerator<Buffer> {
  for (const chunk of chunks) yield chunk;
}

/** One field of one entry's local header (or data descriptor) set to a value it did not have. */
export type LocalHeaderMutation =
  | { field: 'name'; at: number; mask: number }
  | {
      field: keyof typeof LOCAL_FIELD | 'descriptor-crc' | 'descriptor-compressed' | 'descriptor-uncompressed';
      value: number;
    };

export const localHeaderMutation: fc.Arbitrary<LocalHeaderMutation> = fc.oneof(
  fc.record({ field: fc.constant('name' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({
    field: fc.constantFrom(
      ...(Object.keys(LOCAL_FIELD) as (keyof typeof LOCAL_FIELD)[]),
      'descriptor-crc' as const,
      'descriptor-compressed' as const,
      'descriptor-uncompressed' as const,
    ),
    value: fc.oneof(fc.nat(0xffff), fc.constantFrom(0, 1, 0x0800, 0x0808, 0xffffffff), fc.nat()),
  }),
);

/** Applies the mutation to entry `which` (modulo the count); the field always ends up different. */
export function mutateLocalHeader(zip: Buffer, which: number, m: LocalHeaderMutation): Buffer {
  const entries = zipLayout(zip).entries;
  const e = entries[which % entries.length]!;
  const out = Buffer.from(zip);
  if (m.field === 'name') {
    const length = zip.readUInt16LE(e.local + 26);
    out[e.localName + (m.at % length)]! ^= m.mask;
    return out;
  }
  const descriptorOffset = { 'descriptor-crc': 0, 'descriptor-compressed': 4, 'descriptor-uncompressed': 8 } as const;
  const at =
    m.field in descriptorOffset
      ? e.descriptor === undefined
        ? e.local + LOCAL_FIELD.crc // no descriptor: its CRC stands in the local header
        : e.descriptor + descriptorOffset[m.field as keyof typeof descriptorOffset]
      : e.local + LOCAL_FIELD[m.field as keyof typeof LOCAL_FIELD];
  const width = m.field === 'flags' || m.field === 'method' ? 2 : 4;
  const old = width === 2 ? zip.readUInt16LE(at) : zip.readUInt32LE(at);
  const max = width === 2 ? 0xffff : 0xffffffff;
  // With a data descriptor (flag bit 3) a local header's CRC and sizes are zero, and the real
  // values are as valid there: the mutated value must differ from the central record's too, or it
  // agrees with the central directory and is no disagreement at all.
  const field = m.field in CENTRAL_FIELD ? (m.field as keyof typeof CENTRAL_FIELD) : undefined;
  const central =
    field === undefined
      ? undefined
      : width === 2
        ? zip.readUInt16LE(e.central + CENTRAL_FIELD[field])
        : zip.readUInt32LE(e.central + CENTRAL_FIELD[field]);
  let value = m.value % (max + 1);
  while (value === old || value === central) value = (value + 1) % (max + 1);
  if (width === 2) out.writeUInt16LE(value, at);
  else out.writeUInt32LE(value >>> 0, at);
  return out;
}
