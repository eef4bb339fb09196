/**
 * One measured run of the dossier benchmark, in a process of its own so that its peak RSS is its
 * own. bench/dossier.ts bundles this file the way the Assemble Lambda is bundled (esbuild, same
 * settings: infra/lambda-bundling.ts) and runs it with the Lambda's Node flags, then reads one JSON
 * line from stdout: { ms, zipBytes, maxRssMb }.
 *
 *   files <dir> <out.zip>          writeBag over every file under <dir>, into a local file
 *   stream <GiB>                   writeBag over a synthetic stream of <GiB>, discarded (memory at size)
 *   s3 <prefix> <out-key>          assembleDossier from the local S3 data bucket into a multipart upload
 *                                  in the dossier bucket: the Assemble Lambda's path, against s3rver
 *   s3-fetch <prefix>              baseline: GET and SHA-256 every object, 32 at a time, nothing else
 *
 * The S3 modes take the endpoint and bucket names from the local cloud's environment (config.ts).
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { S3DossierObjects } from '#adapters/aws/s3-dossier-objects.ts';
import { createFileSink } from '#adapters/local/file-sink.ts';
import { localS3Client } from '#adapters/local/local-clients.ts';
import { loadConfig } from '#config';
import { assembleDossier } from '#core/dossier/assemble.ts';
import type { SourcedFile } from '#core/dossier/assemble-sources.ts';
import { compareBytes } from '#core/dossier/bag/paths.ts';
import type { Signer } from '#core/dossier/bag/signer.ts';
import type { PayloadEntry } from '#core/dossier/bag/types.ts';
import { writeBag } from '#core/dossier/bag/writer.ts';
import { tuneHeapForAssembly } from '#functions/dossier/heap-tuning.ts';
import { peakRssMb } from './peak-rss.ts';

const MB = 1024 * 1024;
const NOW = new Date('2026-03-01T10:00:00Z');
const BAG_INFO = { 'Source-Organization': 'Bench', 'External-Identifier': 'bench/v1' };

function benchSigner(): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    sign: async (m) => sign('sha256', m, privateKey),
    publicKeyPem: async () => publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** xorshift32: deterministic bytes, incompressible like encrypted backups. */
export function randomBytes(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed | 1;
  for (let i = 0; i + 4 <= size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeUInt32LE(x >>> 0, i);
  }
  for (let i = size - (size % 4); i < size; i++) out[i] = i & 0xff;
  return out;
}

export async function listFiles(root: string): Promise<Array<{ path: string; abs: string; size: number }>> {
  const out: Array<{ path: string; abs: string; size: number }> = [];
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const abs = join(entry.parentPath, entry.name);
    out.push({ path: relative(root, abs), abs, size: (await stat(abs)).size });
  }
  return out.sort((a, b) => compareBytes(a.path, b.path));
}

async function* fileEntries(files: Array<{ path: string; abs: string; size: number }>): AsyncGenerator<PayloadEntry> {
  for (const f of files)
    yield {
      path: f.path,
      size: f.size,
      open: async () => createReadStream(f.abs, { highWaterMark: Math.min(MB, Math.max(f.size, 1)) }),
    };
}

async function fromFiles(dir: string, out: string): Promise<number> {
  const files = await listFiles(dir);
  const result = await writeBag({
    bagName: 'bench-dossier',
    payload: fileEntries(files),
    totals: { bytes: files.reduce((s, f) => s + f.size, 0), files: files.length },
    bagInfo: BAG_INFO,
    signer: benchSigner(),
    sink: createFileSink(out),
    now: NOW,
  });
  return result.zipBytes;
}

/** A synthetic stream of `gib` GiB in 256 MiB entries, discarded: memory at size, no disk needed. */
async function fromStream(gib: number): Promise<number> {
  const total = gib * 1024 * MB;
  const block = randomBytes(MB, 9);
  const entries: PayloadEntry[] = [];
  for (let off = 0, i = 0; off < total; off += 256 * MB, i++) {
    const size = Math.min(256 * MB, total - off);
    entries.push({
      path: `stream/part-${String(i).padStart(4, '0')}.bin`,
      size,
      compressible: false,
      open: async () =>
        Readable.from(
          (function* () {
            for (let left = size; left > 0; left -= MB) yield left >= MB ? block : block.subarray(0, left);
          })(),
        ),
    });
  }
  const result = await writeBag({
    bagName: 'bench-stream',
    payload: (async function* () {
      yield* entries;
    })(),
    totals: { bytes: total, files: entries.length },
    bagInfo: BAG_INFO,
    signer: benchSigner(),
    sink: new Writable({ write: (_c, _e, cb) => cb() }),
    now: NOW,
  });
  return result.zipBytes;
}

function localBuckets(): { data: S3DossierObjects; dossier: S3DossierObjects } {
  const config = loadConfig(['dataBucket', 'dossierBucket']);
  const endpoint = process.env.AWS_ENDPOINT_URL_S3;
  if (endpoint === undefined) throw new Error('AWS_ENDPOINT_URL_S3 is not set: run through bench/dossier.ts');
  const client = localS3Client({ s3: endpoint, dynamodb: process.env.AWS_ENDPOINT_URL_DYNAMODB ?? endpoint });
  return {
    data: new S3DossierObjects({ bucket: config.dataBucket, client }),
    dossier: new S3DossierObjects({ bucket: config.dossierBucket, client }),
  };
}

async function fromS3(prefix: string, outKey: string): Promise<number> {
  const { data, dossier } = localBuckets();
  const files: SourcedFile[] = [];
  for await (const o of data.list(prefix)) {
    files.push({
      path: o.key.slice(prefix.length),
      key: o.key,
      size: o.size,
      lastModified: o.lastModified,
      provided: true,
    });
  }
  files.sort((a, b) => compareBytes(a.path, b.path));
  const assembled = await assembleDossier({
    objects: data,
    files,
    bagName: 'bench-dossier',
    bagInfo: BAG_INFO,
    signer: benchSigner(),
    sink: dossier.createSink(outKey),
    now: NOW,
    embedData: true,
  });
  return assembled.bag.zipBytes;
}

async function fetchAll(prefix: string): Promise<number> {
  const { data } = localBuckets();
  const keys: string[] = [];
  for await (const o of data.list(prefix)) keys.push(o.key);
  let next = 0;
  let bytes = 0;
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      const key = keys[next++] as string;
      const hash = createHash('sha256');
      for await (const chunk of (await data.open(key)) as AsyncIterable<Buffer>) {
        hash.update(chunk);
        bytes += chunk.length;
      }
      hash.digest();
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return bytes;
}

export async function runChild(mode: string, args: string[]): Promise<void> {
  const started = performance.now();
  let zipBytes: number;
  if (mode === 'files') zipBytes = await fromFiles(args[0] as string, args[1] as string);
  else if (mode === 'stream') zipBytes = await fromStream(Number(args[0]));
  else if (mode === 's3') zipBytes = await fromS3(args[0] as string, args[1] as string);
  else if (mode === 's3-fetch') zipBytes = await fetchAll(args[0] as string);
  else throw new Error(`unknown mode ${mode}`);
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ ms, zipBytes, maxRssMb: peakRssMb() })}\n`);
}

const [, , mode, ...args] = process.argv;
if (mode !== undefined && process.env.REVERSA_BENCH_CHILD === '1') {
  tuneHeapForAssembly(); // as the Assemble Lambda does at start
  await runChild(mode, args);
}
