/**
 * The restic runner, locally: real `restic` child processes against a real repository.
 *
 *   restic ls --json <snapshot>                      → the snapshot's own file list and sizes
 *   restic restore <snapshot> --target <sandbox> --verify [--include <p>…]
 *                                                     → the restore; --verify makes restic re-read every
 *                                                       restored file and check it against the blob hashes
 *                                                       the snapshot records (SHA-256 of the content)
 *   restic dump <snapshot> <path> (or `/` as a tar)  → a SECOND, independent read of the same files from
 *                                                       the repository; its SHA-256 must equal the SHA-256
 *                                                       of the file read back from the sandbox
 *   restic check --read-data-subset=<n>%             → repository integrity on a sample of pack files
 *
 * restic 0.14 exposes no per-file content hash (ls prints names, sizes, modes), so comparing the read-back
 * file with an independent `dump` is the strongest practical content check on top of --verify.
 * The password travels only in the child's RESTIC_PASSWORD environment variable: never in argv (visible
 * in `ps`), logs or error messages.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { ReversaError } from '#core/errors.ts';
import type { Clock } from '#core/ports.ts';
import { openArchive } from '#core/restore/archive.ts';
import { safeRelativePath } from '#core/restore/archive-entry.ts';
import {
  buildEvidence,
  type CheckResult,
  type CleanupProof,
  type EvidenceInput,
  nameList,
  type RestoreTestEvidence,
  type RunError,
  type Span,
} from '#core/restore/evidence.ts';
import {
  includePattern,
  MAX_INCLUDE_PATHS,
  parseResticLs,
  type ResticCommand,
  type ResticListing,
  resticError,
  type SecretProvider,
  sandboxPathOf,
} from '#core/restore/restic.ts';
import { toRunError } from '#core/restore/run-error.ts';
import { cleanupSandbox } from '#core/restore/s3-archive.ts';
import { type Sample, sampleNames } from '#core/restore/selection.ts';
import { FsSandbox } from './fs-sandbox.ts';

export const RESTIC_VALIDATORS = ['file-list', 'checksums', 'restic-check'] as const;
/** Up to this many sampled files are dumped one by one (each restic start costs ~0.4 s of key derivation); more, and one `dump /` tar stream is cheaper. */
export const MAX_PER_FILE_DUMPS = 8;
const MAX_STDERR_BYTES = 64 * 1024;

export interface ResticRepositoryAccess {
  repository: string;
  /** NAME of the password secret. */
  passwordSecret: string;
  secrets: SecretProvider;
  /** Default `restic` on PATH. */
  binary?: string;
  /** Cache directory (default: restic's own). */
  cacheDir?: string;
}

interface Spawned {
  stdout: AsyncIterable<Buffer>;
  done: Promise<void>;
}

/** Runs one restic command; rejects with a typed error (resticError) on a non-zero exit. */
function runRestic(access: ResticRepositoryAccess, password: string, command: ResticCommand, args: string[]): Spawned {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Never let an ambient password source override (or leak into) this run.
  for (const key of [
    'RESTIC_PASSWORD',
    'RESTIC_PASSWORD_FILE',
    'RESTIC_PASSWORD_COMMAND',
    'RESTIC_REPOSITORY',
    'RESTIC_REPOSITORY_FILE',
  ])
    delete env[key];
  env.RESTIC_PASSWORD = password;
  env.RESTIC_REPOSITORY = access.repository;
  if (access.cacheDir !== undefined) env.RESTIC_CACHE_DIR = access.cacheDir;
  const child = spawn(access.binary ?? 'restic', [command, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    if (stderr.length < MAX_STDERR_BYTES) stderr += d;
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (error) =>
      reject(
        new ReversaError(
          'ResticNotRunnable',
          `restic could not be started (${(error as { code?: string }).code ?? 'unknown'})`,
        ),
      ),
    );
    child.on('close', (code) => (code === 0 ? resolve() : reject(resticError(command, code, stderr))));
  });
  // Avoid an unhandled rejection when the caller fails before awaiting `done`.
  done.catch(() => undefined);
  return { stdout: child.stdout, done };
}

async function* linesOf(stream: AsyncIterable<Buffer>): AsyncGenerator<string> {
  yield* createInterface({ input: stream as NodeJS.ReadableStream, crlfDelay: Number.POSITIVE_INFINITY });
}

async function sha256Of(source: AsyncIterable<Uint8Array>): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of source) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

export interface ResticRestoreInput extends ResticRepositoryAccess {
  snapshotId: string;
  sample: Sample;
  seed: string;
  clock: Clock;
  /** Directory under which the sandbox directory is created (default: the system temp directory). */
  sandboxParent?: string;
  sandboxName?: string;
  /** Percentage for `restic check --read-data-subset` (default 5). */
  readDataSubset?: number;
  validators?: readonly string[];
}

export interface ResticRestoreResult {
  restore?: Span;
  validation?: Span;
  checks: CheckResult[];
  cleanup: CleanupProof;
  error?: RunError;
  sample: EvidenceInput['sample'];
  sandbox: string;
}

export async function listSnapshot(access: ResticRepositoryAccess, snapshotId: string): Promise<ResticListing> {
  const password = await access.secrets.getSecret(access.passwordSecret);
  const run = runRestic(access, password, 'ls', ['--json', snapshotId]);
  let listing: ResticListing;
  try {
    listing = await parseResticLs(linesOf(run.stdout));
  } catch (error) {
    // A failed command explains an unparsable output better than the parser does.
    await run.done;
    throw error;
  }
  await run.done;
  return listing;
}

/** `restic check --read-data-subset=<n>%` as a check: exit 0 PASSED, 1 FAILED, repository problems thrown. */
export async function resticCheck(access: ResticRepositoryAccess, percent: number, clock: Clock): Promise<CheckResult> {
  const password = await access.secrets.getSecret(access.passwordSecret);
  const startedAt = clock.now();
  const run = runRestic(access, password, 'check', [`--read-data-subset=${percent}%`]);
  for await (const _ of run.stdout) {
    // Drain: restic blocks when its stdout pipe is full.
  }
  try {
    await run.done;
    return {
      name: 'restic-check',
      status: 'PASSED',
      message: `restic check read ${percent}% of the pack files: no errors`,
      startedAt,
      endedAt: clock.now(),
      counts: { compared: 1 },
    };
  } catch (error) {
    if (error instanceof ReversaError && error.code === 'ResticFailed') {
      return {
        name: 'restic-check',
        status: 'FAILED',
        message: `restic check --read-data-subset=${percent}% reported repository errors`,
        startedAt,
        endedAt: clock.now(),
        counts: { compared: 1 },
      };
    }
    throw error;
  }
}

/** The SHA-256 of each wanted snapshot file, read through `restic dump` (independently of the restore). */
async function dumpHashes(
  access: ResticRepositoryAccess,
  password: string,
  snapshotId: string,
  wanted: Set<string>,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (wanted.size <= MAX_PER_FILE_DUMPS) {
    for (const path of wanted) {
      const run = runRestic(access, password, 'dump', [snapshotId, path]);
      const { sha256 } = await sha256Of(run.stdout);
      await run.done;
      out.set(path, sha256);
    }
    return out;
  }
  const run = runRestic(access, password, 'dump', [snapshotId, '/']);
  const archive = await openArchive(run.stdout);
  for await (const entry of archive.entries) {
    const rel = safeRelativePath(entry.path);
    const path = rel === undefined ? undefined : `/${rel}`;
    if (entry.kind !== 'file' || path === undefined || !wanted.has(path)) continue;
    out.set(path, (await sha256Of(entry.body)).sha256);
  }
  await run.done;
  return out;
}

export async function restoreAndVerifyRestic(input: ResticRestoreInput): Promise<ResticRestoreResult> {
  const { clock } = input;
  const validators = (input.validators ?? RESTIC_VALIDATORS).filter((v) => !v.startsWith('lambda:'));
  const checks: CheckResult[] = [];
  const sample: EvidenceInput['sample'] = {
    mode: input.sample === 'all' ? 'all' : 'percent' in input.sample ? 'percent' : 'count',
    selected: 0,
    of: 0,
  };
  if (typeof input.sample === 'object')
    sample.value = 'percent' in input.sample ? input.sample.percent : input.sample.count;
  let sandbox: FsSandbox | undefined;
  const result: Omit<ResticRestoreResult, 'cleanup' | 'sandbox'> = { checks, sample };
  try {
    sandbox = await FsSandbox.create(input.sandboxName ?? 'restic', input.sandboxParent);
    const password = await input.secrets.getSecret(input.passwordSecret);
    const restoreStart = clock.now();
    const listing = await listSnapshot(input, input.snapshotId);
    const wanted = sampleNames(listing.files.keys(), input.sample, input.seed);
    sample.selected = wanted.size;
    sample.of = listing.files.size;
    const includes =
      wanted.size < listing.files.size && wanted.size <= MAX_INCLUDE_PATHS
        ? [...wanted].sort().flatMap((p) => ['--include', includePattern(p)])
        : [];
    const restore = runRestic(input, password, 'restore', [
      listing.snapshot.id,
      '--target',
      sandbox.root,
      '--verify',
      ...includes,
    ]);
    for await (const _ of restore.stdout) {
      // Drain restic's progress output.
    }
    await restore.done;
    result.restore = { startedAt: restoreStart, endedAt: clock.now() };

    const validationStart = clock.now();
    const restored = new Map<string, number>();
    for await (const f of sandbox.list()) restored.set(`/${f.path}`, f.size);
    for (const name of validators) {
      const started = clock.now();
      if (name === 'file-list') {
        const missing = [...wanted].filter((p) => !restored.has(p));
        const extra = [...restored.keys()].filter((p) => !wanted.has(p) && includes.length > 0);
        const resized = [...wanted].filter((p) => restored.has(p) && restored.get(p) !== listing.files.get(p));
        const ok = missing.length === 0 && extra.length === 0 && resized.length === 0;
        checks.push({
          name,
          status: ok ? 'PASSED' : 'FAILED',
          message: `${wanted.size - missing.length} of ${wanted.size} sampled snapshot files restored; ${missing.length} missing, ${extra.length} extra, ${resized.length} with a different size`,
          startedAt: started,
          endedAt: clock.now(),
          counts: { expected: wanted.size, compared: wanted.size - missing.length },
          missing: nameList(missing),
          extra: nameList(extra),
          changed: nameList(resized),
        });
      } else if (name === 'checksums') {
        const independent = await dumpHashes(input, password, listing.snapshot.id, wanted);
        const changed: string[] = [];
        const missing: string[] = [];
        let bytes = 0;
        let matched = 0;
        for (const path of wanted) {
          if (!restored.has(path)) {
            missing.push(path);
            continue;
          }
          const back = await sha256Of(sandbox.read(sandboxPathOf(path)));
          bytes += back.size;
          if (back.sha256 === independent.get(path)) matched++;
          else changed.push(path);
        }
        checks.push({
          name,
          status: changed.length === 0 && missing.length === 0 ? 'PASSED' : 'FAILED',
          message: `${matched} of ${wanted.size} restored files read back (${bytes} bytes) match an independent restic dump; ${changed.length} differ, ${missing.length} missing`,
          startedAt: started,
          endedAt: clock.now(),
          counts: { expected: wanted.size, compared: wanted.size - missing.length, bytes, matched },
          changed: nameList(changed),
          missing: nameList(missing),
        });
      } else if (name === 'restic-check') {
        checks.push(await resticCheck(input, input.readDataSubset ?? 5, clock));
      } else {
        checks.push({
          name,
          status: 'ERROR',
          message: `validator ${name} is not available for the restic runner`,
          counts: { compared: 0 },
        });
      }
    }
    result.validation = { startedAt: validationStart, endedAt: clock.now() };
  } catch (error) {
    result.error = toRunError(error);
  }
  const cleanup =
    sandbox === undefined
      ? {
          target: 'none',
          startedAt: clock.now(),
          endedAt: clock.now(),
          removed: 0,
          remaining: 0,
          result: 'NOTHING_TO_CLEAN' as const,
        }
      : await cleanupSandbox(sandbox, clock);
  return { ...result, cleanup, sandbox: sandbox?.location ?? 'none' };
}

export interface ResticRestoreTestInput
  extends Omit<EvidenceInput, 'checks' | 'cleanup' | 'sandbox' | 'sample' | 'runner'> {
  run: ResticRestoreInput;
}

/** Restore, verify, clean up and build the evidence record in one call. */
export async function runResticRestoreTest(input: ResticRestoreTestInput): Promise<RestoreTestEvidence> {
  const { run, ...rest } = input;
  const r = await restoreAndVerifyRestic(run);
  const evidence: EvidenceInput = {
    ...rest,
    runner: 'restic',
    sandbox: r.sandbox,
    sample: r.sample,
    checks: r.checks,
    cleanup: r.cleanup,
  };
  if (r.restore !== undefined) evidence.restore = r.restore;
  if (r.validation !== undefined) evidence.validation = r.validation;
  if (r.error !== undefined) evidence.error = r.error;
  return buildEvidence(evidence);
}
