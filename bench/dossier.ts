/**
 * Dossier packaging benchmark. Assembles a ~1 GB dossier (~15k mixed files: text deflated,
 * already-compressed data stored) from local files with writeBag, against the named baseline
 * "zip -0 -r + sha256sum": the stock way to pack the same files and checksum them, run in the
 * same process tree on the same files. Target: ratio (baseline time / our time) ≥ 0.9.
 * Peak RSS (child process VmHWM, see peak-rss.ts) for the 1 GB assembly and for a 4 GB streamed payload: flat,
 * ≤ 256 MB. Verification throughput: verifyDossierZip against unzip + sha256sum -c (both
 * manifests) + openssl dgst -verify.
 *
 * Data is generated deterministically under bench/.data (gitignored) and reused between runs.
 * REVERSA_BENCH_SIZE_GB scales the dataset (default 1). Standalone: `npx tsx bench/dossier.ts`.
 */

import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createFileSink } from '#adapters/local/file-sink.ts';
import { compareBytes } from '#core/dossier/bag/paths.ts';
import type { Signer } from '#core/dossier/bag/signer.ts';
import type { PayloadEntry } from '#core/dossier/bag/types.ts';
import { verifyDossierZip } from '#core/dossier/bag/verify.ts';
import { writeBag } from '#core/dossier/bag/writer.ts';
import { peakRssMb } from './peak-rss.ts';
import type { BenchResult } from './types.ts';

const MB = 1024 * 1024;
const TARGET_RATIO = 0.9;
const TARGET_RSS_MB = 256;
const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = join(HERE, '.data');
const NOW = new Date('2026-03-01T10:00:00Z');

function benchSigner(): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    sign: async (m) => sign('sha256', m, privateKey),
    publicKeyPem: async () => publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** xorshift32: deterministic bytes, incompressible like encrypted backups. */
function randomBytes(size: number, seed: number): Buffer {
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

function textBytes(size: number, seed: number): Buffer {
  const words = [
    'backup',
    'restore',
    'tenant',
    'server',
    'policy',
    'retention',
    'vault',
    'snapshot',
    'subnet',
    'firewall',
  ];
  const parts: string[] = [];
  let length = 0;
  let x = seed;
  while (length < size) {
    x = (x * 1103515245 + 12345) >>> 0;
    const line = `${words[x % 10]},${words[(x >>> 8) % 10]},${x % 100000},${(x >>> 4) % 997}\n`;
    parts.push(line);
    length += line.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

/** ~1 GB × scale: 14,900 small text files (~20 KB), 100 × 5 MB stored blobs, 4 × 50 MB archives. */
async function ensureDataset(scale: number): Promise<{ dir: string; bytes: number; files: number }> {
  const dir = join(DATA, `dossier-${scale}gb`, 'files');
  const marker = join(DATA, `dossier-${scale}gb`, 'complete.json');
  const done = await stat(marker).then(
    () => true,
    () => false,
  );
  if (!done) {
    await rm(dirname(dir), { recursive: true, force: true });
    let seed = 1;
    for (let i = 0; i < Math.round(14_900 * scale); i++) {
      const folder = join(dir, 'configurations', `site-${String(i % 100).padStart(3, '0')}`);
      if (i < 100) await mkdir(folder, { recursive: true });
      const ext = ['csv', 'json', 'md', 'txt', 'conf'][i % 5]!;
      await writeFile(
        join(folder, `item-${String(i).padStart(6, '0')}.${ext}`),
        textBytes(4096 + ((i * 7919) % 36_000), seed++),
      );
    }
    await mkdir(join(dir, 'backups'), { recursive: true });
    for (let i = 0; i < Math.round(100 * scale); i++) {
      const ext = ['age', 'zst', 'gz', 'pdf'][i % 4]!;
      await writeFile(join(dir, 'backups', `blob-${String(i).padStart(4, '0')}.${ext}`), randomBytes(5 * MB, seed++));
    }
    await mkdir(join(dir, 'archives'), { recursive: true });
    for (let i = 0; i < Math.round(4 * scale); i++) {
      await writeFile(join(dir, 'archives', `volume-${i}.tar.zst`), randomBytes(50 * MB, seed++));
    }
    await writeFile(marker, '{}');
  }
  const list = await listFiles(dir);
  return { dir, bytes: list.reduce((s, f) => s + f.size, 0), files: list.length };
}

async function listFiles(root: string): Promise<Array<{ path: string; abs: string; size: number }>> {
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
      ...(process.env.STOREALL ? { compressible: false } : {}),
      open: async () => createReadStream(f.abs, { highWaterMark: Math.min(MB, Math.max(f.size, 1)) }),
    };
}

/** Child mode: one assembly, reporting its duration and peak RSS as JSON on stdout. */
async function child(mode: string, arg: string, out: string): Promise<void> {
  const started = performance.now();
  let result: { zipBytes: number };
  if (mode === 'files') {
    const files = await listFiles(arg);
    result = await writeBag({
      bagName: 'bench-dossier',
      payload: fileEntries(files),
      totals: { bytes: files.reduce((s, f) => s + f.size, 0), files: files.length },
      bagInfo: { 'Source-Organization': 'Bench', 'External-Identifier': 'bench/v1' },
      signer: benchSigner(),
      sink: createFileSink(out),
      now: NOW,
    });
  } else {
    // A synthetic stream of `arg` GiB in 256 MiB entries, discarded: memory at size, no disk needed.
    const total = Number(arg) * 1024 * MB;
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
    result = await writeBag({
      bagName: 'bench-stream',
      payload: (async function* () {
        yield* entries;
      })(),
      totals: { bytes: total, files: entries.length },
      bagInfo: { 'Source-Organization': 'Bench', 'External-Identifier': 'bench/stream' },
      signer: benchSigner(),
      sink: new Writable({ write: (_c, _e, cb) => cb() }),
      now: NOW,
    });
  }
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ ms, zipBytes: result.zipBytes, maxRssMb: peakRssMb() })}\n`);
}

/**
 * The Node flags the deployed Assemble Lambda runs with (infra: NODE_OPTIONS of DossierAssemble): a small
 * young generation keeps V8 from growing its semi-spaces while thousands of short-lived buffers stream by.
 */
const ASSEMBLE_NODE_FLAGS = ['--max-semi-space-size=8'];

function runChild(mode: string, arg: string, out: string): { ms: number; zipBytes: number; maxRssMb: number } {
  const self = fileURLToPath(import.meta.url);
  const res = spawnSync(
    process.execPath,
    [...ASSEMBLE_NODE_FLAGS, '--import', 'tsx', self, '--child', mode, arg, out],
    {
      encoding: 'utf8',
      maxBuffer: 16 * MB,
    },
  );
  if (res.status !== 0) throw new Error(`bench child failed: ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').at(-1)!);
}

function timed(cmd: string, cwd: string): number {
  const started = performance.now();
  const res = spawnSync('sh', ['-c', cmd], { cwd, encoding: 'utf8', maxBuffer: 64 * MB });
  if (res.status !== 0) throw new Error(`baseline failed: ${cmd}: ${res.stderr}`);
  return performance.now() - started;
}

export async function benchDossier(): Promise<BenchResult> {
  const scale = Number(process.env.REVERSA_BENCH_SIZE_GB ?? '1');
  const data = await ensureDataset(scale);
  const work = join(DATA, 'dossier-out');
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const zipPath = join(work, 'bench-dossier.zip');
  const gb = data.bytes / 1e9;

  // Warm the page cache for both contenders alike, then alternate.
  timed('find . -type f -print0 | xargs -0 cat > /dev/null', data.dir);
  const baselineMs = timed(
    `zip -0 -r -q ${join(work, 'baseline.zip')} . && find . -type f -print0 | xargs -0 sha256sum > /dev/null`,
    data.dir,
  );
  const ours = runChild('files', data.dir, zipPath);
  const ratio = baselineMs / ours.ms;

  const stream1 = runChild('stream', '1', '-');
  const stream4 = runChild('stream', '4', '-');

  const verifyStarted = performance.now();
  const verification = await verifyDossierZip(zipPath);
  const verifyMs = performance.now() - verifyStarted;
  const extract = join(work, 'extract');
  await mkdir(extract);
  const stockMs = timed(
    `unzip -q ${zipPath} && cd bench-dossier && sha256sum -c --quiet manifest-sha256.txt && sha256sum -c --quiet tagmanifest-sha256.txt && ` +
      'openssl dgst -sha256 -verify signer-public-key.pem -signature tagmanifest-sha256.txt.sig tagmanifest-sha256.txt > /dev/null',
    extract,
  );
  await rm(work, { recursive: true, force: true });

  const mbps = (ms: number): string => `${((data.bytes / MB) * 1000) / ms}`.slice(0, 6);
  const rssOk = Math.max(ours.maxRssMb, stream1.maxRssMb, stream4.maxRssMb) <= TARGET_RSS_MB;
  const ok = ratio >= TARGET_RATIO && rssOk && verification.ok;
  return {
    name: `dossier (${data.files} files, ${gb.toFixed(2)} GB)`,
    ok,
    lines: [
      `assemble from local files: ${(ours.ms / 1000).toFixed(1)} s, ${mbps(ours.ms)} MB/s, zip ${(ours.zipBytes / 1e9).toFixed(2)} GB (text deflated)`,
      `baseline zip -0 -r + sha256sum: ${(baselineMs / 1000).toFixed(1)} s, ${mbps(baselineMs)} MB/s`,
      `ratio ${ratio.toFixed(2)}× (target ≥ ${TARGET_RATIO}×)`,
      `peak RSS: ${ours.maxRssMb.toFixed(0)} MB assembling ${gb.toFixed(1)} GB of files; streamed 1 GiB ${stream1.maxRssMb.toFixed(0)} MB, 4 GiB ${stream4.maxRssMb.toFixed(0)} MB (target flat, ≤ ${TARGET_RSS_MB} MB)`,
      `verify: verifyDossierZip ${(verifyMs / 1000).toFixed(1)} s (${mbps(verifyMs)} MB/s, ${verification.ok ? 'ok' : 'FAILED'}) vs unzip + sha256sum -c + openssl ${(stockMs / 1000).toFixed(1)} s (${mbps(stockMs)} MB/s)`,
      'local S3 assembly: not measured here (see the S3MultipartSink test for the local S3 path)',
    ],
  };
}

const [, , flag, mode, arg, out] = process.argv;
if (flag === '--child' && mode && arg && out) {
  await child(mode, arg, out);
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchDossier();
  console.log(`\n== ${result.name} ${result.ok ? '(target met)' : '(TARGET MISSED)'}`);
  for (const line of result.lines) console.log(`   ${line}`);
  process.exitCode = result.ok ? 0 : 1;
}
