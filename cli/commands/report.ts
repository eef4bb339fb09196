import { writeFile } from 'node:fs/promises';
import { renderAuditorHtml } from '#core/report/html/auditor-html.ts';
import { renderReportHtml } from '#core/report/html/report-html.ts';
import { auditorReport } from '#core/use-cases/auditor-report.ts';
import { slaSoFar } from '#core/use-cases/sla-statement.ts';
import { dossierStanding, restoreTestStanding } from '#core/use-cases/tenant-status.ts';
import { parseCommand, requireString, usageError } from '../args.ts';
import { write, writeJson } from '../output.ts';
import { renderReportTable } from '../render/report-table.ts';
import { openTenantContext } from '../tenant.ts';
import { loadLatestReport } from './verify.ts';

const FORMATS = ['table', 'json', 'html'] as const;

export async function reportCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand(
    argv,
    { tenant: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, period: { type: 'string' } },
    0,
  );
  const tenantId = requireString(values.tenant, '--tenant <id>');
  if (values.period !== undefined) return periodReport(tenantId, values.period, values);
  const format = values.format ?? (values.json ? 'json' : 'table');
  if (!(FORMATS as readonly string[]).includes(format))
    throw usageError(`--format expects one of ${FORMATS.join(', ')}, got '${format}'`);
  const ctx = await openTenantContext(values, tenantId);
  try {
    const { report } = await loadLatestReport(ctx, tenantId);
    const readiness = {
      restoreTests: await restoreTestStanding(ctx.deps, tenantId, ctx.now()),
      dossier: await dossierStanding(ctx.dossierDeps(), tenantId, ctx.now()),
      // The contract's current period so far (null without a contract): the month's history, read once.
      sla: await slaSoFar(ctx.slaDeps(), tenantId, ctx.now()),
    };
    const text =
      format === 'json'
        ? `${JSON.stringify({ ...report, readiness }, null, 2)}\n`
        : format === 'html'
          ? renderReportHtml(report, readiness)
          : renderReportTable(report, readiness);
    if (values.out) {
      await writeFile(values.out, text);
      if (values.json && format !== 'json') writeJson({ out: values.out, format });
      else write(`wrote ${values.out}`);
    } else if (format === 'json') writeJson({ ...report, readiness });
    else write(text);
    return report.findings.length > 0 ? 1 : 0;
  } finally {
    await ctx.close();
  }
}

/** `--period`: the auditor report (restore tests, controls, audit log) as one HTML file, or its JSON model. */
async function periodReport(
  tenantId: string,
  period: string,
  values: {
    format?: string | undefined;
    out?: string | undefined;
    json?: boolean | undefined;
    stack?: string | undefined;
    region?: string | undefined;
  },
): Promise<number> {
  const format = values.format ?? (values.json ? 'json' : 'html');
  if (format !== 'html' && format !== 'json') throw usageError(`--period reports are html or json, got '${format}'`);
  const ctx = await openTenantContext(values, tenantId);
  try {
    const model = await auditorReport(ctx.deps, tenantId, period, ctx.now());
    const text = format === 'json' ? `${JSON.stringify(model, null, 2)}\n` : renderAuditorHtml(model);
    if (values.out) {
      await writeFile(values.out, text);
      write(`wrote ${values.out}`);
    } else process.stdout.write(text);
    return 0;
  } finally {
    await ctx.close();
  }
}
