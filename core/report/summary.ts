/** The summary block of the auditor report: counts, pass rate, RTO and RPO figures, coverage, findings. */
import type { RestoreFinding, RestoreTestSummary } from '../restore/ports.ts';
import type { CoverageSection, ReportSummary } from './auditor-model.ts';
import { percent } from './format.ts';
import { median, rtoStats } from './statistics.ts';

export function summarize(
  tests: readonly RestoreTestSummary[],
  declaredCount: number,
  coverage: CoverageSection,
  findings: readonly RestoreFinding[],
): ReportSummary {
  const rpos = tests.filter((t) => t.achievedRpoMs !== undefined).map((t) => t.achievedRpoMs!);
  const passed = tests.filter((t) => t.outcome === 'PASSED').length;
  const summary: ReportSummary = {
    testsRun: tests.length,
    passed,
    failed: tests.filter((t) => t.outcome === 'FAILED').length,
    error: tests.filter((t) => t.outcome === 'ERROR').length,
    rto: rtoStats(tests),
    rpo: {},
    resourcesDeclared: declaredCount,
    resourcesCovered: declaredCount - coverage.neverTested.length,
    resourcesNeverTested: coverage.neverTested.length,
    findingsOpen: findings.filter((f) => f.status === 'OPEN').length,
    findingsClosed: findings.filter((f) => f.status === 'CLOSED').length,
    testsWithoutAuditEntry: tests.filter((t) => t.auditSeq === undefined).length,
  };
  const passRate = percent(passed, tests.length);
  if (passRate !== undefined) summary.passRatePercent = passRate;
  const coveragePercent = percent(summary.resourcesCovered, declaredCount);
  if (coveragePercent !== undefined) summary.coveragePercent = coveragePercent;
  const rpoMedian = median(rpos);
  if (rpoMedian !== undefined) summary.rpo.medianMs = rpoMedian;
  if (rpos.length > 0) summary.rpo.worstMs = Math.max(...rpos);
  return summary;
}
