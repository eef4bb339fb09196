import { type Readiness, readinessLines, slaLine } from '#core/report/html/report-html.ts';
import type { VerificationReport } from '#core/verify/report-types.ts';
import { paint, statusColour, table } from '../output.ts';

const SHORT: Record<string, string> = { COMPLIANT: 'ok', NON_COMPLIANT: 'FAIL', NOT_APPLICABLE: '-' };

/** One row per resource, one column per rule: the view a provider engineer scans first. */
export function renderReportTable(report: VerificationReport, readiness?: Readiness): string {
  const ruleIds = [...new Set(report.resources.flatMap((r) => r.results.map((x) => x.ruleId)))];
  const rows = report.resources.map((r) => {
    const byRule = new Map(r.results.map((x) => [x.ruleId, x.verdict.status]));
    return [
      paint(statusColour(r.status), r.status === 'NON_COMPLIANT' ? '✗' : r.status === 'COMPLIANT' ? '✓' : '·'),
      truncate(r.name, 40),
      r.source,
      ...ruleIds.map((id) => {
        const s = byRule.get(id) ?? 'NOT_APPLICABLE';
        return paint(statusColour(s), SHORT[s] ?? s);
      }),
    ];
  });
  const out = [
    `Tenant ${paint('bold', report.tenantId)} — strategy v${report.strategy.version} — evaluated ${report.evaluatedAt}`,
    '',
    table(['', 'resource', 'source', ...ruleIds.map(abbreviate)], rows),
    '',
    `Compliance ${paint('bold', `${report.compliancePercent}%`)} — ${report.counts.resources} resources: ` +
      `${report.counts.compliant} compliant, ${report.counts.nonCompliant} non-compliant, ${report.counts.notApplicable} not applicable`,
  ];
  if (report.findings.length > 0) {
    out.push('', paint('bold', `Findings (${report.findings.length})`));
    for (const f of report.findings) {
      const isNew = report.newFindings.includes(f.findingId) ? paint('yellow', ' [new]') : '';
      out.push(`  ${paint('red', f.severity.padEnd(8))} ${f.ruleId.padEnd(18)} ${truncate(f.resourceId, 60)}${isNew}`);
      out.push(`           ${f.summary}`);
    }
  }
  if (report.undeclared.length > 0) {
    out.push('', paint('bold', `Undeclared resources seen in the sources (${report.undeclared.length})`));
    for (const u of report.undeclared) out.push(`  ${u.resourceId}: ${u.verdict.summary}`);
  }
  if (readiness) out.push('', ...readinessLines(readiness));
  if (readiness?.sla)
    out.push(paint(readiness.sla.levels.every((l) => l.met) ? 'green' : 'red', slaLine(readiness.sla)));
  if (report.resolvedFindings.length > 0) {
    out.push('', paint('green', `Resolved since the previous run: ${report.resolvedFindings.join(', ')}`));
  }
  return out.join('\n');
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `…${s.slice(s.length - n + 1)}`;
}

/** Rule ids are long; the table header keeps the capitals (RpoMet → RM) plus a legend-free hint. */
function abbreviate(ruleId: string): string {
  return ruleId.replace(/(Met|Anomaly)$/, '');
}
