/**
 * Builds the verification report of one run from the per-resource verdicts, and compares it with
 * the previous run so findings keep their identity (`${resourceId}#${ruleId}`) and opening time.
 *
 * For the Step Functions Map-over-batches workflow: each batch returns a small BatchSummary
 * (summariseBatch) through the state payload, summaries are merged (mergeBatches) without the
 * verdicts, and the full report is built once from the batches' stored results.
 */
import { RULE_CATALOGUE } from '../rules/index.ts';
import type { RuleResult, Verdict } from '../rules/types.ts';
import type { DeclaredResource, StrategyVersionRef } from '../strategy/policy.ts';
import { toIso } from '../time.ts';
import { resourceStatus } from './evaluate.ts';
import type { Finding, ResourceReport, VerificationReport } from './report-types.ts';

export interface ReportResourceInput {
  resource: DeclaredResource;
  results: RuleResult[];
  /** Epoch ms at which the resource's RPO runs out (evaluateResourceWithDeadline / rpoDeadline). */
  rpoDeadline?: number;
}

export interface BuildReportInput {
  tenantId: string;
  runId: string;
  strategy: StrategyVersionRef;
  /** Evaluation time, epoch ms. */
  at: number;
  resources: readonly ReportResourceInput[];
  /** Drift results from evaluateUndeclared. */
  undeclared: readonly RuleResult[];
  /** The tenant's previous report, to carry findings' openedAt over and list new / resolved ones. */
  previous?: VerificationReport;
  /** The tenant's IANA zone (kept with the input for callers formatting local times; times in the report are UTC ISO). */
  timeZone: string;
}

type Severity = Finding['severity'];
const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 0, high: 1, medium: 2, low: 3 };

export function findingId(resourceId: string, ruleId: string): string {
  return `${resourceId}#${ruleId}`;
}

/** Share of applicable verdicts that are COMPLIANT, 0..100 with one decimal; 100 when nothing applies. */
export function compliancePercent(compliant: number, nonCompliant: number): number {
  const applicable = compliant + nonCompliant;
  return applicable === 0 ? 100 : Math.round((compliant / applicable) * 1000) / 10;
}

function toFinding(
  result: RuleResult,
  verdict: Extract<Verdict, { status: 'NON_COMPLIANT' }>,
  openedAt: string,
): Finding {
  return {
    findingId: findingId(result.resourceId, result.ruleId),
    resourceId: result.resourceId,
    ruleId: result.ruleId,
    severity: verdict.severity,
    summary: verdict.summary,
    why: RULE_CATALOGUE.get(result.ruleId)?.why ?? '',
    evidence: verdict.evidence,
    openedAt,
  };
}

export function buildReport(input: BuildReportInput): VerificationReport {
  const evaluatedAt = toIso(input.at);
  const previousOpened = new Map<string, string>();
  for (const f of input.previous?.findings ?? []) previousOpened.set(f.findingId, f.openedAt);

  const resources: ResourceReport[] = [];
  const findings: Finding[] = [];
  let compliant = 0;
  let nonCompliant = 0;
  let notApplicable = 0;
  let verdictsCompliant = 0;
  let verdictsNonCompliant = 0;
  let rules = 0;
  let nextDeadline = Number.POSITIVE_INFINITY;

  const collect = (r: RuleResult): void => {
    if (r.verdict.status !== 'NON_COMPLIANT') return;
    const id = findingId(r.resourceId, r.ruleId);
    findings.push(toFinding(r, r.verdict, previousOpened.get(id) ?? evaluatedAt));
  };

  for (const { resource, results, rpoDeadline } of input.resources) {
    const status = resourceStatus(results);
    if (status === 'COMPLIANT') compliant++;
    else if (status === 'NON_COMPLIANT') nonCompliant++;
    else notApplicable++;
    for (const r of results) {
      rules++;
      if (r.verdict.status === 'COMPLIANT') verdictsCompliant++;
      else if (r.verdict.status === 'NON_COMPLIANT') verdictsNonCompliant++;
      collect(r);
    }
    if (rpoDeadline !== undefined && rpoDeadline > input.at && rpoDeadline < nextDeadline) nextDeadline = rpoDeadline;
    resources.push({
      resourceId: resource.resourceId,
      name: resource.name,
      source: resource.source,
      declaredBy: resource.declaredBy,
      status,
      results,
    });
  }
  for (const r of input.undeclared) collect(r);

  findings.sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      (a.findingId < b.findingId ? -1 : a.findingId > b.findingId ? 1 : 0),
  );
  const current = new Set(findings.map((f) => f.findingId));
  const newFindings = findings.filter((f) => !previousOpened.has(f.findingId)).map((f) => f.findingId);
  const resolvedFindings = [...previousOpened.keys()].filter((id) => !current.has(id)).sort();

  const report: VerificationReport = {
    reportVersion: 1,
    tenantId: input.tenantId,
    runId: input.runId,
    strategy: input.strategy,
    evaluatedAt,
    counts: { resources: resources.length, compliant, nonCompliant, notApplicable, rules },
    compliancePercent: compliancePercent(verdictsCompliant, verdictsNonCompliant),
    resources,
    undeclared: [...input.undeclared],
    findings,
    newFindings,
    resolvedFindings,
  };
  if (input.previous !== undefined) {
    report.comparedTo = { runId: input.previous.runId, evaluatedAt: input.previous.evaluatedAt };
  }
  if (Number.isFinite(nextDeadline)) report.nextDeadline = toIso(nextDeadline);
  return report;
}

/** What one evaluated batch hands back through the workflow payload: counts only, a few hundred bytes. */
export interface BatchSummary {
  resources: number;
  /** Resources by worst verdict. */
  compliant: number;
  nonCompliant: number;
  notApplicable: number;
  /** (resource, rule) verdicts by status. */
  verdicts: { compliant: number; nonCompliant: number; notApplicable: number };
  findingsBySeverity: Record<Severity, number>;
  /** Earliest future RPO deadline in the batch, epoch ms. */
  nextDeadline?: number;
}

export function summariseBatch(resources: readonly ReportResourceInput[], at: number): BatchSummary {
  const summary: BatchSummary = {
    resources: 0,
    compliant: 0,
    nonCompliant: 0,
    notApplicable: 0,
    verdicts: { compliant: 0, nonCompliant: 0, notApplicable: 0 },
    findingsBySeverity: { critical: 0, high: 0, medium: 0, low: 0 },
  };
  let next = Number.POSITIVE_INFINITY;
  for (const { results, rpoDeadline } of resources) {
    summary.resources++;
    const status = resourceStatus(results);
    if (status === 'COMPLIANT') summary.compliant++;
    else if (status === 'NON_COMPLIANT') summary.nonCompliant++;
    else summary.notApplicable++;
    for (const r of results) {
      const v = r.verdict;
      if (v.status === 'COMPLIANT') summary.verdicts.compliant++;
      else if (v.status === 'NOT_APPLICABLE') summary.verdicts.notApplicable++;
      else {
        summary.verdicts.nonCompliant++;
        summary.findingsBySeverity[v.severity]++;
      }
    }
    if (rpoDeadline !== undefined && rpoDeadline > at && rpoDeadline < next) next = rpoDeadline;
  }
  if (Number.isFinite(next)) summary.nextDeadline = next;
  return summary;
}

export function mergeBatches(batches: readonly BatchSummary[]): BatchSummary {
  const merged: BatchSummary = {
    resources: 0,
    compliant: 0,
    nonCompliant: 0,
    notApplicable: 0,
    verdicts: { compliant: 0, nonCompliant: 0, notApplicable: 0 },
    findingsBySeverity: { critical: 0, high: 0, medium: 0, low: 0 },
  };
  let next = Number.POSITIVE_INFINITY;
  for (const b of batches) {
    merged.resources += b.resources;
    merged.compliant += b.compliant;
    merged.nonCompliant += b.nonCompliant;
    merged.notApplicable += b.notApplicable;
    merged.verdicts.compliant += b.verdicts.compliant;
    merged.verdicts.nonCompliant += b.verdicts.nonCompliant;
    merged.verdicts.notApplicable += b.verdicts.notApplicable;
    for (const s of ['critical', 'high', 'medium', 'low'] as const)
      merged.findingsBySeverity[s] += b.findingsBySeverity[s];
    if (b.nextDeadline !== undefined && b.nextDeadline < next) next = b.nextDeadline;
  }
  if (Number.isFinite(next)) merged.nextDeadline = next;
  return merged;
}
