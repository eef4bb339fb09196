import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportSummary } from '#core/ports.ts';
import { type CloudFixture, startTestCloud, uniqueTenant } from '../../support/local-cloud.ts';

let fx: CloudFixture;
beforeAll(async () => {
  fx = await startTestCloud();
});
afterAll(async () => fx.stop());

function summary(tenantId: string, runId: string, evaluatedAt: string): ReportSummary {
  return {
    tenantId,
    runId,
    evaluatedAt,
    strategyVersion: 1,
    compliancePercent: 100,
    counts: { resources: 1, compliant: 1, nonCompliant: 0, notApplicable: 0, findings: 0 },
    newFindings: 0,
    resolvedFindings: 0,
    reportKey: `reports/${tenantId}/${runId}.json`,
  };
}

describe('DynamoReportStore', () => {
  it('points latest at the newest run even when an older run is persisted afterwards', async () => {
    const tenant = uniqueTenant('latest');
    const newer = summary(tenant, 'run-2', '2026-01-02T00:00:00.000Z');
    const older = summary(tenant, 'run-1', '2026-01-01T00:00:00.000Z');

    await fx.adapters.reports.putReport(newer);
    await fx.adapters.reports.putReport(older);

    expect(await fx.adapters.reports.getLatest(tenant)).toEqual(newer);
  });

  it('lists reports newest first, up to the limit, once per run however often it is persisted', async () => {
    const tenant = uniqueTenant('list');
    const runs = ['01', '02', '03'].map((d) => summary(tenant, `run-${d}`, `2026-01-${d}T00:00:00.000Z`));
    for (const r of runs) await fx.adapters.reports.putReport(r);
    await fx.adapters.reports.putReport(runs[1] as ReportSummary);

    const listed = await fx.adapters.reports.listReports(tenant, 2);

    expect(listed.map((r) => r.runId)).toEqual(['run-03', 'run-02']);
    expect(await fx.adapters.reports.listReports(tenant, 10)).toHaveLength(3);
  });

  it('lists a time range [from, to) completely, past the 1 MB a Query page holds', async () => {
    const tenant = uniqueTenant('range');
    const start = Date.parse('2026-11-01T00:00:00.000Z');
    // ~6 KB a row (a full late list): 240 rows are more than one page.
    const late = Array.from({ length: 20 }, (_, i) => ({
      resourceId: `nas://filer/${'x'.repeat(200)}/${i}`,
      ruleId: 'RpoMet',
      summary: 'y'.repeat(80),
    }));
    const runs = Array.from({ length: 240 }, (_, i) => ({
      ...summary(tenant, `run-${String(i).padStart(3, '0')}`, new Date(start + i * 3_600_000).toISOString()),
      late,
    }));
    for (let i = 0; i < runs.length; i += 24)
      await Promise.all(runs.slice(i, i + 24).map((r) => fx.adapters.reports.putReport(r)));
    const iso = (h: number) => new Date(start + h * 3_600_000).toISOString();

    const all = await fx.adapters.reports.listReports(tenant, 10_000);
    const range = await fx.adapters.reports.listReports(tenant, 10_000, { from: iso(10), to: iso(230) });
    const before = await fx.adapters.reports.listReports(tenant, 1, { to: iso(10) });
    const after = await fx.adapters.reports.listReports(tenant, 10_000, { from: iso(230) });

    expect(all).toHaveLength(240);
    expect(range.map((r) => r.runId)).toEqual(
      runs
        .slice(10, 230)
        .map((r) => r.runId)
        .reverse(),
    );
    expect(before.map((r) => r.runId)).toEqual(['run-009']);
    expect(after).toHaveLength(10);
    expect(await fx.adapters.reports.listReports(tenant, 5, { from: iso(10), to: iso(230) })).toHaveLength(5);
  });

  it('has no latest report for a tenant never verified', async () => {
    expect(await fx.adapters.reports.getLatest('nobody')).toBeUndefined();
  });
});
