/** The auditor report of a period: JSON (the model), self-contained HTML, or PDF. */
import { renderAuditorHtml } from '#core/report/html/auditor-html.ts';
import { renderAuditorPdf } from '#core/report/pdf/auditor-pdf.ts';
import { auditorReport as buildAuditorReport } from '#core/use-cases/auditor-report.ts';
import { route } from '../route.ts';
import { auditorReport, periodQuery, tenantParams } from '../schemas.ts';

export const reportRoutes = [
  route({
    id: 'auditorReport',
    method: 'GET',
    path: '/v1/tenants/{tenant}/auditor-report',
    summary:
      'The auditor report for a period: restore tests, RTO trends, achieved RPO, failures with root cause, coverage, control mapping, audit-log verification',
    auth: 'tenant:read',
    params: tenantParams,
    query: periodQuery,
    responses: [
      { status: 200, description: 'The report model', schema: auditorReport },
      { status: 200, description: 'The report, self-contained and printable', contentType: 'text/html' },
      { status: 200, description: 'The report as PDF', contentType: 'application/pdf' },
    ],
    async handle({ params, query, ports, now }) {
      const model = await buildAuditorReport(ports, params.tenant, query.period, now);
      const file = `reversa-auditor-report-${params.tenant}-${query.period}`;
      if (query.format === 'json') return { json: model };
      if (query.format === 'html') {
        return { body: renderAuditorHtml(model), contentType: 'text/html; charset=utf-8' };
      }
      return {
        body: await renderAuditorPdf(model),
        contentType: 'application/pdf',
        headers: { 'content-disposition': `attachment; filename="${file}.pdf"` },
      };
    },
  }),
];
