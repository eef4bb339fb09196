import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, type Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSigner } from '#adapters/local/file-signer.ts';
import { createFileSink } from '#adapters/local/file-sink.ts';
import { assembleDossier } from '#core/dossier/assemble.ts';
import { presenceOf, type SourcedFile } from '#core/dossier/assemble-sources.ts';
import { verifyDossierZip } from '#core/dossier/bag/verify.ts';
import type { ObjectInfo, ObjectStore } from '#core/dossier/ports.ts';

/** An in-memory bucket: enough of ObjectStore for the assembler, which only opens (ranged) streams. */
function memoryStore(objects: Record<string, Buffer>): ObjectStore {
  return {
    async *list(prefix: string): AsyncIterable<ObjectInfo> {
      for (const [key, body] of Object.entries(objects))
        if (key.startsWith(prefix)) yield { key, size: body.length, lastModified: 0 };
    },
    async open(key, range) {
      const body = objects[key]!;
      return Readable.from([range ? body.subarray(range.start, range.end + 1) : body]);
    },
    put: async () => undefined,
    getBytes: async (key) => objects[key]!,
    delete: async () => undefined,
    createSink: (): Writable => new PassThrough(),
    abortUploads: async () => 0,
    urlOf: (key) => `s3://data/${key}`,
  };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reversa-assemble-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const big = Buffer.alloc(5000, 7);
const small = Buffer.from('{"a":1}\n');
const objects = { 'config/t/big.img': big, 'config/t/fw.json': small };
const files: SourcedFile[] = [
  { path: 'configurations/big.img', key: 'config/t/big.img', size: big.length, provided: true },
  { path: 'configurations/fw.json', key: 'config/t/fw.json', size: small.length, provided: true },
];

async function assemble(name: string, embedData: boolean) {
  const zipPath = join(dir, `${name}.zip`);
  const result = await assembleDossier({
    objects: memoryStore(objects),
    files,
    bagName: name,
    bagInfo: { 'Source-Organization': 'Test', 'External-Identifier': `t ${name}` },
    signer: new FileSigner(join(dir, 'keys')),
    sink: createFileSink(zipPath),
    now: new Date('2026-03-10T12:00:00Z'),
    embedData,
    largeFileBytes: 4096,
    partBytes: 2048,
  });
  return { zipPath, result };
}

describe('assembleDossier', () => {
  it('references large provider files in fetch.txt with their checksum, embedding the rest', async () => {
    const { zipPath, result } = await assemble('fetched', false);

    expect(result.fetched).toBe(1);
    expect(result.embedded).toBe(1);
    expect(result.manifestText).toBe(
      `${sha(big)}  data/configurations/big.img\n${sha(small)}  data/configurations/fw.json\n`,
    );
    expect((await verifyDossierZip(zipPath)).checks.find((c) => c.name.includes('fetch'))).toBeDefined();
  });

  it('embeds large provider files in parts when asked, and the manifest lists each part', async () => {
    const { zipPath, result } = await assemble('embedded', true);

    expect(result.splitFiles).toEqual([
      'configurations/big.img.part-0001',
      'configurations/big.img.part-0002',
      'configurations/big.img.part-0003',
    ]);
    expect(result.manifestText).toContain(`${sha(big.subarray(0, 2048))}  data/configurations/big.img.part-0001\n`);
    const verification = await verifyDossierZip(zipPath);
    expect(verification.checks.filter((c) => !c.ok)).toEqual([]);
    expect((await readFile(zipPath)).length).toBe(result.bag.zipBytes);
  });

  it('counts files and bytes per checklist item, ignoring root files', () => {
    expect(
      presenceOf([
        { path: 'configurations/a', size: 3 },
        { path: 'configurations/b', size: 4 },
        { path: 'checklist.md', size: 10 },
        { path: 'credentials/secrets.age', size: 5 },
      ]),
    ).toEqual({ configurations: { files: 2, bytes: 7 }, credentials: { files: 1, bytes: 5 } });
  });
});
