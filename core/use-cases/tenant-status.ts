/**
 * One tenant at a glance, as `reversa status`, the reports and the portal's dashboard show it:
 * strategy version, compliance, findings, next deadline, restore tests of the last 30 days, and
 * dossier readiness (ready / stale with what changed / never exported).
 */

import type { CurrentInputsOptions } from '../dossier/assemble-inputs.ts';
import type { ReportStore, ReportSummary, StrategyStore, TenantStore } from '../ports.ts';
import type { FindingStore, RestoreTestStore, RestoreTestSummary } from '../restore/ports.ts';
import { parseStoredStrategy } from '../strategy/stored.ts';
import { type DossierReadinessDeps, dossierReadiness } from './dossier-readiness.ts';

export interface RestoreTestStanding {
  /** Tests recorded in the last 30 days. */
  last30Days: number;
  passed: number;
  failed: number;
  lastOutcome: string | null;
  lastTestAt: string | null;
  openFindings: number;
}

export interface DossierStanding {
  /** ready: the latest version reflects today's inputs; stale: something changed since; never-exported. */
  readiness: string;
  changed: string[];
  lastVersion: number | null;
  lastExportedAt: string | null;
}

export interface TenantStatus {
  id: string;
  name: string;
  strategyVersion: number | null;
  compliancePercent: number | null;
  lastVerifiedAt: string | null;
  openFindings: number | null;
  newFindings: number | null;
  nextDeadline: string | null;
  /** New facts arrived since the last verification. */
  pendingFacts: boolean;
  restoreTests: RestoreTestStanding;
  dossier: DossierStanding;
}

export interface TenantStatusDeps extends DossierReadinessDeps {
  strategies: Pick<StrategyStore, 'getCurrent'>;
  reports: Pick<ReportStore, 'getLatest'>;
  tenants: Pick<TenantStore, 'get'>;
  restoreTests: Pick<RestoreTestStore, 'list' | 'outcomesSince'>;
  findings: Pick<FindingStore, 'list'>;
}

const DAY = 86_400_000;
/** How many of the newest tests tenantStatusWithReport returns (the dashboard's last RTOs). */
export const RECENT_TESTS = 10;

export async function restoreTestStanding(
  deps: { restoreTests: Pick<RestoreTestStore, 'outcomesSince'>; findings: Pick<FindingStore, 'list'> },
  tenantId: string,
  now: number,
): Promise<RestoreTestStanding> {
  const from = new Date(now - 30 * DAY).toISOString();
  const [tests, open] = await Promise.all([
    deps.restoreTests.outcomesSince(tenantId, from),
    deps.findings.list(tenantId, { status: 'OPEN', source: 'restore-test' }),
  ]);
  return {
    last30Days: tests.length,
    passed: tests.filter((t) => t.outcome === 'PASSED').length,
    failed: tests.filter((t) => t.outcome !== 'PASSED').length,
    lastOutcome: tests[0]?.outcome ?? null,
    lastTestAt: tests[0]?.startedAt ?? null,
    openFindings: open.length,
  };
}

export async function dossierStanding(
  deps: DossierReadinessDeps,
  tenantId: string,
  now: number,
  options: CurrentInputsOptions = {},
): Promise<DossierStanding> {
  const r = await dossierReadiness(deps, tenantId, now, options);
  return {
    readiness: r.status,
    changed: r.changed,
    lastVersion: r.lastVersion ?? null,
    lastExportedAt: r.lastExportedAt === undefined ? null : new Date(r.lastExportedAt).toISOString(),
  };
}

export async function tenantStatus(deps: TenantStatusDeps, tenantId: string, now: number): Promise<TenantStatus> {
  return (await tenantStatusWithReport(deps, tenantId, now)).status;
}

/**
 * The status with the latest report summary and the newest tests it was computed from (the
 * portal's dashboard shows more of them): each store read once per call, the strategy version and
 * the newest test shared with dossier readiness.
 */
export async function tenantStatusWithReport(
  deps: TenantStatusDeps,
  tenantId: string,
  now: number,
): Promise<{ status: TenantStatus; latest: ReportSummary | undefined; recentTests: RestoreTestSummary[] }> {
  const current = deps.strategies.getCurrent(tenantId);
  const recent = deps.restoreTests.list(tenantId, { limit: RECENT_TESTS });
  const [strategy, latest, state, restoreTests, dossier, recentTests] = await Promise.all([
    current,
    deps.reports.getLatest(tenantId),
    deps.tenants.get(tenantId),
    restoreTestStanding(deps, tenantId, now),
    dossierStanding(deps, tenantId, now, { strategy: current, newestTests: recent }),
    recent,
  ]);
  let name = tenantId;
  if (strategy) {
    try {
      name = parseStoredStrategy(strategy).document.tenant.name;
    } catch {
      // A stored version always validated when applied; a schema change since must not break status.
    }
  }
  const status: TenantStatus = {
    id: tenantId,
    name,
    strategyVersion: strategy?.version ?? null,
    compliancePercent: latest?.compliancePercent ?? null,
    lastVerifiedAt: latest?.evaluatedAt ?? null,
    openFindings: latest?.counts.findings ?? null,
    newFindings: latest?.newFindings ?? null,
    nextDeadline: latest?.nextDeadline ?? null,
    pendingFacts: state?.dirtySince !== undefined,
    restoreTests,
    dossier,
  };
  return { status, latest, recentTests };
}
