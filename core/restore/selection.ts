/**
 * Which recovery point a test restores and which files/items it checks. Pure: time is a parameter,
 * "random" is seeded (ids.ts).
 */
import type { RecoveryPoint } from '../model.ts';
import { sampleKey, seededUnit } from './ids.ts';

export type RecoveryPointSelection = { select: 'latest' | 'random'; windowStart?: number };

/** Points usable for a restore test: available, created at or before `at` and not before the window start. */
export function eligibleRecoveryPoints(
  points: readonly RecoveryPoint[],
  at: number,
  windowStart: number | undefined,
): RecoveryPoint[] {
  return points
    .filter(
      (p) => p.status === 'AVAILABLE' && p.createdAt <= at && (windowStart === undefined || p.createdAt >= windowStart),
    )
    .sort((a, b) => a.createdAt - b.createdAt || cmp(a.recoveryPointId, b.recoveryPointId));
}

/**
 * The recovery point to restore, or undefined when none is eligible (the caller records that as a
 * finding: a resource is never silently skipped).
 */
export function selectRecoveryPoint(
  points: readonly RecoveryPoint[],
  selection: RecoveryPointSelection,
  at: number,
  seed: string,
): RecoveryPoint | undefined {
  const eligible = eligibleRecoveryPoints(points, at, selection.windowStart);
  if (eligible.length === 0) return undefined;
  if (selection.select === 'latest') return eligible[eligible.length - 1];
  return eligible[Math.floor(seededUnit(seed, 'recovery-point') * eligible.length)];
}

export type Sample = 'all' | { percent: number } | { count: number };

/** How many of `total` items a sample takes: percentages round up and take at least one item. */
export function sampleSize(sample: Sample, total: number): number {
  if (sample === 'all') return total;
  if ('percent' in sample) return Math.min(total, Math.max(1, Math.ceil((total * sample.percent) / 100)));
  return Math.min(total, sample.count);
}

/**
 * The sampled names: the `k` names with the smallest seeded keys. Independent of input order, so the
 * same seed picks the same files whatever order the archive or listing delivers them in.
 */
export function sampleNames(names: Iterable<string>, sample: Sample, seed: string): Set<string> {
  const all = [...names];
  if (sample === 'all') return new Set(all);
  const k = sampleSize(sample, all.length);
  const keyed = all.map((name) => ({ name, key: sampleKey(seed, name) }));
  keyed.sort((a, b) => cmp(a.key, b.key) || cmp(a.name, b.name));
  return new Set(keyed.slice(0, k).map((e) => e.name));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
