/**
 * The few statistics the auditor report computes over restore tests: medians, the newest-first order
 * every list uses, and the RTO figures of the summary. Each breaks ties by test id, so a report never
 * depends on the order the store happened to return the tests in.
 */
import type { RestoreTestSummary } from '../restore/ports.ts';
import type { RtoExtreme, RtoStats } from './auditor-model.ts';

export const ms = (iso: string): number => Date.parse(iso);

/** Median of a non-empty list (mean of the middle two, rounded to the ms, for even lengths). */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

/** Newest first; ties broken by testId so the order never depends on the input order. */
export function newestFirst(a: RestoreTestSummary, b: RestoreTestSummary): number {
  return ms(b.startedAt) - ms(a.startedAt) || (a.testId < b.testId ? -1 : a.testId > b.testId ? 1 : 0);
}

/** The test with the highest score; ties go to the newest, so the result never depends on input order. */
function maxBy(
  tests: readonly RestoreTestSummary[],
  score: (t: RestoreTestSummary) => number,
): RestoreTestSummary | undefined {
  let best: RestoreTestSummary | undefined;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const t of tests) {
    const s = score(t);
    if (best === undefined || s > bestScore || (s === bestScore && newestFirst(t, best) < 0)) {
      best = t;
      bestScore = s;
    }
  }
  return best;
}

function extreme(t: RestoreTestSummary): RtoExtreme {
  return { rtoMs: t.rtoMs!, targetMs: t.rtoTargetMs, resourceId: t.resourceId, testId: t.testId };
}

export function rtoStats(tests: readonly RestoreTestSummary[]): RtoStats {
  const measured = tests.filter((t) => t.rtoMs !== undefined);
  const stats: RtoStats = {
    measured: measured.length,
    unmeasured: tests.length - measured.length,
    withinTarget: measured.filter((t) => t.rtoMs! <= t.rtoTargetMs).length,
    overTarget: measured.filter((t) => t.rtoMs! > t.rtoTargetMs).length,
  };
  const med = median(measured.map((t) => t.rtoMs!));
  if (med !== undefined) stats.medianMs = med;
  const worst = maxBy(measured, (t) => t.rtoMs!);
  if (worst !== undefined) stats.worst = extreme(worst);
  const worstRatio = maxBy(measured, (t) => t.rtoMs! / Math.max(1, t.rtoTargetMs));
  if (worstRatio !== undefined) stats.worstVsTarget = extreme(worstRatio);
  return stats;
}
