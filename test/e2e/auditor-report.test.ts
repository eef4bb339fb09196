/**
 * The auditor report as an auditor sees it: rendered by a real browser (Debian's chromium, headless)
 * from a file:// URL with networking disabled. The audit-log part is a real chain built and verified
 * by core/audit, so the head hash in the page is one `reversa audit verify` would print.
 * A screenshot lands in test/.artifacts/auditor-report.png for humans (and CI artefacts).
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextEntry, storedEntry } from '#core/audit/entry.ts';
import type { StoredAuditEntry } from '#core/audit/types.ts';
import { verifyAuditEntries } from '#core/audit/verify.ts';
import { type AuditorReport, buildAuditorReport } from '#core/report/auditor.ts';
import { renderAuditorHtml } from '#core/report/html/auditor-html.ts';
import { realisticInput, realisticTests, TENANT } from '../unit/report/fixtures.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(import.meta.dirname, '../.artifacts');

/** Flags that keep headless chromium offline and quiet: the page must need nothing from a network. */
const BASE_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function chromium(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      CHROMIUM,
      [...BASE_FLAGS, ...args],
      { timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`chromium failed: ${error.message}\n${stderr}`));
        else resolvePromise({ stdout, stderr });
      },
    );
  });
}

/** What a reader sees: the DOM without style, markup and entities, whitespace collapsed. */
function visibleText(dom: string): string {
  return dom
    .replace(/<style[\s\S]*?<\/style>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** A real audit chain: one entry per restore test of the fixture, verified by core/audit. */
async function realAuditVerification() {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const entries: StoredAuditEntry[] = [];
  for (const t of realisticTests()) {
    const entry = nextEntry(entries.at(-1), TENANT, {
      time: t.startedAt,
      type: 'restore-test',
      recordSha256: 'c'.repeat(64),
      summary: { testId: t.testId, resourceId: t.resourceId, outcome: t.outcome },
    });
    entries.push(storedEntry(entry));
  }
  const verification = await verifyAuditEntries(
    entries.map((e) => e.body),
    [],
    publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    { tenantId: TENANT },
  );
  return { verification, head: entries.at(-1)! };
}

describe('auditor report in headless Chromium', () => {
  let dir: string;
  let file: string;
  let model: AuditorReport;
  let head: StoredAuditEntry;

  beforeAll(async () => {
    expect(
      existsSync(CHROMIUM),
      `${CHROMIUM} is missing: the auditor report must be checked in a real browser. Install it with: apt-get install chromium`,
    ).toBe(true);
    const audit = await realAuditVerification();
    head = audit.head;
    model = buildAuditorReport(realisticInput({ audit: audit.verification }));
    dir = await mkdtemp(join(tmpdir(), 'reversa-auditor-report-'));
    file = join(dir, 'acme-2026-Q3.html');
    await writeFile(file, renderAuditorHtml(model));
    await mkdir(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('verifies a real audit chain whose head is the last restore test', () => {
    expect(model.audit).toMatchObject({ ok: true, entries: 22, headSeq: 22, headHash: head.entryHash });
  });

  it('renders the summary numbers, the controls and the chain head hash as visible text', async () => {
    const { stdout } = await chromium([
      `--user-data-dir=${join(dir, 'profile-dom')}`,
      '--dump-dom',
      pathToFileURL(file).href,
    ]);
    const text = visibleText(stdout);

    expect(text).toContain('ACME Industries SAS — Q3 2026 (July–September)');
    expect(text).toMatch(/22 restore tests run/);
    expect(text).toMatch(/90\.9% pass rate/);
    expect(text).toMatch(/20 \/ 1 \/ 1 passed \/ failed \/ error/);
    expect(text).toMatch(/3 \/ 5 resources tested \(60%\)/);
    expect(text).toMatch(/31 min median RTO/);
    expect(text).toContain('1 h 15 min / 1 h worst RTO against its target');
    for (const control of [
      'ISO/IEC 27001:2022 A.8.13',
      'Information backup',
      'SOC 2 (2017 TSC) A1.3',
      'Recovery plan testing',
      'NIS2 Implementing Regulation (EU) 2024/2690 Annex §4.2',
      'Backup and redundancy management',
      'DORA (EU) 2022/2554 Art. 12',
      'Backup policies and restoration testing',
    ])
      expect(text).toContain(control);
    expect(text).toContain('◐ Partially met');
    expect(text).toContain('2 of 5 declared resources were never tested in the period: HR share, Legacy ERP');
    expect(text).toContain(`Chain head hash (SHA-256) ${head.entryHash}`);
    expect(text).toContain('Chain head sequence #22');
    expect(text).toContain('RTO trend of Customer DB (PostgreSQL) against its target');
    expect(text).toContain('WAL archive on a throttled volume');
    expect(stdout).not.toMatch(/<script/i);
  });

  it('saves a screenshot of the first screen to test/.artifacts/auditor-report.png', async () => {
    const png = join(ARTIFACTS, 'auditor-report.png');
    await rm(png, { force: true });

    await chromium([
      `--user-data-dir=${join(dir, 'profile-shot')}`,
      `--screenshot=${png}`,
      '--window-size=1280,2000',
      '--hide-scrollbars',
      pathToFileURL(file).href,
    ]);

    const bytes = await readFile(png);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(bytes.readUInt32BE(16)).toBe(1280);
    expect(bytes.readUInt32BE(20)).toBe(2000);
    // A blank page compresses to a few KB; the rendered report is far richer.
    expect((await stat(png)).size).toBeGreaterThan(100_000);
  });

  it('prints to a multi-page A4 PDF, one section per page at least', async () => {
    const pdf = join(ARTIFACTS, 'auditor-report.pdf');
    await rm(pdf, { force: true });

    await chromium([
      `--user-data-dir=${join(dir, 'profile-pdf')}`,
      `--print-to-pdf=${pdf}`,
      '--no-pdf-header-footer',
      pathToFileURL(file).href,
    ]);

    const bytes = (await readFile(pdf)).toString('latin1');
    expect(bytes.startsWith('%PDF-')).toBe(true);
    const pages = bytes.match(/\/Type\s*\/Page(?!s)/g)?.length ?? 0;
    expect(pages).toBeGreaterThanOrEqual(6);
    // The @page rule makes it A4: 595 × 842 points (Chromium writes 594.96 × 841.92), not Letter (612 × 792).
    const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(bytes);
    expect(box).not.toBeNull();
    expect(Number(box![1])).toBeCloseTo(595, 0);
    expect(Number(box![2])).toBeCloseTo(842, 0);
  });
});
