/**
 * The auditor report (issue 3, section 6) as data: what restore tests ran in a period, how they did
 * against their targets, what failed and what was done about it, which resources were never tested,
 * how that answers the controls auditors check, and whether the audit log that recorded all of it is
 * intact. Pure: the same input always gives the same model (no clock, no I/O), so a report can be
 * regenerated and compared. Times in the model are ISO-8601 UTC strings (a report is a boundary);
 * durations stay in ms. The HTML rendering is cli/render/auditor-html.ts.
 */
import type { AuditVerification } from '../audit/types.ts';
import type { RestoreOutcome } from '../restore/evidence.ts';
import type { RestoreFinding, RestoreTestSummary } from '../restore/ports.ts';
import { toIso } from '../time.ts';
import { CONTROLS, type ControlFacts, type ControlResult } from './controls.ts';
import { formatDuration, percent } from './format.ts';

/** Tests listed per resource (newest first); the trend chart shows more. */
export const LAST_TESTS_PER_RESOURCE = 5;
/** Points per RTO trend (the most recent): a daily test over a year still fits. */
export const MAX_TREND_POINTS = 400;
/** Failure rows kept; the count of the rest is reported, never silently dropped. */
export const MAX_FAILURE_ROWS = 500;
/** Audit problems copied into the report. */
export const MAX_AUDIT_PROBLEMS = 20;

export interface DeclaredResourceRef {
  resourceId: string;
  name: string;
  /** The restore-test policy covering it; undefined when no policy tests it. */
  policyName?: string;
  /** The policy's maxRto in ms. */
  rtoTargetMs?: number;
}

export interface AuditorReportInput {
  tenantId: string;
  tenantName: string;
  /** From parsePeriod; `timeZone` and `title` are optional so callers may build one by hand. */
  period: { label: string; from: number; to: number; timeZone?: string; title?: string };
  /** Epoch ms. */
  generatedAt: number;
  strategy: { version: number; contentSha256: string };
  declaredResources: readonly DeclaredResourceRef[];
  /** Restore tests of the period (tests whose startedAt falls outside [from, to) are ignored). */
  tests: readonly RestoreTestSummary[];
  /** The tenant's findings; those opened after the period, or closed before it, are ignored. */
  findings: readonly RestoreFinding[];
  /** Verification of the tenant's audit log (core/audit/verify.ts). */
  audit: AuditVerification;
  /** The latest backup verification (core/verify), for context. evaluatedAt is ISO-8601. */
  latestVerification?: { compliancePercent: number; evaluatedAt: string };
}

export interface RtoStats {
  /** Tests with a measured RTO. */
  measured: number;
  /** Tests whose restore never started (no RTO). */
  unmeasured: number;
  withinTarget: number;
  overTarget: number;
  medianMs?: number;
  /** The longest RTO. */
  worst?: RtoExtreme;
  /** The RTO furthest above (or least below) its own target: the highest RTO / target ratio. */
  worstVsTarget?: RtoExtreme;
}

export interface RtoExtreme {
  rtoMs: number;
  targetMs: number;
  resourceId: string;
  testId: string;
}

export interface ReportSummary {
  testsRun: number;
  passed: number;
  failed: number;
  error: number;
  /** passed / testsRun, 0..100 with one decimal; undefined without tests. */
  passRatePercent?: number;
  rto: RtoStats;
  /** Median and worst achieved RPO (age of the restored recovery point). */
  rpo: { medianMs?: number; worstMs?: number };
  resourcesDeclared: number;
  /** Declared resources with at least one test in the period. */
  resourcesCovered: number;
  resourcesNeverTested: number;
  /** covered / declared, 0..100 with one decimal; undefined without declared resources. */
  coveragePercent?: number;
  findingsOpen: number;
  findingsClosed: number;
  /** Tests whose summary names no audit-log entry. */
  testsWithoutAuditEntry: number;
}

export interface TestRow {
  testId: string;
  /** ISO-8601 UTC. */
  startedAt: string;
  runner: string;
  policyName: string;
  outcome: RestoreOutcome;
  reason: string;
  rtoMs?: number;
  rtoTargetMs: number;
  rtoMet: boolean;
  achievedRpoMs?: number;
  recoveryPointId?: string;
  strategyVersion: number;
  auditSeq?: number;
}

export interface TrendPoint {
  /** ISO-8601 UTC. */
  at: string;
  rtoMs: number;
  targetMs: number;
  outcome: RestoreOutcome;
}

export type ResourceStatus = 'PASSING' | 'FAILING' | 'NEVER_TESTED';

export interface ResourceSection {
  resourceId: string;
  name: string;
  /** False for a resource tested in the period but no longer declared by the strategy. */
  declared: boolean;
  policyName?: string;
  rtoTargetMs?: number;
  /** From the latest test: PASSING when it PASSED. */
  status: ResourceStatus;
  tests: number;
  passed: number;
  failed: number;
  error: number;
  medianRtoMs?: number;
  worstRtoMs?: number;
  /** Newest first, at most LAST_TESTS_PER_RESOURCE. */
  lastTests: TestRow[];
  /** Oldest first: every test with a measured RTO (the most recent MAX_TREND_POINTS). */
  trend: TrendPoint[];
}

export interface FindingRef {
  findingId: string;
  status: 'OPEN' | 'CLOSED';
  /** ISO-8601. */
  openedAt: string;
  closedAt?: string;
  rootCause?: string;
  correctiveAction?: string;
  updatedBy?: string;
}

export interface FailureRow {
  resourceId: string;
  resourceName: string;
  /** The test when it ran in the period; a finding carried over from earlier has only its testId. */
  testId: string;
  startedAt?: string;
  outcome: RestoreOutcome;
  reason: string;
  /** Undefined when the failed test opened no finding (itself worth an auditor's question). */
  finding?: FindingRef;
  /** An open finding from a test before the period. */
  carriedOver: boolean;
}

export interface CoverageSection {
  /** Declared resources with no test in the period, in declaration order. */
  neverTested: { resourceId: string; name: string; policyName?: string }[];
  /** Declared resources no restore-test policy selects: they cannot be tested at all. */
  withoutPolicy: { resourceId: string; name: string }[];
}

export interface AuditSection {
  ok: boolean;
  entries: number;
  digests: number;
  headSeq: number;
  headHash: string;
  unsealed: number;
  firstBad?: { seq: number; reason: string };
  firstBadDigest?: { digestSeq: number; reason: string };
  problems: string[];
  problemsOmitted: number;
}

export interface AuditorReport {
  reportVersion: 1;
  tenantId: string;
  tenantName: string;
  period: { label: string; title: string; from: string; to: string; timeZone: string };
  generatedAt: string;
  strategy: { version: number; contentSha256: string };
  latestVerification?: { compliancePercent: number; evaluatedAt: string };
  summary: ReportSummary;
  resources: ResourceSection[];
  failures: FailureRow[];
  failuresOmitted: number;
  coverage: CoverageSection;
  controls: ControlResult[];
  audit: AuditSection;
}

const ms = (iso: string): number => Date.parse(iso);

/** Median of a non-empty list (mean of the middle two, rounded to the ms, for even lengths). */
function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

/** Newest first; ties broken by testId so the order never depends on the input order. */
function newestFirst(a: RestoreTestSummary, b: RestoreTestSummary): number {
  return ms(b.startedAt) - ms(a.startedAt) || (a.testId < b.testId ? -1 : a.testId > b.testId ? 1 : 0);
}

function testRow(t: RestoreTestSummary): TestRow {
  const row: TestRow = {
    testId: t.testId,
    startedAt: toIso(ms(t.startedAt)),
    runner: t.runner,
    policyName: t.policyName,
    outcome: t.outcome,
    reason: t.reason,
    rtoTargetMs: t.rtoTargetMs,
    rtoMet: t.rtoMet,
    strategyVersion: t.strategyVersion,
  };
  if (t.rtoMs !== undefined) row.rtoMs = t.rtoMs;
  if (t.achievedRpoMs !== undefined) row.achievedRpoMs = t.achievedRpoMs;
  if (t.recoveryPointId !== undefined) row.recoveryPointId = t.recoveryPointId;
  if (t.auditSeq !== undefined) row.auditSeq = t.auditSeq;
  return row;
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

function rtoStats(tests: readonly RestoreTestSummary[]): RtoStats {
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

function resourceSection(
  ref: DeclaredResourceRef,
  declared: boolean,
  tests: readonly RestoreTestSummary[],
): ResourceSection {
  const sorted = [...tests].sort(newestFirst);
  const latest = sorted[0];
  const rtos = sorted.filter((t) => t.rtoMs !== undefined).map((t) => t.rtoMs!);
  const section: ResourceSection = {
    resourceId: ref.resourceId,
    name: ref.name,
    declared,
    status: latest === undefined ? 'NEVER_TESTED' : latest.outcome === 'PASSED' ? 'PASSING' : 'FAILING',
    tests: sorted.length,
    passed: sorted.filter((t) => t.outcome === 'PASSED').length,
    failed: sorted.filter((t) => t.outcome === 'FAILED').length,
    error: sorted.filter((t) => t.outcome === 'ERROR').length,
    lastTests: sorted.slice(0, LAST_TESTS_PER_RESOURCE).map(testRow),
    trend: sorted
      .filter((t) => t.rtoMs !== undefined)
      .slice(0, MAX_TREND_POINTS)
      .reverse()
      .map((t) => ({ at: toIso(ms(t.startedAt)), rtoMs: t.rtoMs!, targetMs: t.rtoTargetMs, outcome: t.outcome })),
  };
  if (ref.policyName !== undefined) section.policyName = ref.policyName;
  const target = ref.rtoTargetMs ?? latest?.rtoTargetMs;
  if (target !== undefined) section.rtoTargetMs = target;
  const med = median(rtos);
  if (med !== undefined) section.medianRtoMs = med;
  if (rtos.length > 0) section.worstRtoMs = Math.max(...rtos);
  return section;
}

function findingRef(f: RestoreFinding): FindingRef {
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

export function buildAuditorReport(input: AuditorReportInput): AuditorReport {
  const { from, to } = input.period;
  const tests = input.tests.filter((t) => {
    const at = ms(t.startedAt);
    return t.tenantId === input.tenantId && at >= from && at < to;
  });
  const byResource = new Map<string, RestoreTestSummary[]>();
  for (const t of tests) {
    const list = byResource.get(t.resourceId);
    if (list === undefined) byResource.set(t.resourceId, [t]);
    else list.push(t);
  }

  // Declared resources first, in declaration order; then resources tested but no longer declared.
  const declaredIds = new Set<string>();
  const resources: ResourceSection[] = [];
  for (const ref of input.declaredResources) {
    if (declaredIds.has(ref.resourceId)) continue;
    declaredIds.add(ref.resourceId);
    resources.push(resourceSection(ref, true, byResource.get(ref.resourceId) ?? []));
  }
  const undeclared = [...byResource.keys()].filter((id) => !declaredIds.has(id)).sort();
  for (const id of undeclared)
    resources.push(resourceSection({ resourceId: id, name: id }, false, byResource.get(id)!));
  const nameOf = new Map(resources.map((r) => [r.resourceId, r.name]));

  const declared = resources.filter((r) => r.declared);
  const coverage: CoverageSection = {
    neverTested: declared
      .filter((r) => r.tests === 0)
      .map((r) =>
        r.policyName === undefined
          ? { resourceId: r.resourceId, name: r.name }
          : { resourceId: r.resourceId, name: r.name, policyName: r.policyName },
      ),
    withoutPolicy: declared
      .filter((r) => r.policyName === undefined)
      .map((r) => ({ resourceId: r.resourceId, name: r.name })),
  };

  const findings = input.findings.filter((f) => f.tenantId === input.tenantId && relevantFinding(f, from, to));
  const findingByTest = new Map<string, RestoreFinding>();
  for (const f of [...findings].sort((a, b) => ms(a.openedAt) - ms(b.openedAt))) {
    if (!findingByTest.has(f.testId)) findingByTest.set(f.testId, f);
  }
  const failedTests = tests.filter((t) => t.outcome !== 'PASSED').sort(newestFirst);
  const failedIds = new Set(failedTests.map((t) => t.testId));
  const allFailures: FailureRow[] = failedTests.map((t) => {
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
  // Findings whose test is not in the period (opened earlier, still open or closed during it).
  for (const f of findings) {
    if (failedIds.has(f.testId)) continue;
    allFailures.push({
      resourceId: f.resourceId,
      resourceName: nameOf.get(f.resourceId) ?? f.resourceId,
      testId: f.testId,
      outcome: f.outcome,
      reason: f.summary,
      finding: findingRef(f),
      carriedOver: ms(f.openedAt) < from,
    });
  }

  const rpos = tests.filter((t) => t.achievedRpoMs !== undefined).map((t) => t.achievedRpoMs!);
  const passed = tests.filter((t) => t.outcome === 'PASSED').length;
  const summary: ReportSummary = {
    testsRun: tests.length,
    passed,
    failed: tests.filter((t) => t.outcome === 'FAILED').length,
    error: tests.filter((t) => t.outcome === 'ERROR').length,
    rto: rtoStats(tests),
    rpo: {},
    resourcesDeclared: declared.length,
    resourcesCovered: declared.length - coverage.neverTested.length,
    resourcesNeverTested: coverage.neverTested.length,
    findingsOpen: findings.filter((f) => f.status === 'OPEN').length,
    findingsClosed: findings.filter((f) => f.status === 'CLOSED').length,
    testsWithoutAuditEntry: tests.filter((t) => t.auditSeq === undefined).length,
  };
  const passRate = percent(passed, tests.length);
  if (passRate !== undefined) summary.passRatePercent = passRate;
  const coveragePercent = percent(summary.resourcesCovered, declared.length);
  if (coveragePercent !== undefined) summary.coveragePercent = coveragePercent;
  const rpoMedian = median(rpos);
  if (rpoMedian !== undefined) summary.rpo.medianMs = rpoMedian;
  if (rpos.length > 0) summary.rpo.worstMs = Math.max(...rpos);

  const facts: ControlFacts = {
    summary,
    resources,
    coverage,
    failures: allFailures,
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
    failures: allFailures.slice(0, MAX_FAILURE_ROWS),
    failuresOmitted: Math.max(0, allFailures.length - MAX_FAILURE_ROWS),
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
