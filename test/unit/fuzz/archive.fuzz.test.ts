/**
 * Fuzzing the streaming archive readers (openArchive → tar / tar.gz / zip): archives come from
 * tenants' buckets and tools, so random bytes, truncated, bit-flipped and hand-crafted archives must
 * end in a typed error naming an offset or entry — never a bare Error, a hang, or an allocation of
 * whatever size a header declares, and a zip whose local headers disagree with its central directory
 * is never read as if whole. Real archives are made with the system tar/zip and archiver.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReversaError, ValidationError } from '#core/errors.ts';
import { detectFormat, openArchive } from '#core/restore/archive.ts';
import { safeRelativePath } from '#core/restore/archive-entry.ts';
import { archiverZip } from '../../support/archiver-zip.ts';
import {
  asyncSource,
  byteMutation,
  chunking,
  chunksOf,
  localHeaderMutation,
  mutateBytes,
  mutateLocalHeader,
  RUN_TIMEOUT_MS,
} from './support.ts';

const FILES: Record<string, string> = {
  'readme.txt': 'hello restore\n',
  'docs/a.txt': 'alpha\n'.repeat(120),
  'docs/empty.dat': '',
  [`deep/${'n'.repeat(110)}.txt`]: 'a name over the 100 bytes of a ustar header\n',
  'space name.txt': 'spaces\n',
};

type Sample = { label: string; bytes: Buffer; format: 'tar' | 'tar.gz' | 'zip' };
let samples: Sample[] = [];
let root = '';

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'reversa-fuzz-archive-'));
  const data = join(root, 'data');
  for (const [path, content] of Object.entries(FILES)) {
    mkdirSync(dirname(join(data, path)), { recursive: true });
    writeFileSync(join(data, path), content);
  }
  const out = (name: string) => join(root, name);
  execFileSync('tar', ['--format=gnu', '-cf', out('gnu.tar'), '-C', data, '.']);
  execFileSync('tar', ['--format=pax', '-cf', out('pax.tar'), '-C', data, '.']);
  execFileSync('tar', ['-czf', out('a.tar.gz'), '-C', data, '.']);
  execFileSync('zip', ['-qr', out('a.zip'), '.'], { cwd: data });
  samples = [
    { label: 'GNU tar', bytes: readFileSync(out('gnu.tar')), format: 'tar' },
    { label: 'pax tar', bytes: readFileSync(out('pax.tar')), format: 'tar' },
    { label: 'tar.gz', bytes: readFileSync(out('a.tar.gz')), format: 'tar.gz' },
    { label: 'zip', bytes: readFileSync(out('a.zip')), format: 'zip' },
    { label: 'streamed zip', bytes: await archiverZip(FILES), format: 'zip' },
  ];
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** How the consumer treats each entry's body: read it all, ignore it, or stop after the first chunk. */
type Reading = 'all' | 'none' | 'first-chunk';
const reading = fc.array(fc.constantFrom<Reading>('all', 'none', 'first-chunk'), { minLength: 1, maxLength: 4 });

interface ReadEntry {
  path: string;
  kind: string;
  content?: Buffer;
}

/** Opens and walks the archive the way the restore runners do; returns what it read. */
async function walk(
  chunks: Buffer[],
  modes: readonly Reading[] = ['all'],
): Promise<{ format: string; entries: ReadEntry[] }> {
  const archive = await openArchive(asyncSource(chunks));
  const entries: ReadEntry[] = [];
  let i = 0;
  for await (const entry of archive.entries) {
    const mode = modes[i++ % modes.length]!;
    const seen: ReadEntry = { path: entry.path, kind: entry.kind };
    if (mode === 'all') {
      const parts: Buffer[] = [];
      for await (const chunk of entry.body) parts.push(chunk);
      seen.content = Buffer.concat(parts);
    } else if (mode === 'first-chunk') {
      for await (const _ of entry.body) break;
    }
    entries.push(seen);
  }
  return { format: archive.format, entries };
}

/** The failure contract: a ReversaError; for bad input, a ValidationError whose problems name an offset or entry. */
function expectTypedArchiveError(error: unknown): void {
  if (!(error instanceof ReversaError)) throw error; // shows the bare error as the counterexample
  expect(error).toBeInstanceOf(ValidationError);
  const problems = (error as ValidationError).problems;
  expect(problems.length).toBeGreaterThan(0);
  for (const p of problems) {
    expect(p.file).toBe('archive');
    if (error.code !== 'UnsupportedArchive') expect(p.message).toMatch(/byte \d+|entry "/);
  }
}

async function walksOrFailsTyped(bytes: Buffer, sizes: readonly number[], modes?: readonly Reading[]): Promise<void> {
  try {
    await walk(chunksOf(bytes, sizes), modes);
  } catch (error) {
    expectTypedArchiveError(error);
  }
}

const sampleIndex = fc.nat(4);

describe('archive readers under fuzzing', { timeout: 20_000 }, () => {
  it('read every real sample back exactly, however the stream is chunked', async () => {
    await fc.assert(
      fc.asyncProperty(sampleIndex, chunking, async (i, sizes) => {
        const sample = samples[i]!;
        const { format, entries } = await walk(chunksOf(sample.bytes, sizes));
        expect(format).toBe(sample.format);
        const files = Object.fromEntries(
          entries.filter((e) => e.kind === 'file').map((e) => [safeRelativePath(e.path), e.content?.toString('utf8')]),
        );
        expect(files).toEqual(FILES);
      }),
      { numRuns: 40, timeout: RUN_TIMEOUT_MS },
    );
  });

  it('fail only with a typed error on random bytes, bare or behind each format’s magic', async () => {
    const magic = fc.constantFrom(
      Buffer.alloc(0),
      Buffer.from([0x1f, 0x8b]),
      Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03]),
      Buffer.from('PK\x03\x04', 'latin1'),
      Buffer.from('PK\x05\x06', 'latin1'),
    );
    await fc.assert(
      fc.asyncProperty(magic, fc.uint8Array({ maxLength: 2048 }), chunking, async (head, body, sizes) => {
        await walksOrFailsTyped(Buffer.concat([head, body]), sizes);
      }),
      { numRuns: 200, timeout: RUN_TIMEOUT_MS },
    );
  });

  it('fail only with a typed error on random tar headers that carry a valid checksum', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 512, maxLength: 512 }), { minLength: 1, maxLength: 3 }),
        fc.constantFrom('0', '5', '2', '1', 'x', 'g', 'L', 'K', '7', 'S'),
        fc.uint8Array({ maxLength: 1200 }),
        chunking,
        async (headers, type, tail, sizes) => {
          const blocks = headers.map((h) => withChecksum(Buffer.from(h), type));
          await walksOrFailsTyped(Buffer.concat([...blocks, tail]), sizes);
        },
      ),
      { numRuns: 200, timeout: RUN_TIMEOUT_MS },
    );
  });

  it('fail only with a typed error on truncated, bit-flipped or spliced real archives, whatever the consumer reads', async () => {
    await fc.assert(
      fc.asyncProperty(
        sampleIndex,
        fc.array(byteMutation, { minLength: 1, maxLength: 4 }),
        chunking,
        reading,
        async (i, mutations, sizes, modes) => {
          await walksOrFailsTyped(mutateBytes(samples[i]!.bytes, mutations), sizes, modes);
        },
      ),
      { numRuns: 400, timeout: RUN_TIMEOUT_MS },
    );
  });

  it('never read a zip whose local header or data descriptor disagrees with its central directory', async () => {
    const zips = samples.filter((s) => s.format === 'zip');
    await fc.assert(
      fc.asyncProperty(
        fc.nat(zips.length - 1),
        fc.nat(),
        localHeaderMutation,
        chunking,
        async (z, which, mutation, sizes) => {
          const bytes = mutateLocalHeader(zips[z]!.bytes, which, mutation);

          const outcome = await walk(chunksOf(bytes, sizes)).then(
            () => undefined,
            (error: unknown) => error,
          );

          // Whatever the field, the reader must refuse the archive, with a typed error.
          expect(outcome).toBeDefined();
          expectTypedArchiveError(outcome);
        },
      ),
      { numRuns: 300, timeout: RUN_TIMEOUT_MS },
    );
  });

  it('never hand out a file cut short by a truncated archive as if it were whole', async () => {
    await fc.assert(
      fc.asyncProperty(sampleIndex, fc.nat(), async (i, cut) => {
        const sample = samples[i]!;
        // A zip cut inside its central directory still has every entry: cut before it.
        const end = sample.format === 'zip' ? centralDirectoryStart(sample.bytes) : sample.bytes.length;
        const truncated = sample.bytes.subarray(0, 1 + (cut % (end - 1)));
        let result: Awaited<ReturnType<typeof walk>> | undefined;
        try {
          result = await walk([truncated]);
        } catch (error) {
          expectTypedArchiveError(error);
        }
        // A cut on an entry boundary may pass as a shorter archive, but every file read must be whole.
        for (const f of result?.entries.filter((e) => e.kind === 'file') ?? []) {
          expect(f.content?.toString('utf8')).toBe(FILES[safeRelativePath(f.path)!]);
        }
      }),
      { numRuns: 150, timeout: RUN_TIMEOUT_MS },
    );
  });
});

function centralDirectoryStart(zip: Buffer): number {
  const at = zip.lastIndexOf(Buffer.from('PK\x05\x06', 'latin1'));
  return zip.readUInt32LE(at + 16);
}

// ---- hand-built headers -------------------------------------------------------------------------

/** Fixes a 512-byte block's type flag and checksum so readTar gets past the checksum test. */
function withChecksum(block: Buffer, type?: string): Buffer {
  if (type !== undefined) block.write(type, 156, 'latin1');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

interface TarHeader {
  name?: string;
  type?: string;
  /** Octal text, or raw bytes for the 12-byte size field (GNU base-256). */
  size?: number | Buffer;
  linkname?: string;
}

function tarHeader(h: TarHeader): Buffer {
  const block = Buffer.alloc(512);
  block.write(h.name ?? 'file.txt', 0, 100, 'utf8');
  block.write('0000644\0', 100, 'latin1');
  block.write('0000000\0', 108, 'latin1');
  block.write('0000000\0', 116, 'latin1');
  if (Buffer.isBuffer(h.size)) h.size.copy(block, 124, 0, 12);
  else block.write(`${(h.size ?? 0).toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  block.write('14000000000\0', 136, 'latin1');
  if (h.linkname !== undefined) block.write(h.linkname, 157, 100, 'utf8');
  block.write('ustar\0' + '00', 257, 'latin1');
  return withChecksum(block, h.type ?? '0');
}

function padded(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (`${length}${body}`.length !== length) length++;
  return `${length}${body}`;
}

function paxEntry(records: Record<string, string>, then: TarHeader, data = Buffer.alloc(0)): Buffer {
  const pax = Buffer.from(
    Object.entries(records)
      .map(([k, v]) => paxRecord(k, v))
      .join(''),
    'utf8',
  );
  return Buffer.concat([
    tarHeader({ name: 'PaxHeader', type: 'x', size: pax.length }),
    padded(pax),
    tarHeader(then),
    padded(data),
  ]);
}

function base256(value: bigint): Buffer {
  const field = Buffer.alloc(12);
  let v = value;
  for (let i = 11; i >= 1; i--) {
    field[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  field[0] = 0x80 | Number(v & 0x7fn);
  return field;
}

function zipLocalHeader(o: {
  name: string;
  method?: number;
  flags?: number;
  compressed?: number;
  uncompressed?: number;
  extra?: Buffer;
  nameLength?: number;
}): Buffer {
  const name = Buffer.from(o.name, 'utf8');
  const extra = o.extra ?? Buffer.alloc(0);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(o.flags ?? 0x0800, 6);
  header.writeUInt16LE(o.method ?? 0, 8);
  header.writeUInt32LE(o.compressed ?? 0, 18);
  header.writeUInt32LE(o.uncompressed ?? o.compressed ?? 0, 22);
  header.writeUInt16LE(o.nameLength ?? name.length, 26);
  header.writeUInt16LE(extra.length, 28);
  return Buffer.concat([header, name, extra]);
}

function zip64Extra(uncompressed: bigint, compressed: bigint): Buffer {
  const extra = Buffer.alloc(20);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(16, 2);
  extra.writeBigUInt64LE(uncompressed, 4);
  extra.writeBigUInt64LE(compressed, 12);
  return extra;
}

/** A whole one-entry zip (local header, data, central directory, end record): what unzip would accept. */
function completeZip(name: string, content: Buffer): Buffer {
  const crc = crc32(content);
  const local = zipLocalHeader({ name, compressed: content.length });
  local.writeUInt32LE(crc, 14);
  const nameBytes = Buffer.from(name, 'utf8');
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(content.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(local.length + content.length, 16);
  return Buffer.concat([local, content, central, nameBytes, end]);
}

/** Archives whose headers declare sizes far beyond the bytes that follow (or beyond any sane limit). */
const HUGE: Record<string, () => Buffer> = {
  'tar octal 8 GiB': () => Buffer.concat([tarHeader({ size: 0o77777777777 }), Buffer.alloc(700, 0x61)]),
  'tar base-256 2^52': () => Buffer.concat([tarHeader({ size: base256(2n ** 52n) }), Buffer.alloc(700, 0x61)]),
  'tar base-256 2^80 (unsafe integer)': () =>
    Buffer.concat([tarHeader({ size: base256(2n ** 80n) }), Buffer.alloc(700)]),
  'tar pax size 2^53-1': () => paxEntry({ size: String(2 ** 53 - 1) }, { size: 1 }, Buffer.from('x')),
  'tar pax size 1e30': () => paxEntry({ size: '1e30' }, { size: 1 }, Buffer.from('x')),
  'tar pax size -5': () => paxEntry({ size: '-5' }, { size: 1 }, Buffer.from('x')),
  'tar pax header of 8 GiB': () => Buffer.concat([tarHeader({ type: 'x', size: 0o77777777777 }), Buffer.alloc(512)]),
  'tar pax header over the 1 MiB limit': () =>
    Buffer.concat([tarHeader({ type: 'x', size: 1024 * 1024 + 1 }), Buffer.alloc(512)]),
  'tar GNU long name of 8 GiB': () => Buffer.concat([tarHeader({ type: 'L', size: 0o77777777777 }), Buffer.alloc(512)]),
  'tar GNU long name over the 64 KiB limit': () =>
    Buffer.concat([tarHeader({ type: 'L', size: 65 * 1024 }), Buffer.alloc(512)]),
  'zip stored 4 GiB': () =>
    Buffer.concat([zipLocalHeader({ name: 'big.bin', compressed: 0xfffffffe }), Buffer.alloc(100)]),
  'zip64 2^62': () =>
    Buffer.concat([
      zipLocalHeader({
        name: 'big.bin',
        compressed: 0xffffffff,
        uncompressed: 0xffffffff,
        extra: zip64Extra(2n ** 62n, 2n ** 62n),
      }),
      Buffer.alloc(100),
    ]),
  'zip name length 65535 over few bytes': () =>
    Buffer.concat([zipLocalHeader({ name: 'x', nameLength: 0xffff }), Buffer.alloc(10)]),
  'zip streamed deflate whose descriptor never comes': () =>
    Buffer.concat([zipLocalHeader({ name: 's.bin', method: 8, flags: 0x0808 }), Buffer.alloc(3000, 0x03)]),
};

const UNSAFE_NAMES = [
  '../x',
  '../../etc/passwd',
  '/etc/passwd',
  'a/../../b',
  '..',
  './../x',
  'a/..',
  '..\\x',
  'a\\..\\..\\b',
];

describe('archive readers on hand-crafted headers', () => {
  it.each(Object.keys(HUGE))('refuse %s with a typed error, without allocating the declared size', async (label) => {
    const bytes = HUGE[label]!();
    const before = process.memoryUsage().arrayBuffers;

    const outcome = await walk([bytes]).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(outcome).toBeDefined();
    expectTypedArchiveError(outcome);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('hand back unsafe tar and zip names untouched, and safeRelativePath refuses every one of them', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...UNSAFE_NAMES),
        fc.constantFrom('ustar', 'pax', 'gnu-long', 'zip'),
        async (name, how) => {
          const content = Buffer.from('payload');
          const bytes =
            how === 'ustar'
              ? Buffer.concat([tarHeader({ name, size: content.length }), padded(content), Buffer.alloc(1024)])
              : how === 'pax'
                ? Buffer.concat([
                    paxEntry({ path: name }, { name: 'safe.txt', size: content.length }, content),
                    Buffer.alloc(1024),
                  ])
                : how === 'gnu-long'
                  ? Buffer.concat([
                      tarHeader({ name: '././@LongLink', type: 'L', size: Buffer.byteLength(name) + 1 }),
                      padded(Buffer.from(`${name}\0`)),
                      tarHeader({ name: 'safe.txt', size: content.length }),
                      padded(content),
                      Buffer.alloc(1024),
                    ])
                  : completeZip(name, content);

          const { entries } = await walk([bytes]);

          expect(entries.map((e) => e.path)).toEqual([name]);
          expect(safeRelativePath(name)).toBeUndefined();
        },
      ),
      { numRuns: 60, timeout: RUN_TIMEOUT_MS },
    );
  });

  it('carry a NUL inside a pax path through to safeRelativePath, which refuses it', async () => {
    const bytes = Buffer.concat([
      paxEntry({ path: 'ok.txt\u0000../../etc/passwd' }, { name: 'safe.txt', size: 1 }, Buffer.from('x')),
      Buffer.alloc(1024),
    ]);

    const { entries } = await walk([bytes]);

    expect(entries[0]?.path).toBe('ok.txt\u0000../../etc/passwd');
    expect(safeRelativePath(entries[0]!.path)).toBeUndefined();
  });

  it('safeRelativePath only ever returns a clean relative path that stays inside the sandbox', () => {
    const segment = fc.oneof(
      fc.constantFrom('..', '.', '', 'a', 'b.txt', '\u0000', '...', '..a', ' '),
      fc.string({ maxLength: 6 }),
    );
    const separator = fc.constantFrom('/', '\\', '//');
    fc.assert(
      fc.property(fc.array(fc.tuple(segment, separator), { maxLength: 8 }), fc.boolean(), (parts, absolute) => {
        const name = (absolute ? '/' : '') + parts.map(([s, sep]) => s + sep).join('');
        const safe = safeRelativePath(name);
        if (safe === undefined) return;
        expect(safe.startsWith('/') || safe.includes('\\') || safe.includes('\u0000')).toBe(false);
        expect(safe.split('/')).not.toContain('..');
        expect(safe.split('/')).not.toContain('');
        expect(posix.normalize(safe)).toBe(safe);
        expect(posix.join('/sandbox', safe).startsWith('/sandbox/')).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('detectFormat never throws and only names a format its magic bytes support', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const head = Buffer.from(bytes);
        const format = detectFormat(head);
        if (format === 'gzip') expect([head[0], head[1]]).toEqual([0x1f, 0x8b]);
        if (format === 'zip') expect(head.toString('latin1', 0, 2)).toBe('PK');
        if (format === 'tar') expect(head.toString('latin1', 257, 262)).toBe('ustar');
      }),
      { numRuns: 300 },
    );
  });
});
