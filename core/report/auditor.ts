/**
 * The auditor report (issue 3, section 6) as data: what restore tests ran in a period, how they did
 * against their targets, what failed and what was done about it, which resources were never tested,
 * how that answers the controls auditors check, and whether the audit log that recorded all of it is
 * intact. Pure: the same input always gives the same model (no clock, no I/O), so a report can be
 * regenerated and compared. Times in the model are ISO-8601 UTC strings (a report is a boundary);
 * durations stay in ms. The HTML rendering is cli/render/auditor-html.ts.
 *
 * This module composes the report from its sections (resource-sections.ts, failure-rows.ts,
 * summary.ts, controls.ts) and is their public surface: the shapes (auditor-model.ts) and limits are
 * re-exported here, where the CLI and the tests import them from.
 */
import type { AuditVerification } from '../audit/types.ts';
import type { RestoreTestSummary } from '../restore/ports.ts';
import { toIso } from '../time.ts';
import type { AuditorReport, AuditorReportInput, AuditSection } from './auditor-model.ts';
import { CONTROLS, type ControlFacts } from './controls.ts';
import { failureRows, findingRef, findingsOfPeriod } from './failure-rows.ts';
import { formatDuration } from './format.ts';
import { coverageOf, resourceSections } from './resource-sections.ts';
import { ms } from './statistics.ts';
import { summarize } from './summary.ts';

export type {
  AuditorReport,
  AuditorReportInput,
  AuditSection,
  CoverageSection,
  DeclaredResourceRef,
  FailureRow,
  FindingRef,
  ReportSummary,
  ResourceSection,
  ResourceStatus,
  RtoExtreme,
  RtoStats,
  TestRow,
  TrendPoint,
} from './auditor-model.ts';
export { LAST_TESTS_PER_RESOURCE, MAX_TREND_POINTS } from './resource-sections.ts';

/** Failure rows kept; the count of the rest is reported, never silently dropped. */
export const MAX_FAILURE_ROWS = 500;
/** Audit problems copied into the report. */
export const MAX_AUDIT_PROBLEMS = 20;

function auditSection(a: AuditVerification): AuditSection {
  const section: AuditSection = {
    ok: a.ok,
    entries: a.entries,
    digests: a.digests,
    headSeq: a.headSeq,
    headHash: a.headHash,
    unsealed: a.unsealed,
    problems: a.problems.slice(0, MAX_AUDIT_PROBLEMS),
    problemsOmitted: Math.max(0, a.problems.length - MAX_AUDIT_PROBLEMS),
  };
  if (a.firstBad !== undefined) section.firstBad = a.firstBad;
  if (a.firstBadDigest !== undefined) section.firstBadDigest = a.firstBadDigest;
  return section;
}

/** The tenant's tests that started in [from, to): the report never counts another period's or tenant's. */
function testsOfPeriod(input: AuditorReportInput): RestoreTestSummary[] {
  const { from, to } = input.period;
  return input.tests.filter((t) => {
    const at = ms(t.startedAt);
    return t.tenantId === input.tenantId && at >= from && at < to;
  });
}

export function buildAuditorReport(input: AuditorReportInput): AuditorReport {
  const { from, to } = input.period;
  const tests = testsOfPeriod(input);
  const resources = resourceSections(input.declaredResources, tests);
  const declared = resources.filter((r) => r.declared);
  const coverage = coverageOf(declared);
  const findings = findingsOfPeriod(input.findings, input.tenantId, from, to);
  const nameOf = new Map(resources.map((r) => [r.resourceId, r.name]));
  const failures = failureRows(tests, findings, nameOf, from);
  const summary = summarize(tests, declared.length, coverage, findings);

  const facts: ControlFacts = {
    summary,
    resources,
    coverage,
    failures,
    findings: findings.map(findingRef),
    auditOk: input.audit.ok,
    format: formatDuration,
  };

  const report: AuditorReport = {
    reportVersion: 1,
    tenantId: input.tenantId,
    tenantName: input.tenantName,
    period: {
      label: input.period.label,
      title: input.period.title ?? input.period.label,
      from: toIso(from),
      to: toIso(to),
      timeZone: input.period.timeZone ?? 'UTC',
    },
    generatedAt: toIso(input.generatedAt),
    strategy: { version: input.strategy.version, contentSha256: input.strategy.contentSha256 },
    summary,
    resources,
    failures: failures.slice(0, MAX_FAILURE_ROWS),
    failuresOmitted: Math.max(0, failures.length - MAX_FAILURE_ROWS),
    coverage,
    controls: CONTROLS.map((c) => c.judge(facts)),
    audit: auditSection(input.audit),
  };
  if (input.latestVerification !== undefined)
    report.latestVerification = {
      compliancePercent: input.latestVerification.compliancePercent,
      evaluatedAt: input.latestVerification.evaluatedAt,
    };
  return report;
}
