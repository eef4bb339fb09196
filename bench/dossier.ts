/**
 * Dossier packaging benchmark: a ~1 GB dossier (~15k mixed files: text deflated, already-compressed
 * data stored), assembled
 *  - from local files with writeBag, against the named baseline "zip -0 -r + sha256sum": the stock
 *    way to pack the same files and checksum them, run in the same process tree on the same files.
 *    Target: ratio (baseline time / our time) ≥ 0.9. Five alternating rounds, medians compared,
 *    so one noisy round on a shared host does not decide the ratio either way.
 *  - from the local S3 (s3rver) into a multipart upload, through assembleDossier as the Assemble
 *    Lambda does, reported against the same stock baseline and against the emulator's own ceiling:
 *    GET + SHA-256 of every object with nothing else done ("s3 fetch").
 * Each measured run is a child process running the same esbuild bundle settings and Node flags as
 * the deployed Assemble Lambda (bench/dossier-child.ts); its peak RSS (VmHWM, see peak-rss.ts) is
 * reported for the 1 GB assembly and for 1 and 4 GiB streamed payloads: flat, ≤ 256 MB.
 * Verification throughput: verifyDossierZip against unzip + sha256sum -c (both manifests) + openssl dgst -verify.
 *
 * Data is generated deterministically under bench/.data (gitignored) and reused between runs, the
 * local S3 copy included. REVERSA_BENCH_SIZE_GB scales the dataset (default 1).
 * Standalone: `npx tsx bench/dossier.ts`.
 */

import { spawn, spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { build } from 'esbuild';
import { localS3Client } from '#adapters/local/local-clients.ts';
import { verifyDossierZip } from '#core/dossier/bag/verify.ts';
import { LOCAL_BUCKET, startLocalCloud } from '#local/cloud.ts';
import { ASSEMBLE_ENVIRONMENT, ASSEMBLE_NODE_OPTIONS, LAMBDA_BUNDLING } from '../infra/lambda-bundling.ts';
import { listFiles, randomBytes } from './dossier-child.ts';
import type { BenchResult } from './types.ts';

const MB = 1024 * 1024;
const TARGET_RATIO = 0.9;
const TARGET_RSS_MB = 256;
const ROUNDS = 5;
const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = join(HERE, '.data');
const S3_PREFIX = 'bench/files/';

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

/** The deployed Assemble Lambda's NODE_OPTIONS (its environment is passed too: runChild). */
const ASSEMBLE_NODE_FLAGS = ['--enable-source-maps', ...ASSEMBLE_NODE_OPTIONS];

/** bench/dossier-child.ts bundled like a Lambda (infra/lambda-bundling.ts), so the child runs what is deployed. */
async function bundleChild(): Promise<string> {
  const outfile = join(DATA, 'dossier-child.mjs');
  await build({
    entryPoints: [join(HERE, 'dossier-child.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: LAMBDA_BUNDLING.target,
    minify: LAMBDA_BUNDLING.minify,
    sourcemap: LAMBDA_BUNDLING.sourceMap,
    sourcesContent: LAMBDA_BUNDLING.sourcesContent,
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    banner: { js: LAMBDA_BUNDLING.banner },
    logLevel: 'warning',
  });
  return outfile;
}

interface ChildResult {
  ms: number;
  zipBytes: number;
  maxRssMb: number;
}

/** Runs one child without blocking this process (which may be serving the local S3 it reads). */
function runChild(bundle: string, args: string[], env: Record<string, string> = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...ASSEMBLE_NODE_FLAGS, bundle, ...args], {
      env: { ...process.env, ...ASSEMBLE_ENVIRONMENT, ...env, REVERSA_BENCH_CHILD: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`bench child ${args[0]} failed (${code}): ${err}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1) as string) as ChildResult);
    });
  });
}

function timed(cmd: string, cwd: string): number {
  const started = performance.now();
  const res = spawnSync('sh', ['-c', cmd], { cwd, encoding: 'utf8', maxBuffer: 64 * MB });
  if (res.status !== 0) throw new Error(`baseline failed: ${cmd}: ${res.stderr}`);
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Copies the dataset into the local S3 data bucket once (kept under bench/.data with the files). */
async function ensureS3Copy(dataDir: string, endpoint: string, home: string): Promise<void> {
  const marker = join(home, 'uploaded.json');
  if (
    await stat(marker).then(
      () => true,
      () => false,
    )
  )
    return;
  const s3 = localS3Client({ s3: endpoint, dynamodb: endpoint });
  const files = await listFiles(dataDir);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const f = files[next++]!;
      await s3.send(
        new PutObjectCommand({ Bucket: LOCAL_BUCKET, Key: `${S3_PREFIX}${f.path}`, Body: await readFile(f.abs) }),
      );
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  s3.destroy();
  await writeFile(marker, '{}');
}

async function benchFromS3(
  bundle: string,
  dataDir: string,
  scale: number,
): Promise<{ fetch: ChildResult; ours: ChildResult }> {
  const home = join(DATA, `dossier-${scale}gb`, 'cloud');
  const cloud = await startLocalCloud({ home, persist: true, exportEnv: false });
  try {
    await ensureS3Copy(dataDir, cloud.endpoints.s3, home);
    const fetch = await runChild(bundle, ['s3-fetch', S3_PREFIX], cloud.env);
    const ours = await runChild(bundle, ['s3', S3_PREFIX, 'bench/bench-dossier.zip'], cloud.env);
    return { fetch, ours };
  } finally {
    await cloud.stop();
    // The assembled zip is not kept: only the uploaded dataset is worth reusing.
    await rm(join(home, 's3', 'reversa-dossiers'), { recursive: true, force: true });
  }
}

export async function benchDossier(): Promise<BenchResult> {
  const scale = Number(process.env.REVERSA_BENCH_SIZE_GB ?? '1');
  const data = await ensureDataset(scale);
  const bundle = await bundleChild();
  const work = join(DATA, 'dossier-out');
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const zipPath = join(work, 'bench-dossier.zip');
  const gb = data.bytes / 1e9;

  // Warm the page cache for both contenders alike, then alternate rounds.
  timed('find . -type f -print0 | xargs -0 cat > /dev/null', data.dir);
  const baselineRuns: number[] = [];
  const oursRuns: ChildResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await rm(join(work, 'baseline.zip'), { force: true });
    // Each contender starts with no dirty pages of the other's zip still being written back.
    timed('sync', work);
    baselineRuns.push(
      timed(
        `zip -0 -r -q ${join(work, 'baseline.zip')} . && find . -type f -print0 | xargs -0 sha256sum > /dev/null`,
        data.dir,
      ),
    );
    timed('sync', work);
    oursRuns.push(await runChild(bundle, ['files', data.dir, zipPath]));
  }
  await rm(join(work, 'baseline.zip'), { force: true });
  const baselineMs = median(baselineRuns);
  const oursMs = median(oursRuns.map((r) => r.ms));
  const ours = oursRuns.at(-1) as ChildResult;
  const oursRss = Math.max(...oursRuns.map((r) => r.maxRssMb));
  const ratio = baselineMs / oursMs;

  const stream1 = await runChild(bundle, ['stream', '1']);
  const stream4 = await runChild(bundle, ['stream', '4']);

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

  const s3 = await benchFromS3(bundle, data.dir, scale);

  const mbps = (ms: number): string => `${((data.bytes / MB) * 1000) / ms}`.slice(0, 6);
  const seconds = (runs: number[]): string => runs.map((ms) => (ms / 1000).toFixed(1)).join(' / ');
  const peak = Math.max(oursRss, stream1.maxRssMb, stream4.maxRssMb, s3.ours.maxRssMb);
  const ok = ratio >= TARGET_RATIO && peak <= TARGET_RSS_MB && verification.ok;
  return {
    name: `dossier (${data.files} files, ${gb.toFixed(2)} GB)`,
    ok,
    lines: [
      `assemble from local files: ${(oursMs / 1000).toFixed(1)} s, ${mbps(oursMs)} MB/s, zip ${(ours.zipBytes / 1e9).toFixed(2)} GB (text deflated); rounds ${seconds(oursRuns.map((r) => r.ms))} s`,
      `baseline zip -0 -r + sha256sum: ${(baselineMs / 1000).toFixed(1)} s, ${mbps(baselineMs)} MB/s; rounds ${seconds(baselineRuns)} s`,
      `ratio ${ratio.toFixed(2)}× (medians of ${ROUNDS}; target ≥ ${TARGET_RATIO}×)`,
      `assemble from local S3 into a multipart upload (s3rver): ${(s3.ours.ms / 1000).toFixed(1)} s, ${mbps(s3.ours.ms)} MB/s, ` +
        `${(baselineMs / s3.ours.ms).toFixed(2)}× the stock baseline on local files; ` +
        `${(s3.fetch.ms / s3.ours.ms).toFixed(2)}× a bare GET + SHA-256 of every object (${(s3.fetch.ms / 1000).toFixed(1)} s, ${mbps(s3.fetch.ms)} MB/s: the emulator's ceiling)`,
      `peak RSS: ${oursRss.toFixed(0)} MB assembling ${gb.toFixed(1)} GB of files, ${s3.ours.maxRssMb.toFixed(0)} MB from S3; streamed 1 GiB ${stream1.maxRssMb.toFixed(0)} MB, 4 GiB ${stream4.maxRssMb.toFixed(0)} MB (target flat, ≤ ${TARGET_RSS_MB} MB)`,
      `verify: verifyDossierZip ${(verifyMs / 1000).toFixed(1)} s (${mbps(verifyMs)} MB/s, ${verification.ok ? 'ok' : 'FAILED'}) vs unzip + sha256sum -c + openssl ${(stockMs / 1000).toFixed(1)} s (${mbps(stockMs)} MB/s)`,
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchDossier();
  console.log(`\n== ${result.name} ${result.ok ? '(target met)' : '(TARGET MISSED)'}`);
  for (const line of result.lines) console.log(`   ${line}`);
  process.exitCode = result.ok ? 0 : 1;
}
