import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildAuditorReport } from '#core/report/auditor.ts';
import { renderAuditorHtml } from '#core/report/html/auditor-html.ts';
import { escapeHtml } from '#core/report/html/report-html.ts';
import { DECLARED, realisticInput } from './fixtures.ts';

const render = (overrides: Parameters<typeof realisticInput>[0] = {}) =>
  renderAuditorHtml(buildAuditorReport(realisticInput(overrides)));

/** Anything that would make the file depend on the network or run code. */
const EXTERNAL = [
  /https?:\/\//i,
  /<script/i,
  /<link/i,
  /<iframe/i,
  /<img/i,
  /@import/i,
  /url\(/i,
  /\ssrc=/i,
  /javascript:/i,
];

describe('renderAuditorHtml', () => {
  it('renders a resource name containing a script tag as inert text, in HTML and in the SVG chart', () => {
    const evil = '<script>alert("x")</script>';
    const declared = DECLARED.map((r, i) => (i === 0 ? { ...r, name: evil } : r));

    const html = render({ declaredResources: declared, tenantName: `ACME "<b>bold</b>" & Co` });

    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('<title id="rto-title-0">RTO trend of &lt;script&gt;');
    expect(html).toContain('ACME &quot;&lt;b&gt;bold&lt;/b&gt;&quot; &amp; Co');
    expect(html).not.toContain('<b>bold</b>');
  });

  it('escapes what people type into findings: root cause, corrective action, updatedBy', () => {
    const input = realisticInput();
    const findings = input.findings.map((f) => ({
      ...f,
      rootCause: '<img src=x onerror=alert(1)>',
      correctiveAction: '</td></tr></table><h1>forged</h1>',
      updatedBy: '"><svg onload=alert(1)>',
    }));

    const html = renderAuditorHtml(buildAuditorReport({ ...input, findings }));

    expect(html).not.toContain('<img');
    expect(html).not.toContain('<h1>forged');
    expect(html).not.toContain('<svg onload');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('never lets arbitrary resource names through unescaped', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (name) => {
        const declared = DECLARED.map((r, i) => (i === 0 ? { ...r, name } : r));

        const html = render({ declaredResources: declared });

        expect(html).toContain(escapeHtml(name));
        expect(html).not.toMatch(/<script/i);
      }),
      { numRuns: 60 },
    );
  });

  it('references nothing external: no URL, script, stylesheet link, image or import', () => {
    const html = render();

    for (const pattern of EXTERNAL) expect(html).not.toMatch(pattern);
    expect(html.match(/<style>/g)?.length).toBeGreaterThanOrEqual(1);
  });

  it('is one A4-friendly document with print rules and a page break before each section', () => {
    const html = render();

    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('@page{size:A4');
    expect(html).toContain('@media print{');
    expect(html).toContain('section{break-before:page');
    expect(html.match(/<section /g)).toHaveLength(6);
  });

  it('draws an accessible RTO chart per tested resource with the achieved line, a dashed target and labelled axes', () => {
    const html = render();
    const charts = html.match(/<svg class="chart"[\s\S]*?<\/svg>/g) ?? [];

    expect(charts).toHaveLength(3);
    for (const svg of charts) {
      expect(svg).toMatch(/role="img" aria-labelledby="rto-title-\d+ rto-desc-\d+"/);
      expect(svg).toMatch(/<title id="rto-title-\d+">RTO trend of .+ against its target<\/title>/);
      expect(svg).toContain('stroke-dasharray="6 4"');
      expect(svg).toContain('Test date (Europe/Paris)');
      expect(svg).toContain('RTO (restore + validation)');
    }
    // The database chart: a polyline through 13 tests, the failed one drawn as a cross.
    expect(charts[0]!.match(/<polyline points="([^"]+)"/)![1]!.split(' ')).toHaveLength(13);
    expect(charts[0]).toContain('2026-08-17 02:00: FAILED, RTO 1 h 15 min (target 1 h)');
  });

  it('states every status in words and symbols as well as colour', () => {
    const html = render();

    expect(html).toContain('<span class="badge warn">◐ Partially met</span>');
    expect(html).toContain('<span class="badge bad">✖ FAILED</span>');
    expect(html).toContain('<span class="badge warn">⚠ ERROR</span>');
    expect(html).toContain('<span class="badge ok">✔ PASSED</span>');
    expect(html).toContain('⚠ Never tested in the period');
    expect(html).toContain('✔ Verified: the chain of entries is intact');
    expect(html).toContain('31 entries after the last signed digest are chained but not yet sealed');
  });

  it('shows times in the tenant zone, root causes, corrective actions and the chain head', () => {
    const html = render();

    expect(html).toContain('2026-08-17 02:00');
    expect(html).toContain('WAL archive on a throttled volume');
    expect(html).toContain('<span class="missing">not recorded</span>');
    expect(html).toContain('9f2c4be1d07a3e55c1f0a8b6e4d2c9a7b3f1e0d8c6a4b2f0e9d7c5b3a1f8e6d4');
  });

  it('renders an empty quarter with an empty audit log without failing', () => {
    const audit = { ok: true, entries: 0, digests: 0, headSeq: 0, headHash: '', problems: [], unsealed: 0 };

    const html = render({ tests: [], findings: [], audit });

    expect(html).toContain('No restore test in the period.');
    expect(html).toContain('— (empty log)');
    expect(html).toContain('✖ Not met');
    expect(html).not.toContain('<svg');
  });

  it('names the first bad entry when the audit log failed verification', () => {
    const audit = {
      ok: false,
      entries: 40,
      digests: 1,
      headSeq: 40,
      headHash: 'ab'.repeat(32),
      firstBad: { seq: 17, reason: 'its prevHash does not match the previous entry' },
      problems: ['entry 17: its prevHash does not match the previous entry'],
      unsealed: 0,
    };

    const html = render({ audit });

    expect(html).toContain('✖ Verification failed');
    expect(html).toContain('<b>#17</b>: its prevHash does not match the previous entry');
  });
});
