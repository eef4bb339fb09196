/**
 * verifyDossierZip against dossiers whose local headers disagree with the central directory, the
 * attack where `unzip -t` complains and a verifier that reads the central directory alone says
 * "verified". Archives are altered byte by byte where an attacker would: one header field of one
 * entry, everything else (manifests, signature) left valid.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DossierVerification, verifyDossierZip } from '#core/dossier/bag/verify.ts';
import { CENTRAL_FIELD, LOCAL_FIELD, withByteChanged, withField, zipLayout } from '../../../support/zip-layout.ts';
import { run, testSigner, type WrittenBag, writeSampleBag } from './support.ts';

const CHECK = 'local headers match central directory';
let written: WrittenBag;
let original: Buffer;
let counter = 0;

beforeAll(async () => {
  written = await writeSampleBag(testSigner(), { withSidecars: false });
  original = await readFile(written.zipPath);
});

afterAll(async () => {
  await rm(written.dir, { recursive: true, force: true });
});

async function saved(bytes: Buffer): Promise<string> {
  const path = join(written.dir, `altered-${counter++}.zip`);
  await writeFile(path, bytes);
  return path;
}

function failed(v: DossierVerification): string[] {
  return v.checks.filter((c) => !c.ok).map((c) => c.name);
}

function detailOf(v: DossierVerification, name: string): string {
  return v.checks.find((c) => c.name === name)?.detail ?? '';
}

function entryOf(zip: Buffer, path: string) {
  const entry = zipLayout(zip).entries.find((e) => e.name === `${written.result.bagName}/${path}`);
  if (entry === undefined) throw new RangeError(`no entry ${path}`);
  return entry;
}

describe('verifyDossierZip compares every local header with the central directory', () => {
  it('passes a dossier made by our writer, whose deflated entries carry data descriptors', async () => {
    const verification = await verifyDossierZip(written.zipPath);

    expect(failed(verification)).toEqual([]);
    expect(verification.checks.find((c) => c.name === CHECK)?.ok).toBe(true);
    expect(entryOf(original, 'data/inventory/assets.json').descriptor).toBeDefined();
    expect(entryOf(original, 'data/credentials/escrow.age').descriptor).toBeUndefined();
  });

  it('fails a local header naming another file, which unzip -t also reports', async () => {
    const e = entryOf(original, 'data/inventory/assets.csv');
    const at = e.localName + `${written.result.bagName}/data/inventory/assets.`.length;
    const path = await saved(withByteChanged(original, at, 'c'.charCodeAt(0) ^ 'x'.charCodeAt(0)));

    const verification = await verifyDossierZip(path);
    const unzip = run('unzip', ['-t', path], written.dir);

    expect(verification.ok).toBe(false);
    expect(failed(verification)).toEqual([CHECK]);
    expect(detailOf(verification, CHECK)).toContain(
      `entry "${written.result.bagName}/data/inventory/assets.csv": local header names "${written.result.bagName}/data/inventory/assets.xsv"`,
    );
    expect(unzip.code).not.toBe(0);
    expect(unzip.stdout + unzip.stderr).toContain('mismatching "local" filename');
  });

  it('fails a local header stating another size, naming the entry', async () => {
    const e = entryOf(original, 'data/credentials/escrow.age');
    const path = await saved(withField(original, e.local + LOCAL_FIELD.uncompressed, 4, 5));

    const verification = await verifyDossierZip(path);

    expect(failed(verification)).toEqual([CHECK]);
    expect(detailOf(verification, CHECK)).toMatch(
      /data\/credentials\/escrow\.age": uncompressed size 5 in the local header, 6 in the central directory/,
    );
  });

  it('fails a data descriptor stating another compressed size, naming the entry', async () => {
    const e = entryOf(original, 'data/inventory/assets.json');
    const path = await saved(withField(original, e.descriptor! + 4, 4, e.compressedSize + 1));

    const verification = await verifyDossierZip(path);

    expect(failed(verification)).toEqual([CHECK]);
    expect(detailOf(verification, CHECK)).toContain('data/inventory/assets.json": compressed size');
    expect(detailOf(verification, CHECK)).toContain('in the data descriptor');
  });

  it('fails a local header or data descriptor stating another CRC-32, naming the entry', async () => {
    const stored = entryOf(original, 'data/credentials/escrow.age');
    const deflated = entryOf(original, 'data/inventory/assets.json');

    const inHeader = await verifyDossierZip(
      await saved(withByteChanged(original, stored.local + LOCAL_FIELD.crc, 0x80)),
    );
    const inDescriptor = await verifyDossierZip(await saved(withByteChanged(original, deflated.descriptor!, 0x80)));

    expect(failed(inHeader)).toEqual([CHECK]);
    expect(detailOf(inHeader, CHECK)).toMatch(/escrow\.age": CRC-32 0x[0-9a-f]{8} in the local header/);
    expect(failed(inDescriptor)).toEqual([CHECK]);
    expect(detailOf(inDescriptor, CHECK)).toMatch(/assets\.json": CRC-32 0x[0-9a-f]{8} in the data descriptor/);
  });

  it('fails a local header stating another compression method, naming the entry', async () => {
    const e = entryOf(original, 'data/inventory/assets.json');
    expect(e.method).toBe(8);
    const path = await saved(withField(original, e.local + LOCAL_FIELD.method, 2, 0));

    const verification = await verifyDossierZip(path);

    expect(failed(verification)).toEqual([CHECK]);
    expect(detailOf(verification, CHECK)).toContain(
      'assets.json": compression method 0 in the local header, 8 in the central directory',
    );
  });

  it('fails entry data whose CRC-32 is not the one both headers state, as unzip -t does', async () => {
    const e = entryOf(original, 'data/credentials/escrow.age');
    const wrong = (original.readUInt32LE(e.central + CENTRAL_FIELD.crc) ^ 0x01) >>> 0;
    const path = await saved(
      withField(withField(original, e.local + LOCAL_FIELD.crc, 4, wrong), e.central + CENTRAL_FIELD.crc, 4, wrong),
    );

    const verification = await verifyDossierZip(path);
    const unzip = run('unzip', ['-t', path], written.dir);

    expect(failed(verification)).toEqual(['CRC-32 of every entry read matches']);
    expect(detailOf(verification, 'CRC-32 of every entry read matches')).toContain('data/credentials/escrow.age');
    expect(unzip.code).not.toBe(0);
  });

  it('passes the same dossier re-zipped by the stock zip tool, and fails it once a local name is changed', async () => {
    const work = join(written.dir, 'stock');
    run('unzip', ['-q', written.zipPath, '-d', work], written.dir);
    const stockZip = join(written.dir, 'stock.zip');
    expect(run('zip', ['-q', '-r', '-X', stockZip, written.result.bagName], work).code).toBe(0);
    const stock = await readFile(stockZip);
    const e = entryOf(stock, 'bagit.txt');

    const untouched = await verifyDossierZip(stockZip);
    const altered = await verifyDossierZip(await saved(withByteChanged(stock, e.localName + e.name.length - 1, 0x01)));

    expect(failed(untouched)).toEqual([]);
    expect(failed(altered)).toEqual([CHECK]);
    expect(detailOf(altered, CHECK)).toContain(`entry "${written.result.bagName}/bagit.txt": local header names`);
  });
});
