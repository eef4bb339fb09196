/**
 * The restore-test archive reader against zips whose local headers disagree with their central
 * directory: unzip (which a real restore would use) goes by the central directory, this reader by the
 * local headers, so an archive where the two differ must fail the test, naming the entry — never
 * pass with files a real restore would not produce.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '#core/errors.ts';
import { openArchive } from '#core/restore/archive.ts';
import { archiverZip } from '../../support/archiver-zip.ts';
import { CENTRAL_FIELD, LOCAL_FIELD, withByteChanged, withField, zipLayout } from '../../support/zip-layout.ts';
import { type Fixture, makeTree } from './archive-fixtures.ts';

let fx: Fixture;
/** Made by the stock zip tool into a file: sizes and CRC in the local headers, no data descriptors. */
let stock: Buffer;
/** Made by archiver from streams: deflated entries with data descriptors (flag bit 3). */
let streamed: Buffer;

const FILES = { 'readme.txt': 'hello restore\n', 'docs/a.txt': 'alpha\n'.repeat(200), 'docs/b.txt': 'bravo\n' };

beforeAll(async () => {
  fx = makeTree(FILES);
  execFileSync('zip', ['-qr', join(fx.root, 'stock.zip'), '.'], { cwd: fx.data });
  stock = readFileSync(join(fx.root, 'stock.zip'));
  streamed = await archiverZip(FILES);
});

afterAll(() => fx.cleanup());

/** Reads every entry and every byte, as the s3-archive runner does; returns the paths read. */
async function readAll(bytes: Buffer): Promise<string[]> {
  const archive = await openArchive([bytes]);
  const paths: string[] = [];
  for await (const entry of archive.entries) {
    for await (const _ of entry.body) {
      // Consumed in full, so the reader can check the data's CRC-32.
    }
    paths.push(entry.path);
  }
  return paths;
}

async function failure(bytes: Buffer): Promise<ValidationError> {
  const error = await readAll(bytes).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

function entryOf(zip: Buffer, name: string) {
  const entry = zipLayout(zip).entries.find((e) => e.name === name);
  if (entry === undefined) throw new RangeError(`no entry ${name}`);
  return entry;
}

describe('the restore-test zip reader', () => {
  it('reads a zip made by the stock zip tool and one made by archiver from streams', async () => {
    expect((await readAll(stock)).sort()).toEqual(['docs/', 'docs/a.txt', 'docs/b.txt', 'readme.txt']);
    expect((await readAll(streamed)).sort()).toEqual(['docs/a.txt', 'docs/b.txt', 'readme.txt']);
  });

  it('fails, naming the entry, when a local header names another file than the central directory', async () => {
    const e = entryOf(stock, 'docs/b.txt');
    // docs/b.txt → docs/c.txt in the local header only: what unzip -t reports as a mismatching local filename.
    const tampered = withByteChanged(stock, e.localName + 'docs/'.length, 'b'.charCodeAt(0) ^ 'c'.charCodeAt(0));

    const error = await failure(tampered);

    expect(error.code).toBe('ZipHeaderMismatch');
    expect(error.problems[0]).toMatchObject({ file: 'archive', path: 'docs/b.txt' });
    expect(error.message).toContain('local header names "docs/c.txt", central directory "docs/b.txt"');
  });

  it('fails, naming the entry, when the local header states another uncompressed size', async () => {
    const e = entryOf(stock, 'docs/a.txt');
    const tampered = withField(stock, e.local + LOCAL_FIELD.uncompressed, 4, 5);

    const error = await failure(tampered);

    expect(error.code).toBe('ZipHeaderMismatch');
    expect(error.message).toContain('entry "docs/a.txt"');
    expect(error.message).toContain(`uncompressed size 5 in the local header, ${1200} in the central directory`);
  });

  it('fails, naming the entry, when the central directory states another compressed size', async () => {
    const e = entryOf(stock, 'docs/a.txt');
    const tampered = withField(stock, e.central + CENTRAL_FIELD.compressed, 4, e.compressedSize - 1);

    const error = await failure(tampered);

    expect(error.code).toBe('ZipHeaderMismatch');
    expect(error.message).toContain('entry "docs/a.txt"');
    expect(error.message).toContain('compressed size');
  });

  it('fails, naming the entry, when the local header states another CRC-32', async () => {
    const e = entryOf(stock, 'readme.txt');
    const tampered = withByteChanged(stock, e.local + LOCAL_FIELD.crc, 0xff);

    const error = await failure(tampered);

    expect(error.code).toBe('ZipHeaderMismatch');
    expect(error.message).toMatch(
      /entry "readme\.txt": CRC-32 0x[0-9a-f]{8} in the local header, 0x[0-9a-f]{8} in the central directory/,
    );
  });

  it('fails, naming the entry, when the local header says stored and the central directory deflated', async () => {
    const e = entryOf(stock, 'docs/a.txt');
    expect(e.method).toBe(8);
    const tampered = withField(stock, e.local + LOCAL_FIELD.method, 2, 0);

    const error = await failure(tampered);

    expect(error.code).toBe('ZipHeaderMismatch');
    expect(error.message).toContain(
      'entry "docs/a.txt": compression method 0 in the local header, 8 in the central directory',
    );
  });

  it('fails, naming the entry, when data and headers agree on a CRC-32 the data does not have', async () => {
    const e = entryOf(stock, 'readme.txt');
    const wrong = (stock.readUInt32LE(e.central + CENTRAL_FIELD.crc) ^ 1) >>> 0;
    const tampered = withField(
      withField(stock, e.local + LOCAL_FIELD.crc, 4, wrong),
      e.central + CENTRAL_FIELD.crc,
      4,
      wrong,
    );

    const error = await failure(tampered);

    expect(error.code).toBe('ZipHeaderMismatch');
    expect(error.message).toMatch(/entry "readme\.txt": the data read has CRC-32/);
  });

  it('fails, naming the entry, when a data descriptor (flag bit 3) states another CRC-32 or size', async () => {
    const e = entryOf(streamed, 'docs/a.txt');
    expect(e.descriptor).toBeDefined();

    const crc = await failure(withByteChanged(streamed, e.descriptor!, 0x10));
    const size = await failure(withField(streamed, e.descriptor! + 8, 4, 7));

    expect(crc.message).toMatch(/entry "docs\/a\.txt": CRC-32 0x[0-9a-f]{8} in the data descriptor/);
    expect(size.message).toContain(
      'entry "docs/a.txt": uncompressed size 7 in the data descriptor, 1200 in the central directory',
    );
  });

  it('fails when the general-purpose flags differ', async () => {
    const e = entryOf(stock, 'readme.txt');
    const tampered = withField(
      stock,
      e.local + LOCAL_FIELD.flags,
      2,
      stock.readUInt16LE(e.local + LOCAL_FIELD.flags) ^ 0x0800,
    );

    const error = await failure(tampered);

    expect(error.code).toBe('ZipHeaderMismatch');
    expect(error.message).toContain('entry "readme.txt": general-purpose flags');
  });

  it('fails when the end record places the central directory elsewhere than where it is', async () => {
    const { end } = zipLayout(stock);
    const tampered = withField(stock, end + 16, 4, stock.readUInt32LE(end + 16) - 1);

    const error = await failure(tampered);

    expect(error.code).toBe('InvalidArchive');
    expect(error.message).toMatch(/places it at byte \d+ .* but it is at byte \d+/);
  });

  it('fails when the archive ends before its central directory', async () => {
    const cut = stock.subarray(
      0,
      zipLayout(stock).entries.reduce((m, e) => Math.min(m, e.central), stock.length),
    );

    const error = await failure(cut);

    expect(error.message).toContain('without a central directory');
  });
});
