/**
 * s3-archive restore verification benchmark (issue 3, Performance).
 *
 * Data: a deterministic synthetic tar written by node (~15k files per GB, sizes mixed 1 KiB–1 MiB,
 * pseudo-random content from a seeded xorshift, so every run restores the same bytes) plus its
 * sha256sum-format manifest, under bench/.data (gitignored). REVERSA_BENCH_SIZE_GB scales it (default 1;
 * e.g. 0.1 for a quick run).
 *
 * Measured, same data, same run, sandbox and baseline both on tmpfs (/dev/shm) so the disk is not what
 * is compared:
 *   ours      restoreAndVerifyArchive from a file stream into an FsSandbox: extracts, then READS EVERY
 *             FILE BACK from the sandbox and hashes it against the manifest (the printed ratio uses this)
 *   baseline  `tar -xf` + `sha256sum -c` of the same archive and manifest (extract, then read back + hash)
 *   null      extraction into a sandbox that discards (no hash, no read back): printed for reference only,
 *             it is NOT a valid restore test
 * Target: ours ≥ 0.8× the baseline's throughput.
 *
 * Peak RSS: the verification runs in a child process (VmHWM, see peak-rss.ts) for an archive of
 * S and 4·S GB; target ≤ 300 MB and flat (memory must not grow with the archive).
 *
 * Standalone: `npx tsx bench/restore-archive.ts`.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FsSandbox } from '#adapters/host/fs-sandbox.ts';
import { manifestLines } from '#core/restore/manifest.ts';
import { restoreAndVerifyArchive } from '#core/restore/s3-archive.ts';
import type { Sandbox } from '#core/restore/sandbox.ts';
import { peakRssMb } from './peak-rss.ts';
import type { BenchResult } from './types.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = join(HERE, '.data');
const GB = 1024 ** 3;
const TARGET_RATIO = 0.8;
const TARGET_RSS_MB = 300;
const SHM = existsSync('/dev/shm') ? '/dev/shm' : undefined;

function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write(
    `${Math.floor(Date.UTC(2026, 0, 1) / 1000)
      .toString(8)
      .padStart(11, '0')}\0`,
    136,
  );
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

/** Writes the synthetic tar and manifest once per size; reuses them when present. */
async function synthetic(sizeGb: number): Promise<{ tar: string; manifest: string; files: number; bytes: number }> {
  const dir = join(DATA, `restore-${sizeGb}gb`);
  const tar = join(dir, 'archive.tar');
  const manifest = join(dir, 'archive.tar.sha256');
  const meta = join(dir, 'meta.json');
  if (existsSync(meta))
    return {
      tar,
      manifest,
      ...(JSON.parse(readFileSync(meta, 'utf8')) as { files: number; bytes: number }),
    };
  mkdirSync(dir, { recursive: true });
  const rand = xorshift(0x5eed);
  const pool = Buffer.alloc(8 * 1024 * 1024);
  for (let i = 0; i < pool.length; i += 4) pool.writeUInt32LE(rand(), i);
  const out = createWriteStream(tar);
  const man = createWriteStream(manifest);
  const write = async (s: NodeJS.WritableStream, b: Buffer | string) => {
    if (!s.write(b)) await once(s, 'drain');
  };
  const target = sizeGb * GB;
  let bytes = 0;
  let files = 0;
  while (bytes < target) {
    const r = rand() % 100;
    const size =
      r < 70
        ? 1024 + (rand() % (31 * 1024))
        : r < 95
          ? 32 * 1024 + (rand() % (224 * 1024))
          : 256 * 1024 + (rand() % (768 * 1024));
    const offset = rand() % (pool.length - size);
    const body = pool.subarray(offset, offset + size);
    const name = `d${String(files % 200).padStart(3, '0')}/f${String(files).padStart(7, '0')}.bin`;
    await write(out, tarHeader(name, size));
    await write(out, body);
    const pad = (512 - (size % 512)) % 512;
    if (pad) await write(out, Buffer.alloc(pad));
    await write(man, manifestLines(name, { sha256: createHash('sha256').update(body).digest('hex'), size }));
    bytes += size;
    files++;
  }
  await write(out, Buffer.alloc(1024));
  out.end();
  man.end();
  await Promise.all([once(out, 'finish'), once(man, 'finish')]);
  writeFileSync(meta, JSON.stringify({ files, bytes }));
  return { tar, manifest, files, bytes };
}

/** Keeps nothing: measures parsing/extraction alone. It cannot read back. */
function nullSandbox(): Sandbox {
  return {
    location: 'null://',
    put: async (_p, body) => {
      for await (const _ of body) {
        // discard
      }
    },
    list: async function* () {},
    read: () => {
      throw new Error('the null sandbox keeps nothing');
    },
    removeAll: async () => ({ removed: 0, remaining: 0 }),
  };
}

interface ChildReport {
  seconds: number;
  maxRssMb: number;
  statuses: string[];
  cleanup: string;
}

/** Child-process entry: one verification, reports time, peak RSS and the checks' statuses. */
async function child(tar: string, manifest: string, mode: 'fs' | 'null'): Promise<void> {
  const sandbox = mode === 'fs' ? await FsSandbox.create('bench', SHM) : nullSandbox();
  const start = performance.now();
  const result = await restoreAndVerifyArchive({
    openArchive: async () => createReadStream(tar, { highWaterMark: 1024 * 1024 }),
    openManifest: async () => createReadStream(manifest),
    sandbox,
    sample: 'all',
    seed: 'bench',
    clock: { now: () => Date.now() },
    validators: mode === 'fs' ? ['checksums', 'file-list'] : ['file-list'],
  });
  const report: ChildReport = {
    seconds: (performance.now() - start) / 1000,
    maxRssMb: peakRssMb(),
    statuses: result.checks.map((c) => `${c.name}:${c.status}`),
    cleanup: result.cleanup.result,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

function runChild(tar: string, manifest: string, mode: 'fs' | 'null'): ChildReport {
  const tsx = resolve(HERE, '../node_modules/.bin/tsx');
  const r = spawnSync(tsx, [fileURLToPath(import.meta.url), '--child', tar, manifest, mode], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`bench child failed: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as ChildReport;
}

function baseline(tar: string, manifest: string): number {
  const dir = join(SHM ?? DATA, `reversa-bench-baseline-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const start = performance.now();
  execFileSync('tar', ['-xf', tar, '-C', dir]);
  execFileSync('sha256sum', ['-c', '--quiet', manifest], { cwd: dir });
  const seconds = (performance.now() - start) / 1000;
  rmSync(dir, { recursive: true, force: true });
  return seconds;
}

export async function benchRestoreArchive(): Promise<BenchResult> {
  const sizeGb = Number(process.env.REVERSA_BENCH_SIZE_GB ?? '1');
  const small = await synthetic(sizeGb);
  const mb = small.bytes / 1024 ** 2;
  const lines: string[] = [
    `archive: ${small.files} files, ${mb.toFixed(0)} MiB (tar, synthetic, deterministic); sandbox and baseline on ${SHM ?? 'disk'}`,
  ];

  // Warm the page cache for both, then alternate to spread machine noise.
  execFileSync('cat', [small.tar], { stdio: 'ignore', maxBuffer: 0 });
  const oursRuns: ChildReport[] = [];
  const baseRuns: number[] = [];
  for (let i = 0; i < 2; i++) {
    baseRuns.push(baseline(small.tar, small.manifest));
    oursRuns.push(runChild(small.tar, small.manifest, 'fs'));
  }
  const ours = Math.min(...oursRuns.map((r) => r.seconds));
  const base = Math.min(...baseRuns);
  const nul = runChild(small.tar, small.manifest, 'null');
  const ratio = base / ours;
  lines.push(
    `ours (extract + read back + sha256, fs sandbox): ${ours.toFixed(2)} s, ${(mb / ours).toFixed(0)} MiB/s; checks ${oursRuns[0]!.statuses.join(', ')}; cleanup ${oursRuns[0]!.cleanup}`,
  );
  lines.push(`baseline tar -x + sha256sum -c: ${base.toFixed(2)} s, ${(mb / base).toFixed(0)} MiB/s`);
  lines.push(`ratio ours/baseline throughput: ${ratio.toFixed(2)}x (target >= ${TARGET_RATIO}x)`);
  lines.push(
    `reference only, null sandbox (extraction only, NO read back): ${nul.seconds.toFixed(2)} s, ${(mb / nul.seconds).toFixed(0)} MiB/s`,
  );

  const big = await synthetic(sizeGb * 4);
  const bigRun = runChild(big.tar, big.manifest, 'fs');
  const rssSmall = oursRuns[0]!.maxRssMb;
  const rssBig = bigRun.maxRssMb;
  lines.push(
    `peak RSS: ${rssSmall.toFixed(0)} MB at ${mb.toFixed(0)} MiB, ${rssBig.toFixed(0)} MB at ${(big.bytes / 1024 ** 2).toFixed(0)} MiB (target <= ${TARGET_RSS_MB} MB, flat)`,
  );
  const passed = [...oursRuns, bigRun].every(
    (r) => r.statuses.every((s) => s.endsWith('PASSED')) && r.cleanup === 'CLEANED',
  );
  if (!passed) lines.push('a verification did not pass: the numbers are not meaningful');
  const flat = rssBig <= rssSmall * 1.25 + 20;
  return { name: 'restore-archive', lines, ok: passed && ratio >= TARGET_RATIO && rssBig <= TARGET_RSS_MB && flat };
}

if (process.argv[2] === '--child') {
  await child(process.argv[3]!, process.argv[4]!, process.argv[5] as 'fs' | 'null');
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchRestoreArchive();
  process.stdout.write(
    `== ${result.name} ${result.ok ? '(target met)' : '(TARGET MISSED)'}\n${result.lines.map((l) => `   ${l}\n`).join('')}`,
  );
  process.exitCode = result.ok ? 0 : 1;
}
