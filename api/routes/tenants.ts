/** The caller's tenants, a tenant's status, and its verification reports (latest, history). */
import { NotFoundError } from '#core/errors.ts';
import { ALL_TENANT_ROLES } from '#core/identity/roles.ts';
import { renderReportHtml } from '#core/report/html/report-html.ts';
import { parseStoredStrategy } from '#core/strategy/stored.ts';
import { slaSoFar } from '#core/use-cases/sla-statement.ts';
import { dossierStanding, restoreTestStanding, tenantStatusWithReport } from '#core/use-cases/tenant-status.ts';
import type { VerificationReport } from '#core/verify/report-types.ts';
import type { ApiTenantPorts } from '../ports.ts';
import { route } from '../route.ts';
import {
  reportHistoryQuery,
  reportHistoryResponse,
  reportQuery,
  statusResponse,
  tenantParams,
  tenantsResponse,
  verificationReport,
} from '../schemas.ts';

/** Reports are a few MB at most (1,000 resources); anything bigger is not ours to serve inline. */
const MAX_REPORT_BYTES = 32 * 1024 * 1024;

async function tenantName(ports: Pick<ApiTenantPorts, 'strategies'>, tenantId: string): Promise<string> {
  const stored = await ports.strategies.getCurrent(tenantId);
  if (!stored) return tenantId;
  try {
    return parseStoredStrategy(stored).document.tenant.name;
  } catch {
    return tenantId;
  }
}

async function latestReport(ports: ApiTenantPorts, tenantId: string): Promise<VerificationReport> {
  const latest = await ports.reports.getLatest(tenantId);
  if (!latest) throw new NotFoundError('NoReport', `tenant ${tenantId} has not been verified yet`);
  return JSON.parse(await ports.blobs.getText(latest.reportKey, MAX_REPORT_BYTES)) as VerificationReport;
}

export const tenantRoutes = [
  route({
    id: 'listTenants',
    method: 'GET',
    path: '/v1/tenants',
    summary: 'The tenants the caller may address, with their names',
    auth: 'tenant:read',
    responses: [{ status: 200, description: 'Tenants', schema: tenantsResponse }],
    async handle({ principal, deps }) {
      const existing = new Set(await deps.tenantIndex.listTenants());
      const ids = ALL_TENANT_ROLES.includes(principal.role)
        ? [...existing]
        : principal.tenants.filter((t) => existing.has(t));
      const tenants = await Promise.all(
        ids.sort().map(async (id) => ({ id, name: await tenantName(deps.forTenant(id), id) })),
      );
      return { json: { tenants } };
    },
  }),
  route({
    id: 'tenantStatus',
    method: 'GET',
    path: '/v1/tenants/{tenant}/status',
    summary: 'A tenant at a glance: compliance, findings by severity, what is late now, restore tests, dossier',
    auth: 'tenant:read',
    params: tenantParams,
    responses: [{ status: 200, description: 'Status', schema: statusResponse }],
    async handle({ params, ports, now }) {
      const { status, latest, recentTests } = await tenantStatusWithReport(ports, params.tenant, now);
      const { restoreTests } = status;
      return {
        json: {
          ...status,
          findingsBySeverity: latest?.findingsBySeverity ?? {},
          lateNow: (latest?.late ?? []).map((l) => ({ resourceId: l.resourceId, rule: l.ruleId, reason: l.summary })),
          restoreTests: {
            ...restoreTests,
            passRate:
              restoreTests.last30Days === 0
                ? null
                : Math.round((restoreTests.passed / restoreTests.last30Days) * 1000) / 10,
            lastRtos: recentTests
              .filter((t) => t.rtoMs !== undefined)
              .map((t) => ({
                resourceId: t.resourceId,
                startedAt: t.startedAt,
                rtoMs: t.rtoMs as number,
                rtoTargetMs: t.rtoTargetMs,
              })),
          },
        },
      };
    },
  }),
  route({
    id: 'latestReport',
    method: 'GET',
    path: '/v1/tenants/{tenant}/reports/latest',
    summary: 'The latest verification report, as JSON or as the self-contained HTML the CLI renders',
    auth: 'tenant:read',
    params: tenantParams,
    query: reportQuery,
    responses: [
      { status: 200, description: 'The report', schema: verificationReport },
      { status: 200, description: 'The report, printable', contentType: 'text/html' },
    ],
    async handle({ params, query, ports, now }) {
      const report = await latestReport(ports, params.tenant);
      if (query.format === 'json') return { json: report };
      const [restoreTests, dossier, sla] = await Promise.all([
        restoreTestStanding(ports, params.tenant, now),
        dossierStanding(ports, params.tenant, now),
        // The contract's period so far, like `reversa report` (the printable HTML only: JSON stays the run's report).
        slaSoFar(ports, params.tenant, now),
      ]);
      return {
        body: renderReportHtml(report, { restoreTests, dossier, sla }),
        contentType: 'text/html; charset=utf-8',
      };
    },
  }),
  route({
    id: 'reportHistory',
    method: 'GET',
    path: '/v1/tenants/{tenant}/reports',
    summary: 'Verification runs, newest first: compliance over time',
    auth: 'tenant:read',
    params: tenantParams,
    query: reportHistoryQuery,
    responses: [{ status: 200, description: 'Report summaries', schema: reportHistoryResponse }],
    async handle({ params, query, ports }) {
      const items = await ports.reports.listReports(params.tenant, query.limit);
      return {
        json: {
          items: items.map(({ tenantId: _t, reportKey: _k, findingsBySeverity: _s, late: _l, ...summary }) => summary),
        },
      };
    },
  }),
];
