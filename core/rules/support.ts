/**
 * Small helpers the rules share. Facts arrive sorted ascending (jobs by startedAt, points by
 * createdAt), so windows are found by binary search and scanned in place: no filter/map copies,
 * because rules run over millions of records per sweep.
 */
import type { BackupJob, RecoveryPoint } from '../model.ts';
import { FAILED_JOB_STATES } from '../model.ts';
import { subtractDuration, toIso } from '../time.ts';
import type { RuleInput } from './types.ts';

/** Index of the first job with startedAt >= t (jobs.length when none). */
export function firstJobFrom(jobs: readonly BackupJob[], t: number): number {
  let lo = 0;
  let hi = jobs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (jobs[mid]!.startedAt < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index one past the last job with startedAt <= t. */
export function jobsEndAt(jobs: readonly BackupJob[], t: number): number {
  let lo = 0;
  let hi = jobs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (jobs[mid]!.startedAt <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first point with createdAt >= t (points.length when none). */
export function firstPointFrom(points: readonly RecoveryPoint[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]!.createdAt < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index one past the last point with createdAt <= t. */
export function pointsEndAt(points: readonly RecoveryPoint[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]!.createdAt <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Restorable: the only status a restore can start from. */
export function isGood(p: RecoveryPoint): boolean {
  return p.status === 'AVAILABLE';
}

/** A good point made by a backup of the resource itself, not a copy of one. */
export function isGoodPrimary(p: RecoveryPoint): boolean {
  return p.status === 'AVAILABLE' && p.copyOf === undefined;
}

export function isFailedJob(j: BackupJob): boolean {
  return FAILED_JOB_STATES.has(j.state);
}

/** Start of the lookback window: `at − lookback` in the tenant's calendar. */
export function lookbackStart(input: RuleInput): number {
  return subtractDuration(input.at, input.resource.policy.lookback, input.timezone);
}

/** Earliest time any fact of the resource mentions (jobs and points are sorted). */
export function earliestFact(input: RuleInput): number {
  const j = input.facts.jobs[0]?.startedAt ?? Number.POSITIVE_INFINITY;
  const p = input.facts.recoveryPoints[0]?.createdAt ?? Number.POSITIVE_INFINITY;
  return Math.min(j, p);
}

/** Evidence lists stay small: a report stores evidence for every finding. */
export const MAX_LISTED = 5;

export function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : toIso(ms);
}

/** The moment a good job's data dates from: the start (a snapshot is taken when the job starts). */
export function jobDataTime(j: BackupJob): number {
  return j.startedAt;
}

/** The last good data time at or before `at`, from primary points, else COMPLETED backup jobs. */
export interface LastGood {
  time: number;
  id: string;
  kind: 'recovery-point' | 'job';
}

export function lastGood(input: RuleInput): LastGood | undefined {
  const { jobs, recoveryPoints } = input.facts;
  if (recoveryPoints.length > 0) {
    for (let i = pointsEndAt(recoveryPoints, input.at) - 1; i >= 0; i--) {
      const p = recoveryPoints[i]!;
      if (isGoodPrimary(p)) return { time: p.createdAt, id: p.recoveryPointId, kind: 'recovery-point' };
    }
    return undefined;
  }
  // The source reports no recovery points (generic reports, some restic setups): trust completed jobs.
  for (let i = jobsEndAt(jobs, input.at) - 1; i >= 0; i--) {
    const j = jobs[i]!;
    if (j.kind === 'backup' && j.state === 'COMPLETED') return { time: jobDataTime(j), id: j.jobId, kind: 'job' };
  }
  return undefined;
}
