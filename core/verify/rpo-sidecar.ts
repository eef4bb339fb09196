/**
 * The RPO sidecar of a verification report: per run, only what SLA statements need from it (for
 * each resource with an applicable RpoMet verdict: its id, last good recovery point and deadline).
 * A full report of a 1,000-resource tenant is megabytes and a month holds hundreds of runs; the
 * sidecar is ~50 bytes a resource, so the statement and the standing so far read it instead.
 * It sits next to the report (same reports/<tenant>/ prefix, so the same tenant grants) and is
 * derived from the report alone: a retried or re-run Aggregate writes the same bytes to the same key.
 */
import type { VerificationReport } from './report-types.ts';

/** `[resourceId, lastGoodAtMs | null, deadlineMs | null]`; null where the verdict has none. */
export type RpoSidecarRow = [string, number | null, number | null];

export interface RpoSidecar {
  sidecarVersion: 1;
  runId: string;
  /** ISO-8601, as in the report. */
  evaluatedAt: string;
  resources: RpoSidecarRow[];
}

/** `reports/acme/20261103T100000Z-run.json` → `reports/acme/20261103T100000Z-run.rpo.json`. */
export function rpoSidecarKeyOf(reportKey: string): string {
  return `${reportKey.endsWith('.json') ? reportKey.slice(0, -'.json'.length) : reportKey}.rpo.json`;
}

const msOrNull = (text: unknown): number | null => {
  const ms = typeof text === 'string' && text !== '' ? Date.parse(text) : Number.NaN;
  return Number.isFinite(ms) ? ms : null;
};

/** The rows of a full report, in report order: the one reading both sidecars and older full reports share. */
export function rpoRowsOf(report: Pick<VerificationReport, 'resources'>): RpoSidecarRow[] {
  const rows: RpoSidecarRow[] = [];
  for (const resource of report.resources) {
    const rpo = resource.results.find((r) => r.ruleId === 'RpoMet');
    if (!rpo || rpo.verdict.status === 'NOT_APPLICABLE') continue;
    const evidence = (rpo.verdict.evidence ?? {}) as { lastGoodAt?: unknown; deadline?: unknown };
    rows.push([resource.resourceId, msOrNull(evidence.lastGoodAt), msOrNull(evidence.deadline)]);
  }
  return rows;
}

export function rpoSidecarOf(report: VerificationReport): RpoSidecar {
  return { sidecarVersion: 1, runId: report.runId, evaluatedAt: report.evaluatedAt, resources: rpoRowsOf(report) };
}

/** The rows of a stored sidecar, or undefined when it is not one this code wrote (then read the report). */
export function parseRpoSidecar(text: string, runId: string): RpoSidecarRow[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const s = value as Partial<RpoSidecar> | null;
  if (s?.sidecarVersion !== 1 || s.runId !== runId || !Array.isArray(s.resources)) return undefined;
  return s.resources;
}
