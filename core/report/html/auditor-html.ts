/**
 * The auditor report as ONE self-contained HTML file: inline CSS and inline SVG only — no script, no
 * external font, stylesheet, image or link — so it can be mailed, archived and opened offline years
 * later, and it prints on A4 with each section on its own page. Every piece of text from the model is
 * escaped: resource names and finding texts are typed by people. Status is always colour AND a
 * symbol and a word, so it survives black-and-white printing and colour blindness.
 */

import type { RestoreOutcome } from '../../restore/evidence.ts';
import { utcOffsetAt, wallClockToEpoch } from '../../time.ts';
import type { AuditorReport, FailureRow, ResourceSection, ResourceStatus, TestRow, TrendPoint } from '../auditor.ts';
import { type ControlResult, type ControlStatus, SECTION } from '../controls.ts';
import { formatDuration } from '../format.ts';
import { escapeHtml as e } from './report-html.ts';

const CSS = `
@page{size:A4;margin:14mm 12mm}
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1b1f24;margin:0 auto;padding:24px 32px;max-width:1080px}
h1{font-size:24px;margin:4px 0 6px}h2{font-size:18px;margin:0 0 10px;padding-bottom:4px;border-bottom:2px solid #1b1f24}
h3{font-size:15px;margin:0 0 4px}p{margin:4px 0 8px}
.eyebrow{text-transform:uppercase;letter-spacing:.08em;font-size:11px;color:#57606a;margin:0}
.muted{color:#57606a}.small{font-size:11.5px}
header.cover{border-bottom:1px solid #d0d7de;padding-bottom:12px;margin-bottom:18px}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:10px 0 0}
dl.meta dt{color:#57606a}dl.meta dd{margin:0}
code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:11.5px;overflow-wrap:anywhere;word-break:break-all}
section{margin:0 0 28px}
.kpis{display:grid;grid-template-columns:repeat(4,1fr);gap:10px;margin:8px 0 12px}
.kpi{border:1px solid #d0d7de;border-radius:6px;padding:8px 10px;break-inside:avoid}
.kpi b{display:block;font-size:22px;line-height:1.2}.kpi span{color:#57606a;font-size:12px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}
th,td{border:1px solid #d0d7de;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}thead{display:table-header-group}tr{break-inside:avoid}
td.num,th.num{text-align:right}td.nowrap{white-space:nowrap}
table.fixed{table-layout:fixed}table.fixed td{overflow-wrap:anywhere}
.badge{display:inline-block;border-radius:10px;padding:1px 7px;font-weight:600;font-size:.92em;white-space:nowrap;border:1px solid}
.ok{color:#116329;background:#dafbe1;border-color:#4ac26b}
.warn{color:#7d4e00;background:#fff8c5;border-color:#d4a72c}
.bad{color:#a40e26;background:#ffebe9;border-color:#ff8182}
.neutral{color:#424a53;background:#f6f8fa;border-color:#afb8c1}
ul.reasons{margin:4px 0 0;padding-left:18px}
article.resource{border:1px solid #d0d7de;border-radius:6px;padding:10px 12px;margin:0 0 14px;break-inside:avoid}
.chart{width:100%;max-width:760px;height:auto;display:block;margin:6px 0}
.missing{color:#a40e26;font-style:italic}
footer{border-top:1px solid #d0d7de;padding-top:8px;color:#57606a;font-size:11.5px}
@media print{
  body{padding:0;max-width:none;font-size:11px}
  table.fixed{font-size:10px}
  section{break-before:page;margin:0}
  section.first{break-before:auto}
  h2{break-after:avoid}
  .kpis{grid-template-columns:repeat(4,1fr)}
  article.resource{break-inside:avoid}
  a{color:inherit;text-decoration:none}
}`;

const SECTION_IDS: Record<string, string> = {
  [SECTION.summary]: 'summary',
  [SECTION.resources]: 'resources',
  [SECTION.trend]: 'resources',
  [SECTION.failures]: 'failures',
  [SECTION.coverage]: 'coverage',
  [SECTION.audit]: 'audit',
};

interface Badge {
  cls: 'ok' | 'warn' | 'bad' | 'neutral';
  text: string;
}

const CONTROL_BADGE: Record<ControlStatus, Badge> = {
  MET: { cls: 'ok', text: '✔ Met' },
  PARTIALLY_MET: { cls: 'warn', text: '◐ Partially met' },
  NOT_MET: { cls: 'bad', text: '✖ Not met' },
};
const OUTCOME_BADGE: Record<RestoreOutcome, Badge> = {
  PASSED: { cls: 'ok', text: '✔ PASSED' },
  FAILED: { cls: 'bad', text: '✖ FAILED' },
  ERROR: { cls: 'warn', text: '⚠ ERROR' },
};
const RESOURCE_BADGE: Record<ResourceStatus, Badge> = {
  PASSING: { cls: 'ok', text: '✔ Latest test passed' },
  FAILING: { cls: 'bad', text: '✖ Latest test did not pass' },
  NEVER_TESTED: { cls: 'warn', text: '⚠ Never tested in the period' },
};

/** Column widths in percent: fixed layout keeps long ids from pushing a table off an A4 page. */
function colgroup(widths: readonly number[]): string {
  return `<colgroup>${widths.map((w) => `<col style="width:${w}%">`).join('')}</colgroup>`;
}

function badge(b: Badge): string {
  return `<span class="badge ${b.cls}">${e(b.text)}</span>`;
}

const dur = (ms: number | undefined): string => (ms === undefined ? '—' : formatDuration(ms));

/** Wall-clock parts of an instant in the report's time zone (through core/time, no Intl per call). */
function wall(ms: number, timeZone: string): Date {
  return new Date(ms + utcOffsetAt(ms, timeZone));
}
const pad = (n: number): string => String(n).padStart(2, '0');
function dateText(ms: number, tz: string): string {
  const w = wall(ms, tz);
  return `${w.getUTCFullYear()}-${pad(w.getUTCMonth() + 1)}-${pad(w.getUTCDate())}`;
}
function dateTimeText(iso: string, tz: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const w = wall(ms, tz);
  return `${dateText(ms, tz)} ${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/* ---------------------------------------------------------------- RTO chart */

const W = 720;
const H = 230;
const M = { left: 96, right: 16, top: 30, bottom: 42 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

const NICE_STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 108e5,
  216e5, 432e5, 864e5, 1728e5, 4320e5, 6048e5,
];

/** A step from NICE_STEPS such that about four gridlines cover `max`. */
function yAxis(max: number): { step: number; top: number } {
  const raw = Math.max(max, 1) / 4;
  const step = NICE_STEPS.find((s) => s >= raw) ?? Math.ceil(raw / 6048e5) * 6048e5;
  return { step, top: step * Math.max(1, Math.ceil((max * 1.05) / step)) };
}

/** Month starts inside the period (for periods of more than ~40 days), else every 7th day, in the zone. */
function xTicks(from: number, to: number, tz: string): { at: number; label: string }[] {
  const start = wall(from, tz);
  const y = start.getUTCFullYear();
  const m = start.getUTCMonth();
  const ticks: { at: number; label: string }[] = [];
  if (to - from > 40 * 864e5) {
    for (let i = 0; i < 13; i++) {
      const at = wallClockToEpoch(Date.UTC(y, m + i, 1), tz);
      if (at >= to) break;
      const w = wall(at, tz);
      ticks.push({
        at,
        label: `${MONTHS[w.getUTCMonth()]}${w.getUTCMonth() === 0 || i === 0 ? ` ${w.getUTCFullYear()}` : ''}`,
      });
    }
  } else {
    for (let d = 0; d < 32; d += 7) {
      const at = wallClockToEpoch(Date.UTC(y, m, start.getUTCDate() + d), tz);
      if (at >= to) break;
      const w = wall(at, tz);
      ticks.push({ at, label: `${w.getUTCDate()} ${MONTHS[w.getUTCMonth()]}` });
    }
  }
  return ticks;
}

const fx = (n: number): string => (Math.round(n * 10) / 10).toString();

function rtoChart(r: ResourceSection, index: number, from: number, to: number, tz: string): string {
  const points = r.trend;
  if (points.length === 0) return '<p class="muted">No measured RTO in the period: no chart.</p>';
  const max = Math.max(...points.map((p) => Math.max(p.rtoMs, p.targetMs)));
  const { step, top } = yAxis(max);
  const span = Math.max(1, to - from);
  const x = (t: number): number => M.left + (Math.min(Math.max(t, from), to) - from) / (span / PW);
  const y = (v: number): number => M.top + PH - (v / top) * PH;
  const titleId = `rto-title-${index}`;
  const descId = `rto-desc-${index}`;
  const parts: string[] = [];

  parts.push(`<rect x="${M.left}" y="${M.top}" width="${PW}" height="${PH}" fill="#fff" stroke="#d0d7de"/>`);
  for (let v = 0; v <= top + 1e-9; v += step) {
    const yy = fx(y(v));
    parts.push(`<line x1="${M.left}" y1="${yy}" x2="${M.left + PW}" y2="${yy}" stroke="#eaeef2"/>`);
    parts.push(
      `<text x="${M.left - 6}" y="${yy}" dy="4" text-anchor="end" class="tick">${v === 0 ? '0' : e(formatDuration(v))}</text>`,
    );
  }
  for (const t of xTicks(from, to, tz)) {
    const xx = fx(x(t.at));
    parts.push(`<line x1="${xx}" y1="${M.top + PH}" x2="${xx}" y2="${M.top + PH + 5}" stroke="#57606a"/>`);
    parts.push(`<text x="${xx}" y="${M.top + PH + 18}" text-anchor="middle" class="tick">${e(t.label)}</text>`);
  }
  parts.push(
    `<text x="${M.left + PW / 2}" y="${H - 6}" text-anchor="middle" class="axis">Test date (${e(tz)})</text>`,
    `<text transform="translate(14 ${M.top + PH / 2}) rotate(-90)" text-anchor="middle" class="axis">RTO (restore + validation)</text>`,
  );

  // Target: a step line, because a strategy change can move the target mid-period.
  const first = points[0]!;
  let target = `M${M.left} ${fx(y(first.targetMs))}`;
  let current = first.targetMs;
  for (const p of points) {
    if (p.targetMs !== current) {
      target += ` H${fx(x(Date.parse(p.at)))} V${fx(y(p.targetMs))}`;
      current = p.targetMs;
    }
  }
  target += ` H${M.left + PW}`;
  parts.push(`<path d="${target}" fill="none" stroke="#a40e26" stroke-width="1.5" stroke-dasharray="6 4"/>`);

  const coords = points.map((p) => `${fx(x(Date.parse(p.at)))},${fx(y(p.rtoMs))}`);
  if (points.length > 1)
    parts.push(`<polyline points="${coords.join(' ')}" fill="none" stroke="#0969da" stroke-width="2"/>`);
  points.forEach((p: TrendPoint, i) => {
    const [cx, cy] = coords[i]!.split(',');
    const label = `${dateTimeText(p.at, tz)}: ${p.outcome}, RTO ${formatDuration(p.rtoMs)} (target ${formatDuration(p.targetMs)})`;
    // Shape as well as colour: a circle passed, a cross did not.
    parts.push(
      p.outcome === 'PASSED'
        ? `<circle cx="${cx}" cy="${cy}" r="3.5" fill="#0969da"><title>${e(label)}</title></circle>`
        : `<path d="M${Number(cx) - 4} ${Number(cy) - 4} l8 8 m0 -8 l-8 8" stroke="#a40e26" stroke-width="2.2"><title>${e(label)}</title></path>`,
    );
  });

  // Legend, above the plot.
  const ly = 14;
  parts.push(
    `<line x1="${M.left}" y1="${ly}" x2="${M.left + 24}" y2="${ly}" stroke="#0969da" stroke-width="2"/>`,
    `<text x="${M.left + 30}" y="${ly + 4}" class="tick">achieved RTO</text>`,
    `<line x1="${M.left + 130}" y1="${ly}" x2="${M.left + 154}" y2="${ly}" stroke="#a40e26" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    `<text x="${M.left + 160}" y="${ly + 4}" class="tick">RTO target</text>`,
    `<circle cx="${M.left + 252}" cy="${ly}" r="3.5" fill="#0969da"/>`,
    `<text x="${M.left + 260}" y="${ly + 4}" class="tick">passed</text>`,
    `<path d="M${M.left + 318} ${ly - 4} l8 8 m0 -8 l-8 8" stroke="#a40e26" stroke-width="2.2"/>`,
    `<text x="${M.left + 332}" y="${ly + 4}" class="tick">failed or error</text>`,
  );

  const over = points.filter((p) => p.rtoMs > p.targetMs).length;
  const desc = `${points.length} tests with a measured RTO between ${dateText(Date.parse(first.at), tz)} and ${dateText(Date.parse(points[points.length - 1]!.at), tz)}; median ${dur(r.medianRtoMs)}, worst ${dur(r.worstRtoMs)}; ${over} over the target of ${dur(r.rtoTargetMs)}.`;
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${titleId} ${descId}" font-family="system-ui,sans-serif">
<title id="${titleId}">RTO trend of ${e(r.name)} against its target</title>
<desc id="${descId}">${e(desc)}</desc>
<style>.tick{font-size:11px;fill:#424a53}.axis{font-size:11.5px;fill:#1b1f24;font-weight:600}</style>
${parts.join('\n')}
</svg>
<p class="small muted">${e(desc)}</p>`;
}

/* ---------------------------------------------------------------- sections */

function header(m: AuditorReport): string {
  const tz = m.period.timeZone;
  const lastDay = dateText(Date.parse(m.period.to) - 1, tz);
  const verification =
    m.latestVerification === undefined
      ? ''
      : `<dt>Latest backup verification</dt><dd>${m.latestVerification.compliancePercent}% compliant, evaluated ${e(dateTimeText(m.latestVerification.evaluatedAt, tz))}</dd>`;
  return `<header class="cover">
<p class="eyebrow">Reversa · Restore-test evidence for auditors</p>
<h1>${e(m.tenantName)} — ${e(m.period.title)}</h1>
<p>Restore tests from ${e(dateText(Date.parse(m.period.from), tz))} to ${e(lastDay)} inclusive, in ${e(tz)}. All times are ${e(tz)} wall-clock times.</p>
<dl class="meta">
<dt>Tenant</dt><dd>${e(m.tenantName)} (<code>${e(m.tenantId)}</code>)</dd>
<dt>Period</dt><dd>${e(m.period.label)}: <code>${e(m.period.from)}</code> (inclusive) to <code>${e(m.period.to)}</code> (exclusive)</dd>
<dt>Generated</dt><dd>${e(dateTimeText(m.generatedAt, tz))} (<code>${e(m.generatedAt)}</code>)</dd>
<dt>Strategy</dt><dd>version ${m.strategy.version}, sha256 <code>${e(m.strategy.contentSha256)}</code></dd>
${verification}
</dl>
</header>`;
}

function kpi(value: string, label: string, extra = ''): string {
  return `<div class="kpi"><b>${value}</b><span>${e(label)}</span>${extra}</div>`;
}

function summary(m: AuditorReport): string {
  const s = m.summary;
  // The RTO furthest over its own target says more than the longest RTO (targets differ per resource).
  const worst = s.rto.worstVsTarget;
  const nameOf = (id: string): string => m.resources.find((r) => r.resourceId === id)?.name ?? id;
  const worstText =
    worst === undefined
      ? '—'
      : `${e(formatDuration(worst.rtoMs))}<small class="muted"> / ${e(formatDuration(worst.targetMs))}</small>`;
  const ratio = worst === undefined ? 0 : Math.round((worst.rtoMs / Math.max(1, worst.targetMs)) * 100);
  const worstExtra =
    worst === undefined
      ? ''
      : `<div class="small">${e(nameOf(worst.resourceId))} (${ratio}% of target); longest RTO ${e(dur(s.rto.worst?.rtoMs))}</div><div>${
          worst.rtoMs <= worst.targetMs
            ? badge({ cls: 'ok', text: '✔ within target' })
            : badge({ cls: 'bad', text: '✖ over target' })
        }</div>`;
  const auditBadge = m.audit.ok ? badge({ cls: 'ok', text: '✔ Intact' }) : badge({ cls: 'bad', text: '✖ Failed' });
  return `<section id="summary" class="first">
<h2>1. ${e(SECTION.summary)}</h2>
<div class="kpis">
${kpi(String(s.testsRun), 'restore tests run')}
${kpi(s.passRatePercent === undefined ? '—' : `${s.passRatePercent}%`, 'pass rate')}
${kpi(`${s.passed} / ${s.failed} / ${s.error}`, 'passed / failed / error')}
${kpi(`${s.resourcesCovered} / ${s.resourcesDeclared}`, `resources tested${s.coveragePercent === undefined ? '' : ` (${s.coveragePercent}%)`}`)}
${kpi(e(dur(s.rto.medianMs)), 'median RTO')}
${kpi(worstText, 'worst RTO against its target', worstExtra)}
${kpi(`${s.rto.withinTarget} / ${s.rto.measured}`, 'tests within their RTO target')}
${kpi(e(dur(s.rpo.medianMs)), `median achieved RPO (worst ${dur(s.rpo.worstMs)})`)}
${kpi(String(s.resourcesNeverTested), 'resources never tested')}
${kpi(`${s.findingsOpen} / ${s.findingsClosed}`, 'findings open / closed')}
${kpi(String(m.audit.headSeq), 'audit-log entries (chain head)', `<div>${auditBadge}</div>`)}
${kpi(String(s.testsWithoutAuditEntry), 'tests without an audit-log entry')}
</div>
<p>Controls: ${m.controls.map((c) => `${e(c.framework)} ${e(c.reference)} ${badge(CONTROL_BADGE[c.status])}`).join(' · ')}</p>
</section>`;
}

function controlRow(c: ControlResult): string {
  const evidence = c.evidence.map((name) => `<a href="#${SECTION_IDS[name] ?? 'summary'}">${e(name)}</a>`).join('<br>');
  const reasons = c.reasons.map((r) => `<li>${e(r)}</li>`).join('');
  return `<tr><td><b>${e(c.framework)} ${e(c.reference)}</b><br>${e(c.name)}</td><td>${e(c.requirement)}</td><td>${evidence}</td><td>${badge(CONTROL_BADGE[c.status])}<ul class="reasons small">${reasons}</ul></td></tr>`;
}

function controls(m: AuditorReport): string {
  return `<section id="controls">
<h2>2. Control mapping</h2>
<p class="small muted">Each status is computed from the data in this report; the reasons list what satisfied the control or what keeps it from being met. It supports the auditor's judgement; it does not replace it.</p>
<table><thead><tr><th style="width:18%">Control</th><th style="width:34%">Requirement</th><th style="width:18%">Evidence in this report</th><th>Status</th></tr></thead>
<tbody>${m.controls.map(controlRow).join('\n')}</tbody></table>
</section>`;
}

function coverage(m: AuditorReport): string {
  const never = m.coverage.neverTested;
  const without = m.coverage.withoutPolicy;
  const neverTable =
    never.length === 0
      ? `<p>${badge({ cls: 'ok', text: '✔ Complete' })} Every one of the ${m.summary.resourcesDeclared} declared resources was restored and checked at least once in the period.</p>`
      : `<p>${badge({ cls: 'bad', text: `✖ ${never.length} never tested` })} These declared resources have no restore test in the period:</p>
<table><thead><tr><th>Resource</th><th>Locator</th><th>Restore-test policy</th></tr></thead><tbody>
${never.map((r) => `<tr><td>${e(r.name)}</td><td><code>${e(r.resourceId)}</code></td><td>${r.policyName === undefined ? '<span class="missing">none</span>' : e(r.policyName)}</td></tr>`).join('\n')}
</tbody></table>`;
  const withoutText =
    without.length === 0
      ? '<p>Every declared resource is selected by a restore-test policy.</p>'
      : `<p>${badge({ cls: 'warn', text: `⚠ ${without.length} without policy` })} No restore-test policy selects: ${without.map((r) => e(r.name)).join(', ')}.</p>`;
  return `<section id="coverage">
<h2>3. ${e(SECTION.coverage)}</h2>
<p>Tested: <b>${m.summary.resourcesCovered}</b> of <b>${m.summary.resourcesDeclared}</b> declared resources${m.summary.coveragePercent === undefined ? '' : ` (${m.summary.coveragePercent}%)`}.</p>
${neverTable}
${withoutText}
</section>`;
}

function testRowHtml(t: TestRow, tz: string): string {
  const rto =
    t.rtoMs === undefined
      ? `— / ${e(formatDuration(t.rtoTargetMs))}`
      : `${e(formatDuration(t.rtoMs))} / ${e(formatDuration(t.rtoTargetMs))} ${t.rtoMs <= t.rtoTargetMs ? '<span class="badge ok">✔</span>' : '<span class="badge bad">✖ over</span>'}`;
  return `<tr><td>${e(dateTimeText(t.startedAt, tz))}</td><td>${badge(OUTCOME_BADGE[t.outcome])}</td><td class="num">${rto}</td><td class="num">${e(dur(t.achievedRpoMs))}</td><td><code>${e(t.recoveryPointId ?? '—')}</code></td><td>${e(t.runner)}<br><span class="small muted">${e(t.policyName)} · v${t.strategyVersion}</span></td><td class="small">${e(t.reason)}<br><code class="muted">${e(t.testId)}</code></td><td class="num">${t.auditSeq === undefined ? '<span class="missing">none</span>' : `#${t.auditSeq}`}</td></tr>`;
}

function resourceHtml(r: ResourceSection, i: number, m: AuditorReport): string {
  const tz = m.period.timeZone;
  const from = Date.parse(m.period.from);
  const to = Date.parse(m.period.to);
  const facts = [
    `policy ${r.policyName === undefined ? '<span class="missing">none</span>' : `<b>${e(r.policyName)}</b>`}`,
    `RTO target <b>${e(dur(r.rtoTargetMs))}</b>`,
    `${r.tests} tests: ${r.passed} passed, ${r.failed} failed, ${r.error} error`,
    `median RTO <b>${e(dur(r.medianRtoMs))}</b>, worst <b>${e(dur(r.worstRtoMs))}</b>`,
  ];
  const table =
    r.lastTests.length === 0
      ? '<p class="missing">No restore test in the period.</p>'
      : `<table class="fixed">${colgroup([12, 11, 12, 9, 19, 11, 19, 7])}<thead><tr><th>Started</th><th>Outcome</th><th class="num">RTO / target</th><th class="num">Achieved RPO</th><th>Recovery point</th><th>Runner · policy</th><th>Result and test id</th><th class="num">Audit-log entry</th></tr></thead><tbody>
${r.lastTests.map((t) => testRowHtml(t, tz)).join('\n')}
</tbody></table>${r.tests > r.lastTests.length ? `<p class="small muted">The ${r.lastTests.length} most recent of ${r.tests} tests.</p>` : ''}`;
  return `<article class="resource">
<h3>${e(r.name)} ${badge(RESOURCE_BADGE[r.status])}${r.declared ? '' : ` ${badge({ cls: 'neutral', text: 'no longer declared' })}`}</h3>
<p class="small"><code>${e(r.resourceId)}</code></p>
<p class="small">${facts.join(' · ')}</p>
${r.tests === 0 ? '' : rtoChart(r, i, from, to, tz)}
${table}
</article>`;
}

function resources(m: AuditorReport): string {
  return `<section id="resources">
<h2>4. ${e(SECTION.resources)}</h2>
<p class="small muted">Per resource: the latest tests, and the ${e(SECTION.trend)} (every test with a measured RTO; the dashed line is the policy's maximum RTO). Achieved RPO is the age of the restored recovery point when the test started.</p>
${m.resources.map((r, i) => resourceHtml(r, i, m)).join('\n')}
</section>`;
}

function failureRow(f: FailureRow, tz: string): string {
  const finding = f.finding;
  const notRecorded = '<span class="missing">not recorded</span>';
  const status =
    finding === undefined
      ? badge({ cls: 'bad', text: '✖ No finding opened' })
      : `${badge(finding.status === 'OPEN' ? { cls: 'warn', text: '◐ OPEN' } : { cls: 'ok', text: '✔ CLOSED' })}<br><span class="small">opened ${e(dateTimeText(finding.openedAt, tz))}${finding.closedAt === undefined ? '' : `<br>closed ${e(dateTimeText(finding.closedAt, tz))}`}${finding.updatedBy === undefined ? '' : `<br>by ${e(finding.updatedBy)}`}</span>`;
  const when = f.startedAt === undefined ? (f.carriedOver ? 'before the period' : '—') : dateTimeText(f.startedAt, tz);
  return `<tr><td>${e(f.resourceName)}</td><td class="small">${e(when)}<br><code class="muted">${e(f.testId)}</code></td><td>${badge(OUTCOME_BADGE[f.outcome])}</td><td class="small">${e(f.reason)}</td><td class="small">${finding?.rootCause === undefined ? notRecorded : e(finding.rootCause)}</td><td class="small">${finding?.correctiveAction === undefined ? notRecorded : e(finding.correctiveAction)}</td><td>${status}</td></tr>`;
}

function failures(m: AuditorReport): string {
  const body =
    m.failures.length === 0
      ? `<p>${badge({ cls: 'ok', text: '✔ None' })} No restore test failed in the period and no finding was open.</p>`
      : `<table class="fixed">${colgroup([13, 15, 11, 18, 15, 15, 13])}<thead><tr><th>Resource</th><th>Test</th><th>Outcome</th><th>What failed</th><th>Root cause</th><th>Corrective action</th><th>Finding</th></tr></thead><tbody>
${m.failures.map((f) => failureRow(f, m.period.timeZone)).join('\n')}
</tbody></table>${m.failuresOmitted > 0 ? `<p class="missing">${m.failuresOmitted} more failures are not listed.</p>` : ''}`;
  return `<section id="failures">
<h2>5. ${e(SECTION.failures)}</h2>
<p class="small muted">Every failed or errored test of the period, and findings opened earlier that were still open during it. Root cause and corrective action are filled in by the provider.</p>
${body}
</section>`;
}

function audit(m: AuditorReport): string {
  const a = m.audit;
  const firstBad =
    a.firstBad === undefined
      ? ''
      : `<dt>First bad entry</dt><dd><b>#${a.firstBad.seq}</b>: ${e(a.firstBad.reason)}</dd>`;
  const firstBadDigest =
    a.firstBadDigest === undefined
      ? ''
      : `<dt>First bad digest</dt><dd><b>#${a.firstBadDigest.digestSeq}</b>: ${e(a.firstBadDigest.reason)}</dd>`;
  const problems =
    a.problems.length === 0
      ? ''
      : `<h3>Problems found</h3><ul>${a.problems.map((p) => `<li>${e(p)}</li>`).join('')}</ul>${a.problemsOmitted > 0 ? `<p class="muted">${a.problemsOmitted} more problems not listed.</p>` : ''}`;
  // Say what was proven: a chain with no signed digest yet is intact but not yet sealed by a signature.
  const verdict = !a.ok
    ? badge({ cls: 'bad', text: '✖ Verification failed: the log was altered or is incomplete' })
    : a.unsealed === 0
      ? badge({ cls: 'ok', text: '✔ Verified: the chain of entries and the signed digests are intact' })
      : `${badge({ cls: 'ok', text: '✔ Verified: the chain of entries is intact' })} <span class="small">${a.unsealed} entries after the last signed digest are chained but not yet sealed by a signature.</span>`;
  return `<section id="audit">
<h2>6. ${e(SECTION.audit)}</h2>
<p>${verdict}</p>
<dl class="meta">
<dt>Entries read</dt><dd>${a.entries}</dd>
<dt>Signed digests read</dt><dd>${a.digests}</dd>
<dt>Entries not yet sealed by a digest</dt><dd>${a.unsealed}</dd>
<dt>Chain head sequence</dt><dd>#${a.headSeq}</dd>
<dt>Chain head hash (SHA-256)</dt><dd><code>${e(a.headHash === '' ? '— (empty log)' : a.headHash)}</code></dd>
${firstBad}${firstBadDigest}
</dl>
${problems}
<p class="small muted">To check independently: <code>reversa audit export --tenant ${e(m.tenantId)} --out &lt;dir&gt;</code>, then <code>reversa audit verify &lt;dir&gt; --public-key &lt;pem&gt;</code> offline; each digest's signature also checks with <code>openssl dgst -sha256 -verify &lt;pem&gt; -signature &lt;digest&gt;.sig &lt;digest&gt;</code>. The chain head hash above must match.</p>
</section>`;
}

/** The whole report: one HTML document, no script, no external reference. */
export function renderAuditorHtml(model: AuditorReport): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(model.tenantName)} — restore-test report ${e(model.period.label)}</title>
<style>${CSS}</style></head><body>
${header(model)}
${summary(model)}
${controls(model)}
${coverage(model)}
${resources(model)}
${failures(model)}
${audit(model)}
<footer>Generated by Reversa from the restore-test evidence records and the tenant's tamper-evident audit log (report format ${model.reportVersion}). Tenant <code>${e(model.tenantId)}</code>, period ${e(model.period.label)}, generated <code>${e(model.generatedAt)}</code>.</footer>
</body></html>
`;
}
