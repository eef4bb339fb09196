/**
 * The four steps of the verify workflow (statemachines/verify-backups.asl.json), as plain functions
 * over ports. Each Lambda handler calls one of them; the local ASL runner calls the same ones.
 * Payloads between steps carry keys, never data: the plan, batch results and report are blobs
 * under runs/<tenant>/<runId>/ and reports/<tenant>/, because a Step Functions payload is capped at
 * 256 KiB and a tenant may have thousands of resources.
 */

import type { AuditDeps } from '../audit/ports.ts';
import { InternalError, NotFoundError, ValidationError } from '../errors.ts';
import type { ReversaEvent, ReversaEventSink, ReversaEventType } from '../events/catalogue.ts';
import { incidentPolicyOf, opensIncident } from '../incidents/policy.ts';
import type { ResourceFacts } from '../model.ts';
import {
  type BlobStore,
  type Clock,
  type FactStore,
  LATE_LISTED,
  type ReportStore,
  type ReportSummary,
  type StrategyStore,
  type TenantStore,
} from '../ports.ts';
import type { RuleResult } from '../rules/types.ts';
import type { IncidentsSection } from '../strategy/incidents-schema.ts';
import type { DeclaredResource, StrategyVersionRef } from '../strategy/policy.ts';
import { resolveResources } from '../strategy/resolve.ts';
import { TENANT_ID_PATTERN } from '../strategy/schema.ts';
import { parseStoredStrategy } from '../strategy/stored.ts';
import { evaluateResourceWithDeadline, evaluateUndeclared, factsSince } from '../verify/evaluate.ts';
import { buildReport, type ReportResourceInput } from '../verify/report.ts';
import type { Finding, VerificationReport } from '../verify/report-types.ts';
import { rpoSidecarKeyOf, rpoSidecarOf } from '../verify/rpo-sidecar.ts';
import { recordInAuditLog } from './audit-trail.ts';
import { type IncidentDeps, syncVerificationIncidents } from './incidents.ts';

export interface VerifyDeps {
  strategies: Pick<StrategyStore, 'getCurrent'>;
  facts: Pick<FactStore, 'getFacts' | 'listSeenResources'>;
  blobs: BlobStore;
  reports: ReportStore;
  tenants: Pick<TenantStore, 'markVerified'>;
  clock: Clock;
  /** Each completed verification run is recorded in the tenant's audit log. */
  audit: AuditDeps;
  /** Serious new findings open incidents; findings gone resolve them. */
  findings: IncidentDeps['findings'];
  /** Where incident events go (the notification outbox); none: nobody is told. */
  notifications?: ReversaEventSink;
  /** Resources per Map iteration. Default 100: ~100 getFacts reads fit one Lambda invocation comfortably. */
  batchSize?: number;
}

/** The execution input (what a VerifyStarter sends). */
export interface VerifyInput {
  tenantId: string;
  /** ISO-8601 evaluation time; default: now. */
  at?: string;
  reason?: string;
  /** Explicit run id; default: the execution name, else derived from tenant and time. */
  runId?: string;
}

export interface LoadStrategyInput {
  input: VerifyInput;
  /** `$$.Execution.Name`: unique per execution and deterministic for sweeps, so a retried step reuses its keys. */
  executionName?: string;
}

export interface LoadStrategyOutput {
  tenantId: string;
  runId: string;
  at: string;
  planKey: string;
  strategyVersion: number;
  resourceCount: number;
  batchCount: number;
  /** 0..batchCount-1, the Map's items. */
  batches: number[];
}

export interface EvaluateBatchInput {
  tenantId: string;
  runId: string;
  planKey: string;
  batch: number;
}

export interface EvaluateBatchOutput {
  batch: number;
  resources: number;
  nonCompliant: number;
}

export interface AggregateInput {
  tenantId: string;
  runId: string;
  planKey: string;
  batchCount: number;
}

export interface AggregateOutput {
  tenantId: string;
  runId: string;
  reportKey: string;
  summaryKey: string;
}

export interface PersistInput {
  tenantId: string;
  runId: string;
  summaryKey: string;
}

/** The small detail of the `Reversa Verification Completed` event, and the execution's output. */
export interface VerificationCompletedDetail {
  tenantId: string;
  runId: string;
  evaluatedAt: string;
  strategyVersion: number;
  compliancePercent: number;
  findings: number;
  newFindings: number;
  resolvedFindings: number;
  /** Incidents this run opened, reopened and resolved. */
  incidents: { opened: number; reopened: number; resolved: number };
  reportKey: string;
}

export interface PersistOutput {
  tenantId: string;
  runId: string;
  detail: VerificationCompletedDetail;
}

/** What LoadStrategy writes to runs/<tenant>/<runId>/plan.json. */
export interface VerifyPlan {
  planVersion: 1;
  tenantId: string;
  runId: string;
  /** ISO-8601 evaluation time shared by every batch. */
  at: string;
  timeZone: string;
  strategy: StrategyVersionRef;
  batchSize: number;
  resources: DeclaredResource[];
  /** Drift verdicts for seen-but-undeclared resources, computed once here. */
  undeclared: RuleResult[];
  excluded: string[];
  /** The strategy's incidents section (absent from plans written before incidents existed). */
  incidents?: IncidentsSection;
}

/** What Aggregate writes to runs/<tenant>/<runId>/incidents.json: the findings Persist turns into incident changes. */
export interface RunIncidentInput {
  /** New findings at or above the policy's severity. */
  newFindings: Finding[];
  /** Report finding ids (resource#rule) gone since the previous run. */
  resolvedFindingIds: string[];
}

/** What EvaluateBatch writes to runs/<tenant>/<runId>/batch-<n>.json. */
export interface BatchResult {
  batch: number;
  results: { resourceId: string; results: RuleResult[]; rpoDeadline?: number }[];
}

export const DEFAULT_BATCH_SIZE = 100;
/** Bounds on what we read back from our own blobs: a corrupted or hostile object cannot exhaust memory. */
const MAX_PLAN_BYTES = 256 * 1024 * 1024;
const MAX_BATCH_BYTES = 64 * 1024 * 1024;
const MAX_REPORT_BYTES = 256 * 1024 * 1024;
const RUN_ID = /^[A-Za-z0-9_-]{1,80}$/;

export const runPrefix = (tenantId: string, runId: string): string => `runs/${tenantId}/${runId}/`;
export const planKeyOf = (tenantId: string, runId: string): string => `${runPrefix(tenantId, runId)}plan.json`;
export const batchKeyOf = (tenantId: string, runId: string, batch: number): string =>
  `${runPrefix(tenantId, runId)}batch-${batch}.json`;
export const summaryKeyOf = (tenantId: string, runId: string): string => `${runPrefix(tenantId, runId)}summary.json`;
export const incidentsKeyOf = (tenantId: string, runId: string): string =>
  `${runPrefix(tenantId, runId)}incidents.json`;

/** `20260129T134501Z`: sortable, and without the `:` that makes keys awkward in shells and URLs. */
export function compactUtc(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

export const reportKeyOf = (tenantId: string, evaluatedAt: number, runId: string): string =>
  `reports/${tenantId}/${compactUtc(evaluatedAt)}-${runId}.json`;

function bad(path: string, message: string): ValidationError {
  return new ValidationError('BadVerifyInput', [{ file: '<verify input>', path, message }]);
}

function checkTenantId(tenantId: unknown, path = 'tenantId'): string {
  if (typeof tenantId !== 'string' || !TENANT_ID_PATTERN.test(tenantId)) {
    throw bad(path, 'expected a tenant id matching ^[a-z0-9][a-z0-9-]{0,62}$');
  }
  return tenantId;
}

function checkRunId(runId: unknown): string {
  if (typeof runId !== 'string' || !RUN_ID.test(runId)) throw bad('runId', 'expected 1-80 characters [A-Za-z0-9_-]');
  return runId;
}

function checkKeyInRun(key: unknown, tenantId: string, runId: string, path: string): string {
  // Keys come from our own previous step; refusing others keeps a forged input from reading another tenant's blobs.
  if (typeof key !== 'string' || !key.startsWith(runPrefix(tenantId, runId))) {
    throw bad(path, `expected a key under ${runPrefix(tenantId, runId)}`);
  }
  return key;
}

/** A key-safe run id: the given one, else the execution name, else `verify-<tenant>-<compact at>`. */
export function runIdFor(tenantId: string, at: number, given?: string): string {
  const raw = given ?? `verify-${tenantId}-${compactUtc(at)}`;
  return raw.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80);
}

function parseAt(at: string | undefined, clock: Clock): number {
  if (at === undefined) return clock.now();
  const ms = typeof at === 'string' ? Date.parse(at) : Number.NaN;
  if (!Number.isFinite(ms)) throw bad('at', 'expected an ISO-8601 date-time like 2026-01-29T13:45:00Z');
  return ms;
}

async function readJson<T>(blobs: BlobStore, key: string, maxBytes: number): Promise<T> {
  return JSON.parse(await blobs.getText(key, maxBytes)) as T;
}

async function putJson(blobs: BlobStore, key: string, value: unknown): Promise<void> {
  await blobs.putText(key, JSON.stringify(value), 'application/json');
}

/** Step 1: resolve the current strategy against the seen resources and write the run's plan. */
export async function loadStrategy(deps: VerifyDeps, event: LoadStrategyInput): Promise<LoadStrategyOutput> {
  const input = event?.input;
  const tenantId = checkTenantId(input?.tenantId, 'input.tenantId');
  const at = parseAt(input.at, deps.clock);
  const runId = runIdFor(tenantId, at, input.runId ?? event.executionName);

  const stored = await deps.strategies.getCurrent(tenantId);
  if (!stored) throw new NotFoundError('NoStrategy', `tenant ${tenantId} has no applied strategy`);
  const { document } = parseStoredStrategy(stored);
  const seen = await deps.facts.listSeenResources(tenantId);
  const { declared, undeclared, excluded } = resolveResources(document, seen);

  const batchSize = Math.max(1, Math.floor(deps.batchSize ?? DEFAULT_BATCH_SIZE));
  const plan: VerifyPlan = {
    planVersion: 1,
    tenantId,
    runId,
    at: new Date(at).toISOString(),
    timeZone: document.timezone,
    strategy: { tenantId, version: stored.version, contentSha256: stored.contentSha256 },
    batchSize,
    resources: declared,
    undeclared: evaluateUndeclared(undeclared, at),
    excluded,
    ...(document.incidents === undefined ? {} : { incidents: document.incidents }),
  };
  const planKey = planKeyOf(tenantId, runId);
  await putJson(deps.blobs, planKey, plan);

  const batchCount = Math.ceil(declared.length / batchSize);
  return {
    tenantId,
    runId,
    at: plan.at,
    planKey,
    strategyVersion: stored.version,
    resourceCount: declared.length,
    batchCount,
    batches: Array.from({ length: batchCount }, (_, i) => i),
  };
}

function earliestSince(resources: readonly DeclaredResource[], at: number, timeZone: string): number {
  let since = Number.POSITIVE_INFINITY;
  for (const r of resources) since = Math.min(since, factsSince(r, at, timeZone));
  return Number.isFinite(since) ? since : at;
}

const NO_FACTS: ResourceFacts = { jobs: [], recoveryPoints: [] };

/** Step 2 (one Map iteration): evaluate the rules for one slice of the plan and write its results. */
export async function evaluateBatch(deps: VerifyDeps, input: EvaluateBatchInput): Promise<EvaluateBatchOutput> {
  const tenantId = checkTenantId(input?.tenantId);
  const runId = checkRunId(input.runId);
  const planKey = checkKeyInRun(input.planKey, tenantId, runId, 'planKey');
  if (!Number.isInteger(input.batch) || input.batch < 0) throw bad('batch', 'expected a batch number >= 0');

  const plan = await readJson<VerifyPlan>(deps.blobs, planKey, MAX_PLAN_BYTES);
  const at = Date.parse(plan.at);
  const slice = plan.resources.slice(input.batch * plan.batchSize, (input.batch + 1) * plan.batchSize);
  const since = earliestSince(slice, at, plan.timeZone);
  const facts = await deps.facts.getFacts(
    tenantId,
    slice.map((r) => r.resourceId),
    since,
  );

  let nonCompliant = 0;
  const results = slice.map((resource) => {
    const evaluation = evaluateResourceWithDeadline(
      resource,
      facts.get(resource.resourceId) ?? NO_FACTS,
      at,
      plan.timeZone,
    );
    if (evaluation.results.some((r) => r.verdict.status === 'NON_COMPLIANT')) nonCompliant++;
    return evaluation;
  });
  const out: BatchResult = { batch: input.batch, results };
  await putJson(deps.blobs, batchKeyOf(tenantId, runId, input.batch), out);
  return { batch: input.batch, resources: slice.length, nonCompliant };
}

async function previousReport(
  deps: VerifyDeps,
  tenantId: string,
  runId: string,
): Promise<VerificationReport | undefined> {
  // A rerun of this very run (a retried Aggregate after Persist) must compare with the run before it.
  const candidates = await deps.reports.listReports(tenantId, 2);
  const previous = candidates.find((s) => s.runId !== runId);
  if (!previous) return undefined;
  return readJson<VerificationReport>(deps.blobs, previous.reportKey, MAX_REPORT_BYTES);
}

/** Step 3: gather the batch results, compare with the previous report, write the report and its summary. */
export async function aggregate(deps: VerifyDeps, input: AggregateInput): Promise<AggregateOutput> {
  const tenantId = checkTenantId(input?.tenantId);
  const runId = checkRunId(input.runId);
  const planKey = checkKeyInRun(input.planKey, tenantId, runId, 'planKey');
  const plan = await readJson<VerifyPlan>(deps.blobs, planKey, MAX_PLAN_BYTES);
  const expected = Math.ceil(plan.resources.length / plan.batchSize);
  if (input.batchCount !== expected) throw bad('batchCount', `expected ${expected} batches for this plan`);

  const evaluated = new Map<string, BatchResult['results'][number]>();
  for (let batch = 0; batch < expected; batch++) {
    const b = await readJson<BatchResult>(deps.blobs, batchKeyOf(tenantId, runId, batch), MAX_BATCH_BYTES);
    for (const r of b.results) evaluated.set(r.resourceId, r);
  }
  const resources: ReportResourceInput[] = plan.resources.map((resource) => {
    const e = evaluated.get(resource.resourceId);
    if (!e) throw new InternalError('MissingBatchResult', `no batch result for resource ${resource.resourceId}`);
    return e.rpoDeadline === undefined
      ? { resource, results: e.results }
      : { resource, results: e.results, rpoDeadline: e.rpoDeadline };
  });

  const at = Date.parse(plan.at);
  const previous = await previousReport(deps, tenantId, runId);
  const report = buildReport({
    tenantId,
    runId,
    strategy: plan.strategy,
    at,
    resources,
    undeclared: plan.undeclared,
    timeZone: plan.timeZone,
    ...(previous === undefined ? {} : { previous }),
  });
  const reportKey = reportKeyOf(tenantId, at, runId);
  await putJson(deps.blobs, reportKey, report);
  // Before Persist indexes the run, so every listed run written from now on has its sidecar.
  await putJson(deps.blobs, rpoSidecarKeyOf(reportKey), rpoSidecarOf(report));

  const summary: ReportSummary = {
    tenantId,
    runId,
    evaluatedAt: report.evaluatedAt,
    strategyVersion: report.strategy.version,
    compliancePercent: report.compliancePercent,
    counts: {
      resources: report.counts.resources,
      compliant: report.counts.compliant,
      nonCompliant: report.counts.nonCompliant,
      notApplicable: report.counts.notApplicable,
      findings: report.findings.length,
    },
    newFindings: report.newFindings.length,
    resolvedFindings: report.resolvedFindings.length,
    reportKey,
    ...(report.nextDeadline === undefined ? {} : { nextDeadline: report.nextDeadline }),
    findingsBySeverity: countBySeverity(report.findings),
    // The dashboard's "late now" without reading the whole report: missed RPOs, most severe first.
    late: report.findings
      .filter((f) => f.ruleId === 'RpoMet')
      .slice(0, LATE_LISTED)
      .map((f) => ({ resourceId: f.resourceId, ruleId: f.ruleId, summary: f.summary })),
  };
  const policy = incidentPolicyOf(plan.incidents, plan.timeZone);
  const newIds = new Set(report.newFindings);
  const incidents: RunIncidentInput = {
    newFindings: report.findings.filter((f) => newIds.has(f.findingId) && opensIncident(policy, f.severity)),
    resolvedFindingIds: report.resolvedFindings,
  };
  await putJson(deps.blobs, incidentsKeyOf(tenantId, runId), incidents);
  const summaryKey = summaryKeyOf(tenantId, runId);
  await putJson(deps.blobs, summaryKey, summary);
  return { tenantId, runId, reportKey, summaryKey };
}

/** Step 4: index the report and tell the sweep when to look again. Idempotent per run. */
export async function persist(deps: VerifyDeps, input: PersistInput): Promise<PersistOutput> {
  const tenantId = checkTenantId(input?.tenantId);
  const runId = checkRunId(input.runId);
  const summaryKey = checkKeyInRun(input.summaryKey, tenantId, runId, 'summaryKey');
  const summary = await readJson<ReportSummary>(deps.blobs, summaryKey, MAX_BATCH_BYTES);

  await deps.reports.putReport(summary);
  const incidents = await syncIncidents(deps, tenantId, runId, Date.parse(summary.evaluatedAt));
  const nextDeadline = summary.nextDeadline === undefined ? undefined : Date.parse(summary.nextDeadline);
  await deps.tenants.markVerified(tenantId, Date.parse(summary.evaluatedAt), nextDeadline);
  // The entry hashes the summary, which names the full report's key: the report itself stays in S3.
  await recordInAuditLog(
    deps.audit,
    tenantId,
    {
      type: 'verification',
      record: summary,
      summary: {
        runId,
        strategyVersion: summary.strategyVersion,
        compliancePercent: summary.compliancePercent,
        findings: summary.counts.findings,
        reportKey: summary.reportKey,
      },
      time: deps.clock.now(),
    },
    // A retried (or re-run) Persist records its run once.
    { once: `verification:${runId}` },
  );

  return {
    tenantId,
    runId,
    detail: {
      tenantId,
      runId,
      evaluatedAt: summary.evaluatedAt,
      strategyVersion: summary.strategyVersion,
      compliancePercent: summary.compliancePercent,
      findings: summary.counts.findings,
      newFindings: summary.newFindings,
      resolvedFindings: summary.resolvedFindings,
      incidents,
      reportKey: summary.reportKey,
    },
  };
}

/** Incident changes of the run (opened, reopened, resolved), from what Aggregate wrote; none for older runs. */
async function syncIncidents(deps: VerifyDeps, tenantId: string, runId: string, at: number) {
  const key = incidentsKeyOf(tenantId, runId);
  if (!(await deps.blobs.exists(key))) return { opened: 0, reopened: 0, resolved: 0 };
  const input = await readJson<RunIncidentInput>(deps.blobs, key, MAX_BATCH_BYTES);
  const plan = await readJson<VerifyPlan>(deps.blobs, planKeyOf(tenantId, runId), MAX_PLAN_BYTES);
  const changes = await syncVerificationIncidents(
    { findings: deps.findings, audit: deps.audit, ...(deps.notifications ? { events: deps.notifications } : {}) },
    tenantId,
    { runId, at, newFindings: input.newFindings, resolvedFindingIds: input.resolvedFindingIds },
    incidentPolicyOf(plan.incidents, plan.timeZone),
  );
  if (deps.notifications) {
    for (const event of findingEvents(tenantId, input.newFindings)) await deps.notifications.emit(event);
  }
  return { opened: changes.opened.length, reopened: changes.reopened.length, resolved: changes.resolved.length };
}

/** The rules whose new findings are told as their own event, whatever the incident policy. */
const FINDING_EVENTS: Readonly<Record<string, ReversaEventType>> = {
  RpoMet: 'reversa.backup.deadline-missed',
  DurationAnomaly: 'reversa.anomaly.detected',
  SizeAnomaly: 'reversa.anomaly.detected',
};

/**
 * A missed RPO deadline and an anomaly are told when they first appear (a new finding of the run).
 * The id is the finding and the time it opened, so a re-run Persist emits the same event, and the
 * same problem appearing again after it was fixed is a new one.
 */
export function findingEvents(tenantId: string, newFindings: readonly Finding[]): ReversaEvent[] {
  const events: ReversaEvent[] = [];
  for (const f of newFindings) {
    const type = FINDING_EVENTS[f.ruleId];
    if (!type) continue;
    events.push({
      id: `${tenantId}:${f.findingId}:${f.openedAt}:${type}`,
      type,
      tenantId,
      time: f.openedAt,
      severity: f.severity,
      subject: f.resourceId,
      summary: `${f.resourceId}: ${f.summary}`.slice(0, 300),
      data: { resourceId: f.resourceId, ruleId: f.ruleId, findingId: f.findingId },
    });
  }
  return events;
}

function countBySeverity(findings: readonly { severity: 'low' | 'medium' | 'high' | 'critical' }[]) {
  const counts: Partial<Record<'low' | 'medium' | 'high' | 'critical', number>> = {};
  for (const f of findings) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
  return counts;
}
