/**
 * Reads what the SLA statement is computed from, through the ports: the verification history
 * (report summaries, then each report's RpoMet verdicts), the restore tests and the slots their
 * policies scheduled, the incidents, the dossier versions, and the audit log (the sequence numbers
 * the breaches cite, and the entries that make the dossier stale). core/sla/ does the arithmetic.
 */

import type { AuditDeps } from '../audit/ports.ts';
import { mapLimit } from '../concurrency.ts';
import type { DossierStore } from '../dossier/ports.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { incidentOf } from '../incidents/lifecycle.ts';
import type {
  BlobStore,
  FactStore,
  ReportStore,
  ReportSummary,
  StoredStrategyVersion,
  StrategyStore,
} from '../ports.ts';
import { parsePeriod, type ReportPeriod } from '../report/period.ts';
import { policyResources } from '../restore/coverage.ts';
import { slotsBetween } from '../restore/cron.ts';
import { restoreTestId } from '../restore/ids.ts';
import type { FindingStore, RestoreTestStore } from '../restore/ports.ts';
import { expressionOf } from '../restore/schedule.ts';
import { contextOf } from '../sla/context.ts';
import type { RpoSeries, SlaFacts, SlaIncident, SlaInput, SlaRestoreTest } from '../sla/types.ts';
import type { ContractSection } from '../strategy/contract-schema.ts';
import { parseDuration } from '../strategy/duration.ts';
import { resolveResources } from '../strategy/resolve.ts';
import type { StrategyDocument } from '../strategy/schema.ts';
import { parseStoredStrategy } from '../strategy/stored.ts';
import { subtractDuration } from '../time.ts';
import type { VerificationReport } from '../verify/report-types.ts';
import { parseRpoSidecar, type RpoSidecarRow, rpoRowsOf, rpoSidecarKeyOf } from '../verify/rpo-sidecar.ts';
import { findingIdOf } from './restore-test/keys.ts';

export interface SlaGatherDeps {
  strategies: Pick<StrategyStore, 'getCurrent'>;
  facts: Pick<FactStore, 'listSeenResources'>;
  reports: Pick<ReportStore, 'listReports'>;
  blobs: Pick<BlobStore, 'getText'>;
  restoreTests: Pick<RestoreTestStore, 'list'>;
  findings: Pick<FindingStore, 'list'>;
  dossiers: Pick<DossierStore, 'list'>;
  audit: AuditDeps;
}

/** Verification runs read per statement: a month of 5-minute sweeps is 8,640. */
export const MAX_HISTORY_REPORTS = 10_000;
/** A full report of 10,000 resources stays under this. */
const MAX_REPORT_BYTES = 64 * 1024 * 1024;
/** A sidecar of 10,000 resources is ~0.6 MB. */
const MAX_SIDECAR_BYTES = 8 * 1024 * 1024;

export interface SlaTenant {
  stored: StoredStrategyVersion;
  doc: StrategyDocument;
  contract: ContractSection;
}

export async function slaTenant(deps: Pick<SlaGatherDeps, 'strategies'>, tenantId: string): Promise<SlaTenant> {
  const stored = await deps.strategies.getCurrent(tenantId);
  if (!stored) throw new NotFoundError('StrategyNotFound', `no strategy for tenant '${tenantId}'`);
  const doc = parseStoredStrategy(stored).document;
  if (doc.contract === undefined) {
    throw new NotFoundError(
      'NoContract',
      `the strategy of '${tenantId}' (v${stored.version}) has no contract section: add one to compute SLA statements (docs/contract.md)`,
    );
  }
  return { stored, doc, contract: doc.contract };
}

/** `2026-11` or `2026-Q4`, matching the contract's measurement period. */
export function slaPeriod(text: string, doc: StrategyDocument, contract: ContractSection): ReportPeriod {
  const period = parsePeriod(text, doc.timezone);
  const wanted = contract.measurementPeriod;
  if (period.kind !== wanted) {
    throw new ValidationError('InvalidPeriod', [
      {
        file: '<command line>',
        path: 'period',
        message: `contract ${contract.reference} is measured by ${wanted}: expected ${wanted === 'month' ? 'YYYY-MM (e.g. 2026-11)' : 'YYYY-Qn (e.g. 2026-Q4)'}, got "${text.slice(0, 32)}"`,
      },
    ]);
  }
  return period;
}

/** The measurement period holding `at` (for the standing so far). */
export function currentSlaPeriod(at: number, doc: StrategyDocument, contract: ContractSection): ReportPeriod {
  const local: Record<string, string> = {};
  for (const p of new Intl.DateTimeFormat('en-CA', {
    timeZone: doc.timezone,
    year: 'numeric',
    month: '2-digit',
  }).formatToParts(at))
    local[p.type] = p.value;
  const label =
    contract.measurementPeriod === 'month'
      ? `${local.year}-${local.month}`
      : `${local.year}-Q${Math.floor((Number(local.month) - 1) / 3) + 1}`;
  return parsePeriod(label, doc.timezone);
}

export interface AuditIndex {
  findingSeqs: Map<string, number[]>;
  dossierChanges: { at: number; seq: number; type: string }[];
  dossierSeqs: Map<number, number>;
}

export async function gatherSlaInput(
  deps: SlaGatherDeps,
  tenant: SlaTenant,
  tenantId: string,
  period: ReportPeriod,
  asOf: number,
): Promise<SlaInput> {
  const { doc, contract } = tenant;
  const base: SlaInput = {
    tenantId,
    contract,
    timeZone: doc.timezone,
    period: { label: period.label, from: period.from, to: period.to },
    asOf,
    facts: emptyFacts(),
  };
  const { from, end } = contextOf(base);
  const coverageFrom =
    contract.levels.restoreTests?.coverage === undefined
      ? from
      : Math.min(from, subtractDuration(end, parseDuration(contract.levels.restoreTests.coverage), doc.timezone));
  const [rpo, tests, records, versions, index, seen] = await Promise.all([
    rpoHistory(deps, tenantId, from, end),
    deps.restoreTests.list(tenantId, { from: new Date(coverageFrom).toISOString(), to: new Date(end).toISOString() }),
    deps.findings.list(tenantId),
    deps.dossiers.list(tenantId),
    auditIndex(deps.audit, tenantId, end),
    deps.facts.listSeenResources(tenantId),
  ]);
  const { declared } = resolveResources(doc, seen);
  const resourceSources: Record<string, string> = {};
  for (const r of declared) if (r.source !== undefined) resourceSources[r.resourceId] = r.source;

  const scheduledTests: SlaFacts['scheduledTests'][number][] = [];
  const coverage: SlaFacts['coverage'][number][] = [];
  for (const policy of doc.restoreTests?.policies ?? []) {
    const resources = policyResources(policy, declared);
    const slots = slotsBetween(expressionOf(policy), doc.timezone, from, end);
    for (const r of resources) {
      coverage.push({ policyName: policy.name, resourceId: r.resourceId });
      for (const scheduledAt of slots)
        scheduledTests.push({
          testId: restoreTestId({ tenantId, resourceId: r.resourceId, scheduledAt }),
          resourceId: r.resourceId,
          policyName: policy.name,
          scheduledAt,
        });
    }
  }
  const restoreTests: SlaRestoreTest[] = tests.map((t) => ({
    testId: t.testId,
    resourceId: t.resourceId,
    policyName: t.policyName,
    scheduledAt: Date.parse(t.scheduledAt),
    startedAt: Date.parse(t.startedAt),
    outcome: t.outcome,
    ...(t.rtoMs === undefined ? {} : { rtoMs: t.rtoMs }),
    ...(t.auditSeq === undefined ? {} : { auditSeq: t.auditSeq }),
    ...(t.outcome === 'PASSED' ? {} : { findingId: findingIdOf(t.testId) }),
  }));
  const incidents: SlaIncident[] = records.map((r) => ({
    ...incidentOf(r),
    auditSeqs: index.findingSeqs.get(r.findingId) ?? [],
  }));
  return {
    ...base,
    facts: {
      rpo,
      restoreTests,
      scheduledTests,
      coverage,
      resourceSources,
      incidents,
      dossier: {
        versions: versions.map((v) => {
          const auditSeq = v.auditSeq ?? index.dossierSeqs.get(v.version);
          return {
            version: v.version,
            createdAt: Date.parse(v.createdAt),
            requestedAt: requestedAtOf(v.exportId) ?? Date.parse(v.createdAt),
            ...(auditSeq === undefined ? {} : { auditSeq }),
          };
        }),
        changes: index.dossierChanges,
      },
    },
  };
}

function emptyFacts(): SlaFacts {
  return {
    rpo: { runIds: [], resources: [] },
    restoreTests: [],
    scheduledTests: [],
    coverage: [],
    resourceSources: {},
    incidents: [],
    dossier: { versions: [], changes: [] },
  };
}

/** `dossier-<tenant>-20261103T1000Z`: the minute the export was asked for. */
function requestedAtOf(exportId: string): number | undefined {
  const m = /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z$/.exec(exportId);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
}

/** Sidecars (or older full reports) read at once: enough to hide S3 latency, few enough for a Lambda. */
export const HISTORY_READS_IN_FLIGHT = 8;

/**
 * The runs of [from, end) and the last one before, oldest first, as columnar series per resource.
 * Lists only those runs (two key-range reads) and reads each run's RPO sidecar; a run persisted
 * before sidecars existed falls back to its full report.
 */
export async function rpoHistory(
  deps: Pick<SlaGatherDeps, 'reports' | 'blobs'>,
  tenantId: string,
  from: number,
  end: number,
): Promise<SlaFacts['rpo']> {
  const [inPeriod, before] = await Promise.all([
    deps.reports.listReports(tenantId, MAX_HISTORY_REPORTS, {
      from: new Date(from).toISOString(),
      to: new Date(end).toISOString(),
    }),
    deps.reports.listReports(tenantId, 1, { to: new Date(from).toISOString() }),
  ]);
  const runs = [...new Map([...before, ...inPeriod].map((s) => [s.reportKey, s])).values()]
    .map((s) => ({ s, at: Date.parse(s.evaluatedAt) }))
    .filter((r) => r.at < end)
    .sort((a, b) => a.at - b.at || (a.s.runId < b.s.runId ? -1 : 1));
  // Stores that ignore the range (test doubles, older adapters) still give the same runs.
  const firstIn = runs.findIndex((r) => r.at >= from);
  const start = firstIn === -1 ? runs.length - 1 : Math.max(0, firstIn - 1);
  const kept = runs.slice(Math.max(0, start));
  const rows = await mapLimit(kept, HISTORY_READS_IN_FLIGHT, (r) => runRows(deps.blobs, r.s));
  const byResource = new Map<string, { at: number[]; lastGoodAt: number[]; deadline: number[]; run: number[] }>();
  for (let i = 0; i < kept.length; i++) {
    for (const [resourceId, lastGoodAt, deadline] of rows[i]!) {
      let series = byResource.get(resourceId);
      if (!series) {
        series = { at: [], lastGoodAt: [], deadline: [], run: [] };
        byResource.set(resourceId, series);
      }
      series.at.push(kept[i]!.at);
      series.lastGoodAt.push(lastGoodAt ?? Number.NaN);
      series.deadline.push(deadline ?? Number.NaN);
      series.run.push(i);
    }
  }
  const resources: RpoSeries[] = [...byResource.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([resourceId, s]) => ({ resourceId, ...s }));
  return { runIds: kept.map((r) => r.s.runId), resources };
}

/** One run's RPO rows: its sidecar, else (a run from before sidecars) its full report. */
async function runRows(blobs: Pick<BlobStore, 'getText'>, summary: ReportSummary): Promise<RpoSidecarRow[]> {
  try {
    const rows = parseRpoSidecar(
      await blobs.getText(rpoSidecarKeyOf(summary.reportKey), MAX_SIDECAR_BYTES),
      summary.runId,
    );
    if (rows) return rows;
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
  return rpoRowsOf(JSON.parse(await blobs.getText(summary.reportKey, MAX_REPORT_BYTES)) as VerificationReport);
}

/** One pass over the log: what the breaches cite and when the dossier's inputs changed. */
export async function auditIndex(audit: AuditDeps, tenantId: string, end: number): Promise<AuditIndex> {
  const findingSeqs = new Map<string, number[]>();
  const dossierChanges: AuditIndex['dossierChanges'] = [];
  const dossierSeqs = new Map<number, number>();
  for await (const stored of audit.store.listEntries(tenantId, 1)) {
    const entry = JSON.parse(stored.body) as {
      seq: number;
      time: string;
      type: string;
      summary: Record<string, unknown>;
    };
    const at = Date.parse(entry.time);
    if (at >= end) continue;
    if (entry.type === 'finding-update' && typeof entry.summary.findingId === 'string') {
      const list = findingSeqs.get(entry.summary.findingId) ?? [];
      list.push(entry.seq);
      findingSeqs.set(entry.summary.findingId, list);
    } else if (entry.type === 'strategy-change' || entry.type === 'restore-test') {
      dossierChanges.push({ at, seq: entry.seq, type: entry.type });
    } else if (entry.type === 'dossier-export' && typeof entry.summary.version === 'number') {
      dossierSeqs.set(entry.summary.version, entry.seq);
    }
  }
  return { findingSeqs, dossierChanges, dossierSeqs };
}
