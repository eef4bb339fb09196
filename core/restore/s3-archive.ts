/**
 * The s3-archive runner's core: stream-extract an archive (tar, tar.gz, zip) into a sandbox,
 * read every restored file BACK from the sandbox and hash it again (Well-Architected REL09-BP04: a
 * restore that is not read back proves nothing), compare with the manifest captured at backup time,
 * and ALWAYS clean up — also after a failure — with the cleanup's result in the evidence.
 *
 * Streaming end to end: memory holds one chunk per entry plus the manifest's per-file map, whatever
 * the archive size, and nothing is written to local disk unless the sandbox is a directory.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../ports.ts';
import { type ArchiveFormat, openArchive } from './archive.ts';
import { safeRelativePath } from './archive-entry.ts';
import { BoundedTasks } from './archive-tasks.ts';
import {
  buildEvidence,
  type CheckResult,
  type CleanupProof,
  type EvidenceInput,
  nameList,
  type RestoreTestEvidence,
  type RunError,
  type Span,
} from './evidence.ts';
import { readManifestIndex } from './manifest.ts';
import { toRunError } from './run-error.ts';
import type { Sandbox } from './sandbox.ts';
import { type Sample, sampleNames } from './selection.ts';

export const S3_ARCHIVE_VALIDATORS = ['checksums', 'file-list'] as const;

export interface ArchiveRestoreInput {
  /** Opens the archive stream (called inside the run, so a failing GetObject is recorded, not thrown). */
  openArchive: () => Promise<AsyncIterable<Uint8Array> | Iterable<Uint8Array>>;
  openManifest: () => Promise<AsyncIterable<Uint8Array> | Iterable<Uint8Array>>;
  sandbox: Sandbox;
  sample: Sample;
  /** Seed of the reproducible sample (ids.ts testSeed). */
  seed: string;
  clock: Clock;
  /** Built-in validators to run; lambda:… validators are the workflow's business and ignored here. Default: both. */
  validators?: readonly string[];
}

export interface ArchiveRestoreResult {
  format?: ArchiveFormat;
  restore?: Span;
  validation?: Span;
  checks: CheckResult[];
  cleanup: CleanupProof;
  error?: RunError;
  sample: EvidenceInput['sample'];
}

async function* counting(body: AsyncIterable<Buffer>, into: { size: number }) {
  for await (const chunk of body) {
    into.size += chunk.length;
    yield chunk;
  }
}

/** Runs cleanup and turns whatever happens into a proof; never throws. */
export async function cleanupSandbox(sandbox: Sandbox, clock: Clock): Promise<CleanupProof> {
  const startedAt = clock.now();
  try {
    const { removed, remaining } = await sandbox.removeAll();
    const endedAt = clock.now();
    if (remaining > 0) {
      return {
        target: sandbox.location,
        startedAt,
        endedAt,
        removed,
        remaining,
        result: 'FAILED',
        message: `${remaining} files still present after deletion`,
      };
    }
    return {
      target: sandbox.location,
      startedAt,
      endedAt,
      removed,
      remaining,
      result: removed === 0 ? 'NOTHING_TO_CLEAN' : 'CLEANED',
    };
  } catch (error) {
    const e = toRunError(error);
    return {
      target: sandbox.location,
      startedAt,
      endedAt: clock.now(),
      removed: 0,
      remaining: -1,
      result: 'FAILED',
      message: `${e.name}: ${e.message}`,
    };
  }
}

/** Files up to this size are taken off the parser whole and written + read back concurrently. */
const SMALL_FILE_BYTES = 4 * 1024 * 1024;
/** Concurrent write/read-back tasks, and the file bytes they may hold between them. */
const MAX_TASKS = 8;
const MAX_HELD_BYTES = 32 * 1024 * 1024;

/** Per-file state bits, one byte per manifest slot (no per-file objects or sets). */
const SAMPLED = 1;
const SEEN = 2;
const EXTRACTED = 4;
const READ_BACK = 8;
const MATCHED = 16;
const UNREADABLE = 32;
const LISTED = 64;

export async function restoreAndVerifyArchive(input: ArchiveRestoreInput): Promise<ArchiveRestoreResult> {
  const { sandbox, clock } = input;
  const validators = (input.validators ?? S3_ARCHIVE_VALIDATORS).filter((v) => !v.startsWith('lambda:'));
  const checks: CheckResult[] = [];
  const result: Omit<ArchiveRestoreResult, 'cleanup'> = {
    checks,
    sample: { mode: sampleMode(input.sample), selected: 0, of: 0 },
  };
  if (typeof input.sample === 'object')
    result.sample.value = 'percent' in input.sample ? input.sample.percent : input.sample.count;
  const tasks = new BoundedTasks(MAX_TASKS, MAX_HELD_BYTES);
  try {
    const restoreStart = clock.now();
    const manifest = await readManifestIndex(await input.openManifest(), 'manifest');
    const state = new Uint8Array(manifest.size);
    /** Bytes written for each restored file (a hardlink copies its target's). */
    const extractedSize = new Float64Array(manifest.size);
    /** Bytes read back for each file. */
    const readSize = new Float64Array(manifest.size);
    let selected = 0;
    if (input.sample === 'all') {
      state.fill(SAMPLED);
      selected = manifest.size;
    } else {
      for (const path of sampleNames(manifest.paths(), input.sample, input.seed)) {
        state[manifest.slotOf(path)!]! |= SAMPLED;
        selected++;
      }
    }
    result.sample.selected = selected;
    result.sample.of = manifest.size;

    let validationStart: number | undefined;
    /** Reads a restored file back FROM THE SANDBOX and compares it with the manifest (never throws). */
    const readBack = async (slot: number, path: string): Promise<void> => {
      validationStart ??= clock.now();
      state[slot]! &= ~(READ_BACK | MATCHED | UNREADABLE);
      try {
        const hash = createHash('sha256');
        let size = 0;
        for await (const chunk of sandbox.read(path)) {
          hash.update(chunk);
          size += chunk.length;
        }
        readSize[slot] = size;
        const expectedSize = manifest.sizeAt(slot);
        const ok =
          hash.digest().equals(manifest.digestAt(slot)) &&
          (expectedSize === undefined || expectedSize === size) &&
          extractedSize[slot] === size;
        state[slot]! |= READ_BACK | (ok ? MATCHED : 0);
      } catch {
        state[slot]! |= UNREADABLE;
      }
    };

    const extra = new Set<string>();
    const refused = new Set<string>();
    let entriesRead = 0;
    const archive = await openArchive(await input.openArchive());
    result.format = archive.format;
    for await (const entry of archive.entries) {
      entriesRead++;
      if (entry.kind === 'directory') continue;
      const path = safeRelativePath(entry.path);
      if (path === undefined) {
        refused.add(entry.path);
        continue;
      }
      if (entry.kind === 'symlink') continue; // Manifests list regular files (sha256sum of find -type f).
      const slot = manifest.slotOf(path);
      if (entry.kind === 'other') {
        if (slot !== undefined) refused.add(path);
        continue;
      }
      if (slot === undefined) {
        extra.add(path);
        continue;
      }
      if ((state[slot]! & SAMPLED) === 0) {
        state[slot]! |= SEEN;
        continue;
      }
      // A name seen again (tar appends newer versions) or a hardlink needs every earlier write finished.
      if ((state[slot]! & SEEN) !== 0 || entry.kind === 'hardlink') await tasks.drain();
      state[slot]! |= SEEN;
      state[slot]! &= ~EXTRACTED;
      if (entry.kind === 'hardlink') {
        // tar stores a second name of the same inode as a link to the first: restore it as a copy.
        const target = entry.linkTarget === undefined ? undefined : safeRelativePath(entry.linkTarget);
        const from = target === undefined ? undefined : manifest.slotOf(target);
        if (target === undefined || from === undefined || (state[from]! & EXTRACTED) === 0) {
          refused.add(path);
          continue;
        }
        await sandbox.put(path, sandbox.read(target) as AsyncIterable<Buffer>, extractedSize[from]);
        extractedSize[slot] = extractedSize[from]!;
        state[slot]! |= EXTRACTED;
        await tasks.room(0);
        tasks.start(0, () => readBack(slot, path));
        continue;
      }
      // No hash while writing: the read-back is compared with the manifest, which already catches
      // anything the extraction or the sandbox got wrong, and hashing once keeps pace with tar + sha256sum.
      if (entry.size !== undefined && entry.size <= SMALL_FILE_BYTES) {
        // Take the bytes off the parser (no copy: the chunks are handed over) and let the write and
        // the read-back run while the parser moves on to the next entries.
        await tasks.room(entry.size);
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of entry.body) {
          chunks.push(chunk);
          size += chunk.length;
        }
        tasks.start(entry.size, async () => {
          await sandbox.put(path, handOver(chunks), size);
          extractedSize[slot] = size;
          state[slot]! |= EXTRACTED;
          await readBack(slot, path);
        });
        continue;
      }
      // A large (or unsized) file streams straight through; only its read-back runs alongside.
      const acc = { size: 0 };
      await sandbox.put(path, counting(entry.body, acc), entry.size);
      extractedSize[slot] = acc.size;
      state[slot]! |= EXTRACTED;
      await tasks.room(0);
      tasks.start(0, () => readBack(slot, path));
    }
    const extraInArchive = extra.size;
    await tasks.drain();
    result.restore = { startedAt: restoreStart, endedAt: clock.now() };

    // Every file in the sandbox must be one we restored: list it and account for each one.
    validationStart ??= clock.now();
    for await (const file of sandbox.list()) {
      const slot = manifest.slotOf(file.path);
      if (slot === undefined || (state[slot]! & SAMPLED) === 0) {
        extra.add(file.path); // Something in the sandbox we did not put there.
        continue;
      }
      state[slot]! |= LISTED;
      if ((state[slot]! & (READ_BACK | UNREADABLE)) === 0) await readBack(slot, file.path);
    }

    const changed = new Set<string>();
    const unreadable = new Set<string>(refused);
    const missingFromArchive: string[] = [];
    const missingFromSandbox: string[] = [];
    let seen = extraInArchive;
    let compared = 0;
    let bytes = 0;
    let matched = 0;
    let slot = 0;
    for (const path of manifest.paths()) {
      const s = state[slot]!;
      if ((s & SEEN) === 0) missingFromArchive.push(path);
      else seen++;
      if ((s & SAMPLED) !== 0) {
        if ((s & LISTED) !== 0 && (s & READ_BACK) !== 0) {
          compared++;
          bytes += readSize[slot]!;
          if ((s & MATCHED) !== 0) matched++;
          else changed.add(path);
        } else if ((s & LISTED) !== 0 && (s & UNREADABLE) !== 0) unreadable.add(path);
        else if (!unreadable.has(path)) missingFromSandbox.push(path);
      }
      slot++;
    }
    result.validation = { startedAt: validationStart, endedAt: clock.now() };

    for (const name of validators) {
      if (name === 'checksums')
        checks.push(
          checksumsCheck(
            selected,
            compared,
            bytes,
            matched,
            changed,
            missingFromSandbox,
            unreadable,
            result.validation,
          ),
        );
      else if (name === 'file-list')
        checks.push(
          fileListCheck(manifest.size, seen, entriesRead, missingFromArchive, extra, refused, result.validation),
        );
      else
        checks.push({
          name,
          status: 'ERROR',
          message: `validator ${name} is not available for the s3-archive runner`,
          counts: { compared: 0 },
        });
    }
  } catch (error) {
    result.error = toRunError(error);
  }
  // Nothing may still be writing when the sandbox is removed.
  await tasks.settle();
  // Cleanup ALWAYS runs, after success, failed checks or an exception, and is part of the evidence.
  const cleanup = await cleanupSandbox(sandbox, clock);
  return { ...result, cleanup };
}

/** Yields chunks taken off the parser, letting go of each once it has been consumed. */
async function* handOver(chunks: Buffer[]): AsyncGenerator<Buffer> {
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i]!;
    chunks[i] = EMPTY;
    yield chunk;
  }
}
const EMPTY = Buffer.alloc(0);

function sampleMode(sample: Sample): 'all' | 'percent' | 'count' {
  return sample === 'all' ? 'all' : 'percent' in sample ? 'percent' : 'count';
}

function checksumsCheck(
  sampled: number,
  compared: number,
  bytes: number,
  matched: number,
  changed: Set<string>,
  missing: string[],
  unreadable: Set<string>,
  span: Span,
): CheckResult {
  const ok = changed.size === 0 && missing.length === 0 && unreadable.size === 0;
  const parts = [`${compared} of ${sampled} sampled files read back (${bytes} bytes), ${matched} match the manifest`];
  if (changed.size > 0)
    parts.push(
      `${changed.size} changed: ${[...changed].sort().slice(0, 5).join(', ')}${changed.size > 5 ? ', …' : ''}`,
    );
  if (missing.length > 0) parts.push(`${missing.length} not found in the sandbox`);
  if (unreadable.size > 0) parts.push(`${unreadable.size} unreadable or refused`);
  return {
    name: 'checksums',
    status: ok ? 'PASSED' : 'FAILED',
    message: parts.join('; '),
    ...span,
    counts: { expected: sampled, compared, bytes, matched },
    changed: nameList(changed),
    missing: nameList(missing),
    unreadable: nameList(unreadable),
  };
}

function fileListCheck(
  expected: number,
  present: number,
  entries: number,
  missing: string[],
  extra: Set<string>,
  refused: Set<string>,
  span: Span,
): CheckResult {
  const ok = missing.length === 0 && extra.size === 0 && refused.size === 0;
  const parts = [`${present} of ${expected} manifest files present among ${entries} archive entries`];
  if (missing.length > 0)
    parts.push(`${missing.length} missing: ${missing.sort().slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
  if (extra.size > 0)
    parts.push(`${extra.size} extra: ${[...extra].sort().slice(0, 5).join(', ')}${extra.size > 5 ? ', …' : ''}`);
  if (refused.size > 0) parts.push(`${refused.size} refused (unsafe path or unsupported entry type)`);
  return {
    name: 'file-list',
    status: ok ? 'PASSED' : 'FAILED',
    message: parts.join('; '),
    ...span,
    counts: { expected, compared: present },
    missing: nameList(missing),
    extra: nameList(extra),
    unreadable: nameList(refused),
  };
}

export interface ArchiveRestoreTestInput
  extends Omit<EvidenceInput, 'checks' | 'cleanup' | 'sandbox' | 'sample' | 'runner'> {
  run: Omit<ArchiveRestoreInput, 'sample'> & { sample: Sample };
}

/** Restore, verify, clean up, and build the evidence record in one call. */
export async function runS3ArchiveRestoreTest(input: ArchiveRestoreTestInput): Promise<RestoreTestEvidence> {
  const { run, ...rest } = input;
  const r = await restoreAndVerifyArchive(run);
  const evidence: EvidenceInput = {
    ...rest,
    runner: 's3-archive',
    sandbox: run.sandbox.location,
    sample: r.sample,
    checks: r.checks,
    cleanup: r.cleanup,
  };
  if (r.restore !== undefined) evidence.restore = r.restore;
  if (r.validation !== undefined) evidence.validation = r.validation;
  if (r.error !== undefined) evidence.error = r.error;
  return buildEvidence(evidence);
}
