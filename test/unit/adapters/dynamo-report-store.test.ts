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

  it('has no latest report for a tenant never verified', async () => {
    expect(await fx.adapters.reports.getLatest('nobody')).toBeUndefined();
  });
});
