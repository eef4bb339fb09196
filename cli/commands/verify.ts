import { NotFoundError } from '#core/errors.ts';
import type { ReportSummary } from '#core/ports.ts';
import type { VerificationReport } from '#core/verify/report-types.ts';
import { parseCommand, parseTime, requireString } from '../args.ts';
import type { CliContext } from '../context.ts';
import { write, writeJson } from '../output.ts';
import { renderReportTable } from '../render/report-table.ts';
import { openTenantContext } from '../tenant.ts';

export async function verifyCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, { tenant: { type: 'string' }, at: { type: 'string' } }, 0);
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const ctx = await openTenantContext(values, tenantId);
  try {
    const at = new Date(parseTime(values.at, '--at', ctx.now())).toISOString();
    const run = await ctx.runVerify({ tenantId, at });
    const { summary, report } = await loadLatestReport(ctx, tenantId);
    if (values.json) writeJson({ execution: run, report });
    else {
      write(renderReportTable(report));
      write(`\nFull report: ${ctx.describeBlob(summary.reportKey)}`);
    }
    return report.findings.length > 0 ? 1 : 0;
  } finally {
    await ctx.close();
  }
}

export async function loadLatestReport(
  ctx: CliContext,
  tenantId: string,
): Promise<{ summary: ReportSummary; report: VerificationReport }> {
  const summary = await ctx.deps.reports.getLatest(tenantId);
  if (!summary) {
    throw new NotFoundError(
      'NoReport',
      `no verification report for tenant '${tenantId}' yet: run 'reversa verify --tenant ${tenantId}'`,
    );
  }
  const report = JSON.parse(await ctx.deps.blobs.getText(summary.reportKey)) as VerificationReport;
  return { summary, report };
}
