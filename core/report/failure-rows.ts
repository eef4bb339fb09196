/**
 * The "failures and corrective actions" part of the auditor report: every test of the period that
 * did not pass, with the finding it opened, plus the findings carried over from before the period
 * that were still open during it. An auditor asks about both.
 */
import type { RestoreFinding, RestoreTestSummary } from '../restore/ports.ts';
import { toIso } from '../time.ts';
import type { FailureRow, FindingRef } from './auditor-model.ts';
import { ms, newestFirst } from './statistics.ts';

export function findingRef(f: RestoreFinding): FindingRef {
  const ref: FindingRef = { findingId: f.findingId, status: f.status, openedAt: f.openedAt };
  if (f.closedAt !== undefined) ref.closedAt = f.closedAt;
  if (f.rootCause !== undefined && f.rootCause.trim() !== '') ref.rootCause = f.rootCause;
  if (f.correctiveAction !== undefined && f.correctiveAction.trim() !== '') ref.correctiveAction = f.correctiveAction;
  if (f.updatedBy !== undefined) ref.updatedBy = f.updatedBy;
  return ref;
}

/**
 * A finding matters to the period when it was opened before the period ended and was still open at
 * some point of it: opened in the period, still open now, or closed during or after the period.
 */
function relevantFinding(f: RestoreFinding, from: number, to: number): boolean {
  const opened = ms(f.openedAt);
  if (!(opened < to)) return false;
  if (opened >= from || f.status === 'OPEN') return true;
  return f.closedAt !== undefined && ms(f.closedAt) >= from;
}

/** The tenant's findings that matter to [from, to). */
export function findingsOfPeriod(
  findings: readonly RestoreFinding[],
  tenantId: string,
  from: number,
  to: number,
): RestoreFinding[] {
  return findings.filter((f) => f.tenantId === tenantId && relevantFinding(f, from, to));
}

/**
 * Failed tests newest first, each with the first finding opened for it; then the findings whose test
 * is not in the period (opened earlier, still open or closed during it). `nameOf` names resources.
 */
export function failureRows(
  tests: readonly RestoreTestSummary[],
  findings: readonly RestoreFinding[],
  nameOf: ReadonlyMap<string, string>,
  from: number,
): FailureRow[] {
  const findingByTest = new Map<string, RestoreFinding>();
  for (const f of [...findings].sort((a, b) => ms(a.openedAt) - ms(b.openedAt))) {
    if (!findingByTest.has(f.testId)) findingByTest.set(f.testId, f);
  }
  const failedTests = tests.filter((t) => t.outcome !== 'PASSED').sort(newestFirst);
  const failedIds = new Set(failedTests.map((t) => t.testId));
  const rows: FailureRow[] = failedTests.map((t) => {
    const f = findingByTest.get(t.testId);
    const row: FailureRow = {
      resourceId: t.resourceId,
      resourceName: nameOf.get(t.resourceId) ?? t.resourceId,
      testId: t.testId,
      startedAt: toIso(ms(t.startedAt)),
      outcome: t.outcome,
      reason: t.reason,
      carriedOver: false,
    };
    if (f !== undefined) row.finding = findingRef(f);
    return row;
  });
  for (const f of findings) {
    if (failedIds.has(f.testId)) continue;
    rows.push({
      resourceId: f.resourceId,
      resourceName: nameOf.get(f.resourceId) ?? f.resourceId,
      testId: f.testId,
      outcome: f.outcome,
      reason: f.summary,
      finding: findingRef(f),
      carriedOver: ms(f.openedAt) < from,
    });
  }
  return rows;
}
