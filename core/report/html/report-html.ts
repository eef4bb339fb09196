import { currencyOf, formatMoney } from '../../sla/money.ts';
import type { SlaSoFar } from '../../sla/types.ts';
import type { VerificationReport } from '../../verify/report-types.ts';

const escapeMap: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => escapeMap[c] ?? c);
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1f24}h1{font-size:1.4rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.COMPLIANT{color:#1a7f37}.NON_COMPLIANT{color:#cf222e;font-weight:600}.NOT_APPLICABLE{color:#6e7781}
.kpi{display:inline-block;margin-right:2rem}.kpi b{font-size:1.6rem;display:block}code{font-size:12px}
@media print{body{margin:0}table{page-break-inside:auto}tr{page-break-inside:avoid}}`;

/** One self-contained page (no scripts, no external assets) that prints well. */
/** What the other two promises look like today, shown beside the backup verdicts. */
export interface Readiness {
  restoreTests: { last30Days: number; passed: number; failed: number; openFindings: number };
  dossier: { readiness: string; changed: string[]; lastVersion: number | null; lastExportedAt: string | null };
  /** The contract's current period so far (absent: not asked for; null: the strategy declares no contract). */
  sla?: SlaSoFar | null;
}

export function readinessLines(r: Readiness): string[] {
  const t = r.restoreTests;
  const d = r.dossier;
  return [
    `Restore tests (last 30 days): ${t.last30Days === 0 ? 'none' : `${t.passed} of ${t.last30Days} passed`}${t.openFindings > 0 ? `, ${t.openFindings} open finding(s)` : ''}`,
    `Reversibility dossier: ${d.lastVersion === null ? 'never exported' : `v${d.lastVersion} (${d.lastExportedAt ?? '?'}) ${d.readiness}`}${d.changed.length > 0 ? ` — changed since: ${d.changed.join(', ')}` : ''}`,
  ];
}

/** One line: levels met and missed so far, and the penalty so far. */
export function slaLine(s: SlaSoFar): string {
  const missed = s.levels.filter((l) => !l.met).map((l) => l.id);
  const money = formatMoney(s.total, currencyOf(s.currency));
  return `Service levels ${s.period} so far (${s.contract}, measured to ${s.measuredTo}): ${s.levels.length - missed.length} of ${s.levels.length} met${missed.length > 0 ? ` — missed: ${missed.join(', ')}` : ''}; penalty so far ${money}${s.capApplied ? ' (capped)' : ''}`;
}

function slaSection(s: SlaSoFar): string {
  const e = escapeHtml;
  const money = (minor: number) => e(formatMoney(minor, currencyOf(s.currency)));
  const rows = s.levels
    .map(
      (l) =>
        `<tr><td>${e(l.title)}</td><td>${l.target}%</td><td>${l.achieved}%</td><td class="${l.met ? 'COMPLIANT' : 'NON_COMPLIANT'}">${l.met ? 'met' : 'missed'}</td><td>${l.breaches}</td><td>${money(l.penalty)}</td></tr>`,
    )
    .join('\n');
  return `<h2>Service levels ${e(s.period)} so far</h2>
<p>Contract <code>${e(s.contract)}</code>, measured to ${e(s.measuredTo)}: not a statement (the statement is issued when the period ends). Penalty so far: <b>${money(s.total)}</b>${s.capApplied ? ' (capped)' : ''}.</p>
<table><thead><tr><th>level</th><th>target</th><th>achieved</th><th>standing</th><th>breaches</th><th>penalty so far</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

export function renderReportHtml(report: VerificationReport, readiness?: Readiness): string {
  const e = escapeHtml;
  const ruleIds = [...new Set(report.resources.flatMap((r) => r.results.map((x) => x.ruleId)))];
  const head = ruleIds.map((id) => `<th>${e(id)}</th>`).join('');
  const rows = report.resources
    .map((r) => {
      const byRule = new Map(r.results.map((x) => [x.ruleId, x.verdict]));
      const cells = ruleIds
        .map((id) => {
          const v = byRule.get(id);
          if (!v) return '<td></td>';
          return `<td class="${v.status}" title="${e(v.summary)}">${v.status === 'COMPLIANT' ? 'ok' : v.status === 'NON_COMPLIANT' ? 'FAIL' : 'n/a'}</td>`;
        })
        .join('');
      return `<tr><td>${e(r.name)}<br><code>${e(r.resourceId)}</code></td><td>${e(r.source)}</td>${cells}</tr>`;
    })
    .join('\n');
  const findings = report.findings
    .map(
      (f) =>
        `<tr><td>${e(f.severity)}</td><td>${e(f.ruleId)}</td><td><code>${e(f.resourceId)}</code></td><td>${e(f.summary)}<br><small>${e(f.why)}</small></td><td>${e(f.openedAt)}${report.newFindings.includes(f.findingId) ? ' (new)' : ''}</td></tr>`,
    )
    .join('\n');
  const drift = report.undeclared
    .map((u) => `<tr><td><code>${e(u.resourceId)}</code></td><td>${e(u.verdict.summary)}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Reversa — ${e(report.tenantId)} — backup compliance</title>
<style>${CSS}</style></head><body>
<h1>Backup compliance — ${e(report.tenantId)}</h1>
<p>Evaluated ${e(report.evaluatedAt)} against strategy version ${report.strategy.version} (sha256 <code>${e(report.strategy.contentSha256)}</code>), run <code>${e(report.runId)}</code>.</p>
<div><span class="kpi"><b>${report.compliancePercent}%</b>compliance</span><span class="kpi"><b>${report.counts.resources}</b>resources</span><span class="kpi"><b>${report.findings.length}</b>open findings</span><span class="kpi"><b>${report.newFindings.length}</b>new</span><span class="kpi"><b>${report.resolvedFindings.length}</b>resolved</span></div>
<h2>Verdicts</h2>
<table><thead><tr><th>resource</th><th>source</th>${head}</tr></thead><tbody>
${rows}
</tbody></table>
<h2>Findings</h2>
${findings ? `<table><thead><tr><th>severity</th><th>rule</th><th>resource</th><th>what and why</th><th>open since</th></tr></thead><tbody>\n${findings}\n</tbody></table>` : '<p>None.</p>'}
<h2>Undeclared resources (drift)</h2>
${drift ? `<table><thead><tr><th>resource</th><th>finding</th></tr></thead><tbody>\n${drift}\n</tbody></table>` : '<p>None.</p>'}
${
  readiness
    ? `<h2>Restore tests and reversibility</h2>\n<ul>${readinessLines(readiness)
        .map((l) => `<li>${e(l)}</li>`)
        .join('')}</ul>`
    : ''
}
${readiness?.sla ? slaSection(readiness.sla) : ''}
</body></html>
`;
}
