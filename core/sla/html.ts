/**
 * The SLA statement as one printable HTML page both parties can sign: the levels against their
 * targets, an inline SVG chart per level of the achieved value over the period's days, every
 * breach with its evidence ids, the penalty formulas, the cap and the total. Self-contained: no
 * scripts, no external requests (the same rules as the verification and auditor reports).
 */
import { escapeHtml as e } from '../report/html/report-html.ts';
import { currencyOf, formatMoney } from './money.ts';
import type { Breach, LevelResult, SlaStatement } from './types.ts';

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1f24;max-width:60rem}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.met{color:#1a7f37}.missed{color:#cf222e;font-weight:600}.num{text-align:right;font-variant-numeric:tabular-nums}
.kpi{display:inline-block;margin-right:2rem}.kpi b{font-size:1.6rem;display:block}code{font-size:12px}.formula{white-space:pre-wrap;font:12px ui-monospace,monospace;background:#f6f8fa;padding:.5rem}
.chart{width:100%;max-width:36rem;height:auto;display:block}.sign{display:flex;gap:4rem;margin-top:3rem}.sign div{flex:1;border-top:1px solid #1b1f24;padding-top:.3rem}
@media print{body{margin:0}tr{page-break-inside:avoid}section{page-break-inside:avoid}}`;

export interface StatementHtmlMeta {
  version?: number;
  issuedAt?: string;
  statementSha256?: string;
  signerFingerprint?: string;
  changes?: string[];
  provisional?: boolean;
}

export function renderStatementHtml(s: SlaStatement, meta: StatementHtmlMeta = {}): string {
  const money = (minor: number) => formatMoney(minor, currencyOf(s.contract.currency));
  const title = `SLA statement ${s.period.label}${meta.version === undefined ? '' : ` v${meta.version}`}`;
  const rows = s.levels
    .map(
      (l) =>
        `<tr><td>${e(l.title)}<br><small>${e(l.measures)}</small></td><td class="num">${l.target}%</td><td class="num">${l.achieved}%</td><td class="${l.met ? 'met' : 'missed'}">${l.met ? 'met' : 'missed'}</td><td class="num">${l.breachCount}</td><td class="num">${e(money(l.penalty))}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(s.tenantId)} — ${e(title)}</title>
<style>${CSS}</style></head><body>
<h1>${e(title)}${meta.provisional ? ' (standing so far, not issued)' : ''}</h1>
<p>Tenant <code>${e(s.tenantId)}</code> · contract <b>${e(s.contract.reference)}</b> · period ${e(s.period.from)} → ${e(s.period.to)} (${e(s.period.timeZone)}), measured to ${e(s.measuredTo)}</p>
<p><span class="kpi"><b>${s.levels.filter((l) => l.met).length}/${s.levels.length}</b>levels met</span><span class="kpi"><b>${e(money(s.total))}</b>penalty owed${s.cap?.applied ? ' (capped)' : ''}</span><span class="kpi"><b>${e(money(s.fee))}</b>period fee</span></p>
${meta.changes?.length ? `<h2>What changed since the previous version</h2><ul>${meta.changes.map((c) => `<li>${e(c)}</li>`).join('')}</ul>` : ''}
<h2>Service levels</h2>
<table><thead><tr><th>level</th><th>target</th><th>achieved</th><th></th><th>breaches</th><th>penalty</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Penalty</h2>
<div class="formula">${e(s.formula.join('\n'))}</div>
${s.levels.map((l) => levelSection(l, s)).join('\n')}
${recurrences(s)}
${exclusions(s)}
<div class="sign"><div>For the provider</div><div>For the client</div></div>
<footer><p>Computed by Reversa from the verification history, the restore-test evidence, the incidents and the dossier versions, each breach naming its evidence (report ids, restore-test ids, finding ids, audit-log sequence numbers).${
    meta.statementSha256 ? ` Statement SHA-256 <code>${e(meta.statementSha256)}</code>` : ''
  }${meta.signerFingerprint ? `, signed by the audit key <code>${e(meta.signerFingerprint)}</code>` : ''}${
    meta.issuedAt ? `, issued ${e(meta.issuedAt)}` : ''
  }.</p></footer>
</body></html>
`;
}

function levelSection(l: LevelResult, s: SlaStatement): string {
  const listed = l.breaches.length;
  const more = l.breachCount - listed;
  return `<section><h2>${e(l.title)} <small>(${e(l.id)})</small></h2>
${chart(l)}
<p>${l.measured.good} of ${l.measured.total} ${e(l.measured.unit)} good${l.measured.excluded ? `, ${l.measured.excluded} excluded` : ''}.</p>
${
  listed === 0
    ? '<p>No breach.</p>'
    : `<table><thead><tr><th>subject</th><th>breach</th><th>when</th><th>evidence</th></tr></thead><tbody>
${l.breaches.map((b) => breachRow(b)).join('\n')}
</tbody></table>${more > 0 ? `<p>… and ${more} more breaches in the JSON statement (${e(s.period.label)}).</p>` : ''}`
}</section>`;
}

function breachRow(b: Breach): string {
  const ev = b.evidence;
  const parts = [
    ...ev.reportIds.map((id) => `report ${id}`),
    ...ev.restoreTestIds.map((id) => `restore test ${id}`),
    ...ev.findingIds.map((id) => `finding ${id}`),
    ...ev.auditSeqs.map((n) => `audit #${n}`),
  ];
  const when = b.from === undefined ? '' : `${b.from}${b.to ? ` → ${b.to}` : ''}`;
  return `<tr><td><code>${e(b.subject)}</code></td><td>${e(b.summary)}</td><td><small>${e(when)}</small></td><td><small>${parts.map((p) => e(p)).join('<br>')}</small></td></tr>`;
}

/** Achieved (cumulative) per day against the target line; y from the lower of the two minus a margin. */
function chart(l: LevelResult): string {
  const points = l.series;
  if (points.length === 0) return '';
  const W = 560;
  const H = 160;
  const left = 44;
  const right = 8;
  const top = 10;
  const bottom = 24;
  const low = Math.max(0, Math.floor(Math.min(l.target, ...points.map((p) => p.achieved)) - 1));
  const y = (v: number) => top + ((100 - v) / Math.max(1, 100 - low)) * (H - top - bottom);
  const x = (i: number) => left + (points.length === 1 ? 0 : (i / (points.length - 1)) * (W - left - right));
  const coords = points.map((p, i) => `${x(i).toFixed(1)},${y(p.achieved).toFixed(1)}`).join(' ');
  const id = `c-${l.id}`;
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${id}" font-family="system-ui,sans-serif"><title id="${id}">${e(l.title)}: achieved ${l.achieved}% against ${l.target}% over ${points.length} day(s)</title>
<style>.tick{font-size:11px;fill:#424a53}</style>
<line x1="${left}" y1="${y(l.target).toFixed(1)}" x2="${W - right}" y2="${y(l.target).toFixed(1)}" stroke="#cf222e" stroke-dasharray="4 3"/>
<text class="tick" x="2" y="${(y(l.target) + 4).toFixed(1)}">${l.target}%</text>
<text class="tick" x="2" y="${(y(100) + 4).toFixed(1)}">100%</text>
<text class="tick" x="2" y="${(y(low) + 4).toFixed(1)}">${low}%</text>
<polyline points="${coords}" fill="none" stroke="#0969da" stroke-width="2"/>
<text class="tick" x="${left}" y="${H - 6}">${e(points[0]!.day)}</text>
<text class="tick" x="${W - right}" y="${H - 6}" text-anchor="end">${e(points[points.length - 1]!.day)}</text>
</svg>`;
}

function recurrences(s: SlaStatement): string {
  if (s.recurrences.length === 0) return '';
  return `<h2>Recurring incidents (root cause not fixed)</h2><ul>${s.recurrences
    .map(
      (r) =>
        `<li><code>${e(r.incidentId)}</code> on <code>${e(r.resourceId)}</code>: ${e(r.summary)}${r.recurrenceOf ? ` (repeats ${e(r.recurrenceOf)})` : ''}; reopened ${r.reopenings.map((o) => e(o.at)).join(', ') || 'as a repeat'}</li>`,
    )
    .join('')}</ul>`;
}

function exclusions(s: SlaStatement): string {
  if (s.exclusions.length === 0) return '';
  return `<h2>What does not count</h2><ul>${s.exclusions
    .map((x) => `<li>${e(x.what)}: ${e(x.reason)} <small>(${e(x.cause)})</small></li>`)
    .join('')}</ul>`;
}
