import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ZipArchive } from 'archiver';
import { describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { createFileSink } from '#adapters/local/file-sink.ts';
import { foldLine, parseBagInfo, renderBagInfo } from '#core/dossier/bag/bag-info.ts';
import { compareBytes } from '#core/dossier/bag/paths.ts';
import type { Signer } from '#core/dossier/bag/signer.ts';
import { splitLargeEntry } from '#core/dossier/bag/split.ts';
import type { PayloadEntry } from '#core/dossier/bag/types.ts';
import { verifyDossierZip } from '#core/dossier/bag/verify.ts';
import { tuneArchiver, writeBag } from '#core/dossier/bag/writer.ts';
import { NOW, payloadOf, run, SAMPLE_FILES, testSigner, writeSampleBag } from './support.ts';

/** ECDSA signatures are randomized; reproducibility is a property of everything but the signer. */
function deterministicSigner(real: Signer): Signer {
  return { publicKeyPem: () => real.publicKeyPem(), sign: async (m) => createHash('sha256').update(m).digest() };
}

async function zipEntries(path: string) {
  const zip = await yauzl.openPromise(path, { lazyEntries: true });
  const out: Array<{ name: string; method: number; mode: number; date: number; time: number }> = [];
  for await (const e of zip.eachEntry()) {
    out.push({
      name: e.fileName,
      method: e.compressionMethod,
      mode: (e.externalFileAttributes >>> 16) & 0o7777,
      date: e.lastModFileDate,
      time: e.lastModFileTime,
    });
  }
  zip.close();
  return out;
}

async function entriesOf(list: PayloadEntry[]): Promise<AsyncIterable<PayloadEntry>> {
  return (async function* () {
    yield* list;
  })();
}

function entry(path: string, content = 'x'): PayloadEntry {
  return { path, size: Buffer.byteLength(content), open: async () => Readable.from([Buffer.from(content)]) };
}

async function attempt(payload: PayloadEntry[], totals?: { bytes: number; files: number }) {
  const dir = await mkdtemp(join(tmpdir(), 'reversa-bag-'));
  const signer = testSigner();
  const write = writeBag({
    bagName: 'b',
    payload: await entriesOf(payload),
    totals: totals ?? { bytes: payload.reduce((s, e) => s + e.size, 0), files: payload.length },
    bagInfo: { 'Source-Organization': 'P', 'External-Identifier': 't/v1' },
    signer,
    sink: createFileSink(join(dir, 'b.zip')),
    now: NOW,
  });
  return { write, dir };
}

describe('writeBag', () => {
  it("applies every speed-up to archiver's zip (a change in archiver's internals would silently cost speed)", () => {
    const tuning = tuneArchiver(new ZipArchive({ zlib: { level: 1 } }));

    expect(tuning.preparedFor).toBeInstanceOf(WeakMap);
    expect(tuning.gathersHeaders).toBe(true);
    expect(tuning.chainsEntries).toBe(true);
  });

  it('writes entries in byte-wise order of their full path with the bagging time and fixed modes', async () => {
    const { zipPath } = await writeSampleBag(testSigner());

    const entries = await zipEntries(zipPath);

    const names = entries.map((e) => e.name);
    expect([...names].sort(compareBytes)).toEqual(names);
    expect(names.slice(0, 5)).toEqual([
      'acme-dossier-v1/',
      'acme-dossier-v1/README-VERIFY.md',
      'acme-dossier-v1/bag-info.txt',
      'acme-dossier-v1/bagit.txt',
      'acme-dossier-v1/data/',
    ]);
    expect(names.slice(-4)).toEqual([
      'acme-dossier-v1/manifest-sha256.txt',
      'acme-dossier-v1/signer-public-key.pem',
      'acme-dossier-v1/tagmanifest-sha256.txt',
      'acme-dossier-v1/tagmanifest-sha256.txt.sig',
    ]);
    expect(new Set(entries.map((e) => `${e.date}/${e.time}`)).size).toBe(1);
    // DOS date/time of NOW (2026-03-01 10:00:00 UTC), the bagging time.
    expect(entries[0]).toMatchObject({ date: ((2026 - 1980) << 9) | (3 << 5) | 1, time: 10 << 11 });
    for (const e of entries) expect(e.mode).toBe(e.name.endsWith('/') ? 0o755 : 0o644);
  });

  it('packs hundreds of small files (prepared on worker threads) that unzip, sha256sum -c and verify accept', async () => {
    const files: Record<string, string | Buffer> = {};
    for (let i = 0; i < 300; i++) {
      const name = `configurations/site-${String(i % 7).padStart(2, '0')}/item-${String(i).padStart(4, '0')}`;
      // Tiny (pooled), mid-size and already-compressed entries, so every transfer path is taken.
      if (i % 3 === 0)
        files[`${name}.age`] = Buffer.from(Array.from({ length: 5000 + i }, (_, j) => (j * 31 + i) & 0xff));
      else files[`${name}.csv`] = `line ${i},backup,restore\n`.repeat(i % 2 === 0 ? 1 : 400);
    }

    const { dir, zipPath } = await writeSampleBag(testSigner(), { files });

    expect(run('unzip', ['-tq', zipPath], dir).code).toBe(0);
    expect(run('unzip', ['-q', zipPath], dir).code).toBe(0);
    const check = run('sha256sum', ['-c', '--quiet', 'manifest-sha256.txt'], join(dir, 'acme-dossier-v1'));
    expect(check).toMatchObject({ code: 0, stderr: '' });
    expect((await verifyDossierZip(zipPath)).ok).toBe(true);
    const methods = (await zipEntries(zipPath)).filter((e) => e.name.includes('/item-'));
    expect(methods.filter((e) => e.method === 8)).toHaveLength(200);
    expect(methods.filter((e) => e.method === 0)).toHaveLength(100);
  });

  it('produces byte-identical archives for the same input, time and (deterministic) signer', async () => {
    const signer = deterministicSigner(testSigner());

    const first = await writeSampleBag(signer);
    const second = await writeSampleBag(signer);

    expect(await readFile(second.zipPath)).toEqual(await readFile(first.zipPath));
    expect(second.result.zipSha256).toBe(first.result.zipSha256);
  });

  it('stores already-compressed or encrypted entries and deflates text', async () => {
    const { zipPath } = await writeSampleBag(testSigner());

    const methods = Object.fromEntries((await zipEntries(zipPath)).map((e) => [e.name, e.method]));

    expect(methods['acme-dossier-v1/data/credentials/escrow.age']).toBe(0);
    expect(methods['acme-dossier-v1/data/inventory/assets.csv']).toBe(8);
    expect(methods['acme-dossier-v1/bag-info.txt']).toBe(8);
  });

  it('returns the archive size and the SHA-256 hashed while streaming', async () => {
    const { zipPath, result } = await writeSampleBag(testSigner());

    const bytes = await readFile(zipPath);

    expect(result.zipBytes).toBe(bytes.length);
    expect(result.zipSha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(result.payloadOxum).toBe(`${Object.values(SAMPLE_FILES).reduce((s, c) => s + Buffer.byteLength(c), 0)}.6`);
  });

  it('rejects an entry of 4 GiB or more, pointing at fetch.txt and splitLargeEntry, and leaves no file', async () => {
    const huge: PayloadEntry = { path: 'backup.tar', size: 4 * 1024 ** 3, open: async () => Readable.from([]) };
    const { write, dir } = await attempt([huge]);

    await expect(write).rejects.toMatchObject({ name: 'ValidationError', code: 'BagEntryTooLarge' });
    await expect(write).rejects.toThrow(/fetch\.txt.*splitLargeEntry/s);
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    ['a parent segment', '../etc/passwd'],
    ['an absolute path', '/etc/passwd'],
    ['a backslash', 'a\\b.txt'],
    ['an empty segment', 'a//b.txt'],
    ['a dot segment', 'a/./b.txt'],
    ['a non-NFC name', 'cafe\u0301.txt'],
    ['a newline', 'a\nb.txt'],
    ['a percent sign', '100%.txt'],
  ])('rejects a payload path with %s', async (_what, path) => {
    const { write, dir } = await attempt([entry(path)]);

    await expect(write).rejects.toMatchObject({ name: 'ValidationError', code: 'UnsafeBagPath' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('rejects payload entries that are not sorted byte-wise, and duplicates', async () => {
    // One write in flight at a time: a second one started early would reject before anyone awaits it.
    const unsorted = await attempt([entry('b.txt'), entry('a.txt')]);
    await expect(unsorted.write).rejects.toMatchObject({ code: 'UnsortedBagPayload' });

    const duplicate = await attempt([entry('a.txt'), entry('a.txt')]);
    await expect(duplicate.write).rejects.toMatchObject({ code: 'DuplicateBagPath' });
  });

  it('rejects a path that is both a file and a folder', async () => {
    const { write } = await attempt([entry('a'), entry('a/b')]);

    await expect(write).rejects.toMatchObject({ code: 'BagPathConflict' });
  });

  it('fails when a stream yields a different size than declared, leaving no file', async () => {
    const lying: PayloadEntry = { path: 'a.txt', size: 10, open: async () => Readable.from([Buffer.from('short')]) };
    const { write, dir } = await attempt([lying]);

    await expect(write).rejects.toMatchObject({ code: 'PayloadSizeMismatch' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails when the declared totals do not match what streamed', async () => {
    const { write, dir } = await attempt([entry('a.txt', 'abc')], { bytes: 3, files: 2 });

    await expect(write).rejects.toMatchObject({ code: 'PayloadOxumMismatch' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails and removes the partial file when a payload stream errors midway', async () => {
    const broken: PayloadEntry = {
      path: 'a.bin',
      size: 1024 * 1024,
      open: async () =>
        Readable.from(
          (async function* () {
            yield Buffer.alloc(64 * 1024);
            throw new Error('disk read failed');
          })(),
        ),
    };
    const { write, dir } = await attempt([entry('0.txt'), broken]);

    await expect(write).rejects.toThrow('disk read failed');
    expect(await readdir(dir)).toEqual([]);
  });

  it('references fetch.txt files in the manifest and counts them in Payload-Oxum', async () => {
    const data = Buffer.from('a large backup, elsewhere');
    const fetch = [
      {
        url: 'https://backups.example.com/acme/pg.tar.zst',
        size: data.length,
        path: 'backups/pg.tar.zst',
        sha256: createHash('sha256').update(data).digest('hex'),
      },
    ];
    const { dir, zipPath, result } = await writeSampleBag(testSigner(), { fetch });
    const bag = join(dir, result.bagName);

    const verification = await verifyDossierZip(zipPath);
    run('unzip', ['-q', zipPath], dir);
    const embeddedOnly = run('sha256sum', ['-c', '--ignore-missing', 'manifest-sha256.txt'], bag);

    expect(verification.checks.filter((c) => !c.ok)).toEqual([]);
    expect(await readFile(join(bag, 'fetch.txt'), 'utf8')).toBe(
      `https://backups.example.com/acme/pg.tar.zst ${data.length} data/backups/pg.tar.zst\n`,
    );
    expect(await readFile(join(bag, 'manifest-sha256.txt'), 'utf8')).toContain(
      `${fetch[0]!.sha256}  data/backups/pg.tar.zst`,
    );
    expect(result.payloadOxum).toBe(
      `${Object.values(SAMPLE_FILES).reduce((s, c) => s + Buffer.byteLength(c), 0) + data.length}.7`,
    );
    expect(embeddedOnly.code, embeddedOnly.stdout).toBe(0);
    expect(await readFile(join(bag, 'README-VERIFY.md'), 'utf8')).toContain('fetch.txt');
  });
});

describe('splitLargeEntry', () => {
  it('splits into zero-padded parts that cat reassembles into the original', async () => {
    const original = Buffer.from(Array.from({ length: 2500 }, (_, i) => i % 251));
    const parts = splitLargeEntry(
      {
        path: 'db/dump.bin',
        size: original.length,
        openRange: async (s, e) => Readable.from([original.subarray(s, e + 1)]),
      },
      1000,
    );
    const dir = await mkdtemp(join(tmpdir(), 'reversa-bag-'));
    const zipPath = join(dir, 'split.zip');
    const result = await writeBag({
      bagName: 'split',
      payload: await entriesOf(parts),
      totals: { bytes: original.length, files: parts.length },
      bagInfo: { 'Source-Organization': 'P', 'External-Identifier': 't/v1' },
      splitFiles: parts.map((p) => p.path),
      signer: testSigner(),
      sink: createFileSink(zipPath),
      now: NOW,
    });
    run('unzip', ['-q', zipPath], dir);
    const bag = join(dir, result.bagName);
    const checked = run('sha256sum', ['-c', 'manifest-sha256.txt'], bag);
    run('sh', ['-c', 'cat data/db/dump.bin.part-* > reassembled.bin'], bag);

    expect(parts.map((p) => [p.path, p.size])).toEqual([
      ['db/dump.bin.part-0001', 1000],
      ['db/dump.bin.part-0002', 1000],
      ['db/dump.bin.part-0003', 500],
    ]);
    expect(checked.code).toBe(0);
    expect(await readFile(join(bag, 'reassembled.bin'))).toEqual(original);
    expect(await readFile(join(bag, 'README-VERIFY.md'), 'utf8')).toContain('data/db/dump.bin.part-0001');
  });

  it('refuses parts of 4 GiB or more', () => {
    expect(() =>
      splitLargeEntry({ path: 'x', size: 10, openRange: async () => Readable.from([]) }, 4 * 1024 ** 3),
    ).toThrow(/below 4 GiB/);
  });
});

describe('bag-info.txt', () => {
  it('folds long values under 80 columns and unfolds them back', () => {
    const long = 'word '.repeat(60).trim();

    const text = renderBagInfo(
      { 'Source-Organization': 'P', 'External-Identifier': 'acme/v3', 'Internal-Sender-Description': long },
      NOW,
      '10.2',
    );

    for (const line of text.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(79);
    const parsed = parseBagInfo(text);
    expect(parsed.get('Internal-Sender-Description')).toEqual([long]);
    expect(parsed.get('Payload-Oxum')).toEqual(['10.2']);
    expect(parsed.get('Bagging-Date')).toEqual(['2026-03-01']);
  });

  it('keeps a single word longer than a line whole', () => {
    expect(foldLine('Label', 'x'.repeat(100))).toBe(`Label: ${'x'.repeat(100)}\n`);
  });

  it('refuses caller fields that the writer computes, and missing required ones', () => {
    expect(() =>
      renderBagInfo({ 'Source-Organization': 'P', 'External-Identifier': 'x', 'Payload-Oxum': '1.1' }, NOW, '0.0'),
    ).toThrow(/computed by the writer/);
    expect(() => renderBagInfo({ 'Source-Organization': 'P' }, NOW, '0.0')).toThrow(/External-Identifier/);
  });
});

it('payloadOf helper keeps byte-wise order (guards the fixtures themselves)', async () => {
  const { payload } = payloadOf({ b: '1', B: '2', a: '3' });
  const paths: string[] = [];
  for await (const e of payload) paths.push(e.path);
  expect(paths).toEqual(['B', 'a', 'b']);
});
