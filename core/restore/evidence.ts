/**
 * The evidence record of one restore test (issue 3, section 4): what an auditor needs to trust that a
 * recovery point was restored, read back, checked, timed and cleaned up. Times are epoch ms; the
 * storage boundary turns them into ISO strings. Mismatch name lists are capped (a corrupted archive
 * of a million files must not make a million-line record) but their counts are always exact.
 */
import { restoreTestId, type TestIdentity } from './ids.ts';

export const RESTORE_OUTCOMES = ['PASSED', 'FAILED', 'ERROR'] as const;
export type RestoreOutcome = (typeof RESTORE_OUTCOMES)[number];
export type RestoreRunner = 's3-archive' | 'restic' | 'aws-backup';

/** At most this many names are kept per mismatch list; `count` stays exact. */
export const MAX_MISMATCH_NAMES = 100;
/** Reasons and messages are truncated to this many characters. */
export const MAX_MESSAGE_LENGTH = 1000;

export interface NameList {
  /** Exact number of names. */
  count: number;
  /** The first MAX_MISMATCH_NAMES names, sorted. */
  names: string[];
  truncated: boolean;
}

export type CheckStatus = 'PASSED' | 'FAILED' | 'ERROR';

export interface CheckCounts {
  /** Files/objects/items the check expected (from the manifest, snapshot listing, count at backup). */
  expected?: number;
  /** Files/objects/items actually compared. */
  compared: number;
  /** Bytes read back and compared. */
  bytes?: number;
  matched?: number;
}

export interface CheckResult {
  /** Validator name: checksums, file-list, restic-check, item-count, rto, lambda:<arn>... */
  name: string;
  status: CheckStatus;
  /** One human sentence: what was checked and what was found. */
  message: string;
  startedAt?: number;
  endedAt?: number;
  counts: CheckCounts;
  missing?: NameList;
  extra?: NameList;
  changed?: NameList;
  /** Names that could not be read back or were refused (unsafe paths, unsupported entry types). */
  unreadable?: NameList;
}

export type CleanupResult = 'CLEANED' | 'NOTHING_TO_CLEAN' | 'FAILED';

/** Proof the sandbox was removed: what, when, and that a listing afterwards found it empty. */
export interface CleanupProof {
  /** The sandbox, e.g. s3://bucket/prefix/ or file:///tmp/reversa-rt-…/ */
  target: string;
  startedAt: number;
  endedAt: number;
  /** Files/objects deleted. */
  removed: number;
  /** Files/objects still there when listed after the deletion (0 when cleaned). */
  remaining: number;
  result: CleanupResult;
  message?: string;
}

export interface Span {
  startedAt: number;
  endedAt: number;
}

export interface RestoreTestEvidence {
  schemaVersion: 1;
  /** Deterministic from tenant + resource + scheduledAt (ids.ts). */
  testId: string;
  tenantId: string;
  resourceId: string;
  policyName: string;
  runner: RestoreRunner;
  strategyVersion: { version: number; contentSha256: string };
  scheduledAt: number;
  recoveryPoint?: {
    id: string;
    createdAt: number;
    /** Age of the recovery point when the test started: the RPO this restore actually achieves. */
    achievedRpoMs: number;
  };
  sample: { mode: 'all' | 'percent' | 'count'; value?: number; selected: number; of: number };
  sandbox: string;
  restore?: Span;
  validation?: Span;
  rto: {
    /** From restore start to validation end; undefined when the restore never started. */
    achievedMs?: number;
    targetMs: number;
    targetText: string;
    met: boolean;
  };
  checks: CheckResult[];
  cleanup: CleanupProof;
  outcome: RestoreOutcome;
  reason: string;
}

/** A capped, sorted name list. */
export function nameList(names: Iterable<string>, cap = MAX_MISMATCH_NAMES): NameList {
  const all = [...names].sort();
  return { count: all.length, names: all.slice(0, cap), truncated: all.length > cap };
}

export function truncateMessage(text: string): string {
  return text.length <= MAX_MESSAGE_LENGTH ? text : `${text.slice(0, MAX_MESSAGE_LENGTH - 1)}…`;
}

/** What went wrong, as a name and a message: never the error's own fields, which could carry secrets. */
export interface RunError {
  name: string;
  message: string;
}

/**
 * The verdict. Precedence, strongest signal first:
 * 1. the run itself broke (error) → ERROR: the test could not reach a verdict;
 * 2. a check FAILED → FAILED: the data is demonstrably wrong (even if cleanup also failed);
 * 3. a check could not run (ERROR) → ERROR;
 * 4. cleanup FAILED → ERROR: the restore verified but a sandbox was left behind, which must be seen;
 * 5. no check at all → ERROR: a test that checked nothing proves nothing;
 * 6. otherwise PASSED.
 */
export function outcomeOf(
  checks: readonly CheckResult[],
  cleanup: CleanupProof,
  error: RunError | undefined,
): { outcome: RestoreOutcome; reason: string } {
  if (error !== undefined) {
    const suffix =
      cleanup.result === 'FAILED' ? `; cleanup also failed: ${cleanup.message ?? 'sandbox not empty'}` : '';
    return { outcome: 'ERROR', reason: truncateMessage(`${error.name}: ${error.message}${suffix}`) };
  }
  const failed = checks.filter((c) => c.status === 'FAILED');
  if (failed.length > 0) {
    return { outcome: 'FAILED', reason: truncateMessage(failed.map((c) => `${c.name}: ${c.message}`).join('; ')) };
  }
  const errored = checks.filter((c) => c.status === 'ERROR');
  if (errored.length > 0) {
    return { outcome: 'ERROR', reason: truncateMessage(errored.map((c) => `${c.name}: ${c.message}`).join('; ')) };
  }
  if (cleanup.result === 'FAILED') {
    return {
      outcome: 'ERROR',
      reason: truncateMessage(`data verified but cleanup failed: ${cleanup.message ?? `${cleanup.remaining} left`}`),
    };
  }
  if (checks.length === 0) return { outcome: 'ERROR', reason: 'no check ran' };
  return { outcome: 'PASSED', reason: `all ${checks.length} checks passed` };
}

/** The RTO check: restore start to validation end, against the policy's maxRto. */
export function rtoCheck(
  restore: Span | undefined,
  validation: Span | undefined,
  targetMs: number,
  targetText: string,
): CheckResult {
  if (restore === undefined || validation === undefined) {
    return {
      name: 'rto',
      status: 'ERROR',
      message: 'restore or validation did not complete: RTO unknown',
      counts: { compared: 0 },
    };
  }
  const achieved = validation.endedAt - restore.startedAt;
  const met = achieved <= targetMs;
  return {
    name: 'rto',
    status: met ? 'PASSED' : 'FAILED',
    message: `restored and validated in ${achieved} ms; target ${targetText} (${targetMs} ms)`,
    counts: { compared: 1 },
  };
}

export interface EvidenceInput extends TestIdentity {
  policyName: string;
  runner: RestoreRunner;
  strategyVersion: { version: number; contentSha256: string };
  recoveryPoint?: { id: string; createdAt: number };
  sample: RestoreTestEvidence['sample'];
  sandbox: string;
  restore?: Span;
  validation?: Span;
  maxRto: { ms: number; text: string };
  /** Checks from the runner; the builder appends the RTO check. */
  checks: readonly CheckResult[];
  cleanup: CleanupProof;
  error?: RunError;
}

/** Pure builder: the same input always gives the same record (no clock read, no randomness). */
export function buildEvidence(input: EvidenceInput): RestoreTestEvidence {
  const rto = rtoCheck(input.restore, input.validation, input.maxRto.ms, input.maxRto.text);
  const checks = input.restore === undefined && input.error !== undefined ? [...input.checks] : [...input.checks, rto];
  const achievedMs =
    input.restore !== undefined && input.validation !== undefined
      ? input.validation.endedAt - input.restore.startedAt
      : undefined;
  const { outcome, reason } = outcomeOf(checks, input.cleanup, input.error);
  const evidence: RestoreTestEvidence = {
    schemaVersion: 1,
    testId: restoreTestId(input),
    tenantId: input.tenantId,
    resourceId: input.resourceId,
    policyName: input.policyName,
    runner: input.runner,
    strategyVersion: input.strategyVersion,
    scheduledAt: input.scheduledAt,
    sample: input.sample,
    sandbox: input.sandbox,
    rto: {
      ...(achievedMs === undefined ? {} : { achievedMs }),
      targetMs: input.maxRto.ms,
      targetText: input.maxRto.text,
      met: achievedMs !== undefined && achievedMs <= input.maxRto.ms,
    },
    checks,
    cleanup: input.cleanup,
    outcome,
    reason,
  };
  if (input.recoveryPoint !== undefined) {
    const startedAt = input.restore?.startedAt ?? input.scheduledAt;
    evidence.recoveryPoint = {
      id: input.recoveryPoint.id,
      createdAt: input.recoveryPoint.createdAt,
      achievedRpoMs: startedAt - input.recoveryPoint.createdAt,
    };
  }
  if (input.restore !== undefined) evidence.restore = input.restore;
  if (input.validation !== undefined) evidence.validation = input.validation;
  return evidence;
}
