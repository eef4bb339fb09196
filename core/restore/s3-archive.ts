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
import { type ManifestEntry, readManifest } from './manifest.ts';
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

interface Extracted {
  sha256: string;
  size: number;
}

async function* counting(body: AsyncIterable<Buffer>, into: { size: number }) {
  for await (const chunk of body) {
    into.size += chunk.length;
    yield chunk;
  }
}

async function hashOf(source: AsyncIterable<Uint8Array>): Promise<Extracted> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of source) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
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
  try {
    const restoreStart = clock.now();
    const manifest = await readManifest(await input.openManifest(), 'manifest');
    const sampled = sampleNames(manifest.keys(), input.sample, input.seed);
    result.sample.selected = sampled.size;
    result.sample.of = manifest.size;

    const seen = new Set<string>();
    const extra = new Set<string>();
    const refused = new Set<string>();
    /** Size of each restored file (hardlinks copy their target, which must have been restored). */
    const extracted = new Map<string, number>();
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
      if (entry.kind === 'other') {
        if (manifest.has(path)) refused.add(path);
        continue;
      }
      seen.add(path);
      if (!manifest.has(path)) {
        extra.add(path);
        continue;
      }
      if (!sampled.has(path)) continue;
      if (entry.kind === 'hardlink') {
        // tar stores a second name of the same inode as a link to the first: restore it as a copy.
        const target = entry.linkTarget === undefined ? undefined : safeRelativePath(entry.linkTarget);
        const from = target === undefined ? undefined : extracted.get(target);
        if (target === undefined || from === undefined) {
          refused.add(path);
          continue;
        }
        await sandbox.put(path, sandbox.read(target) as AsyncIterable<Buffer>, from);
        extracted.set(path, from);
        continue;
      }
      // No hash while writing: the read-back below is compared with the manifest, which already catches
      // anything the extraction or the sandbox got wrong, and hashing once keeps pace with tar + sha256sum.
      const acc = { size: 0 };
      await sandbox.put(path, counting(entry.body, acc), entry.size);
      extracted.set(path, acc.size);
    }
    result.restore = { startedAt: restoreStart, endedAt: clock.now() };

    const validationStart = clock.now();
    const changed = new Set<string>();
    const unreadable = new Set<string>(refused);
    const readBack = new Set<string>();
    let bytes = 0;
    let matched = 0;
    for await (const file of sandbox.list()) {
      const expected = manifest.get(file.path);
      if (expected === undefined || !sampled.has(file.path)) {
        extra.add(file.path); // Something in the sandbox we did not put there.
        continue;
      }
      let actual: Extracted;
      try {
        actual = await hashOf(sandbox.read(file.path));
      } catch {
        unreadable.add(file.path);
        continue;
      }
      readBack.add(file.path);
      bytes += actual.size;
      if (differs(expected, actual) || extracted.get(file.path) !== actual.size) changed.add(file.path);
      else matched++;
    }
    const missingFromArchive = [...manifest.keys()].filter((p) => !seen.has(p));
    const missingFromSandbox = [...sampled].filter((p) => !readBack.has(p) && !unreadable.has(p));
    result.validation = { startedAt: validationStart, endedAt: clock.now() };

    for (const name of validators) {
      if (name === 'checksums')
        checks.push(
          checksumsCheck(
            sampled.size,
            readBack.size,
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
          fileListCheck(manifest.size, seen.size, entriesRead, missingFromArchive, extra, refused, result.validation),
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
  // Cleanup ALWAYS runs, after success, failed checks or an exception, and is part of the evidence.
  const cleanup = await cleanupSandbox(sandbox, clock);
  return { ...result, cleanup };
}

function sampleMode(sample: Sample): 'all' | 'percent' | 'count' {
  return sample === 'all' ? 'all' : 'percent' in sample ? 'percent' : 'count';
}

function differs(expected: ManifestEntry, actual: Extracted): boolean {
  return expected.sha256 !== actual.sha256 || (expected.size !== undefined && expected.size !== actual.size);
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
