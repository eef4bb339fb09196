/**
 * The auditor report as PDF: the same model as the HTML (core/report/auditor.ts), laid out for
 * print and archiving: summary, control mapping, per-resource results, failures with root cause and
 * corrective action, coverage gaps, and the audit-log verification with its chain head.
 */
import type { AuditorReport } from '../auditor-model.ts';
import { formatDuration } from '../format.ts';
import { PdfWriter } from './pdf-layout.ts';

const dur = (ms: number | undefined) => (ms === undefined ? '-' : formatDuration(ms));
const pct = (v: number | undefined) => (v === undefined ? '-' : `${v}%`);

export async function renderAuditorPdf(m: AuditorReport): Promise<Uint8Array> {
  const pdf = await PdfWriter.create(
    `Restore-test report ${m.tenantName} ${m.period.label}`,
    `Reversa auditor report - ${m.tenantId} - ${m.period.label} - generated ${m.generatedAt}`,
  );
  pdf.heading(`Restore-test report: ${m.tenantName}`, 18);
  pdf.paragraph(`${m.period.title} (${m.period.from} to ${m.period.to}, ${m.period.timeZone})`, { muted: true });
  pdf.keyValues([
    ['Tenant', `${m.tenantName} (${m.tenantId})`],
    ['Strategy', `version ${m.strategy.version}, sha256 ${m.strategy.contentSha256}`],
    ['Generated', m.generatedAt],
    ...(m.latestVerification
      ? ([
          ['Backup compliance', `${m.latestVerification.compliancePercent}% at ${m.latestVerification.evaluatedAt}`],
        ] as [string, string][])
      : []),
  ]);

  const s = m.summary;
  pdf.heading('Summary');
  pdf.keyValues([
    [
      'Tests run',
      `${s.testsRun}: ${s.passed} passed, ${s.failed} failed, ${s.error} error (pass rate ${pct(s.passRatePercent)})`,
    ],
    [
      'RTO',
      `median ${dur(s.rto.medianMs)}; ${s.rto.withinTarget} within target, ${s.rto.overTarget} over, ${s.rto.unmeasured} not measured`,
    ],
    ['Achieved RPO', `median ${dur(s.rpo.medianMs)}, worst ${dur(s.rpo.worstMs)}`],
    [
      'Coverage',
      `${s.resourcesCovered} of ${s.resourcesDeclared} declared resources tested (${pct(s.coveragePercent)}); ${s.resourcesNeverTested} never tested`,
    ],
    ['Findings', `${s.findingsOpen} open, ${s.findingsClosed} closed`],
    ['Tests without audit entry', String(s.testsWithoutAuditEntry)],
  ]);

  pdf.heading('Control mapping');
  pdf.table(
    ['Framework', 'Control', 'Status', 'Why'],
    m.controls.map((c) => [c.framework, `${c.reference} ${c.name}`, c.status.replace('_', ' '), c.reasons.join('; ')]),
    [0.18, 0.27, 0.13, 0.42],
  );

  pdf.heading('Resources');
  pdf.table(
    ['Resource', 'Policy', 'Status', 'Tests', 'Median RTO', 'Worst RTO', 'Target'],
    m.resources.map((r) => [
      `${r.name}\n${r.resourceId}`,
      r.policyName ?? '-',
      r.status.replace('_', ' '),
      `${r.passed}/${r.tests}`,
      dur(r.medianRtoMs),
      dur(r.worstRtoMs),
      dur(r.rtoTargetMs),
    ]),
    [0.3, 0.14, 0.12, 0.08, 0.12, 0.12, 0.12],
  );

  pdf.heading('Failures, root cause and corrective action');
  if (m.failures.length === 0) pdf.paragraph('No failed or erroneous test in the period.');
  else
    pdf.table(
      ['Test', 'Outcome', 'Reason', 'Root cause', 'Corrective action'],
      m.failures.map((f) => [
        `${f.resourceName}\n${f.startedAt ?? ''}${f.carriedOver ? '\n(carried over)' : ''}`,
        f.outcome,
        f.reason,
        f.finding?.rootCause ?? (f.finding ? 'not documented yet' : '-'),
        f.finding?.correctiveAction ?? '-',
      ]),
      [0.2, 0.09, 0.27, 0.22, 0.22],
    );
  if (m.failuresOmitted > 0) pdf.paragraph(`${m.failuresOmitted} more failure(s) omitted.`, { muted: true });

  if (m.coverage.neverTested.length > 0 || m.coverage.withoutPolicy.length > 0) {
    pdf.heading('Coverage gaps');
    for (const r of m.coverage.neverTested) pdf.paragraph(`Never tested: ${r.name} (${r.resourceId})`);
    for (const r of m.coverage.withoutPolicy) pdf.paragraph(`No restore-test policy: ${r.name} (${r.resourceId})`);
  }

  const a = m.audit;
  pdf.heading('Audit-log verification');
  pdf.keyValues([
    ['Result', a.ok ? 'intact: every entry chained, every digest signed and chained' : 'NOT intact'],
    ['Entries / digests', `${a.entries} / ${a.digests} (${a.unsealed} not yet sealed)`],
    ['Chain head', `seq ${a.headSeq} sha256 ${a.headHash || '-'}`],
    ...(a.firstBad ? ([['First bad entry', `seq ${a.firstBad.seq}: ${a.firstBad.reason}`]] as [string, string][]) : []),
  ]);
  pdf.paragraph(
    'Verify offline: reversa audit verify <export> --public-key public-key.pem --sealed-head <seq>:<sha256>, or openssl dgst -sha256 -verify on each digest.',
    { muted: true, size: 8 },
  );
  return pdf.bytes();
}
