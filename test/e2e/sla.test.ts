/**
 * The SLA statement from the CLI on a fresh local home: a strategy with a contract, backups and a
 * verification history in November, restore-test slots nobody ran; `sla statement` issues the
 * November statement (stored, signed, audit-logged), exits 1 on the breached levels, and the audit
 * log still verifies with the statement's entry in it.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshHome, hourlyReport, reversa } from './cli-support.ts';

const STRATEGY = `apiVersion: reversa/v1
tenant: { id: gamma, name: Gamma SAS }
timezone: Europe/Paris
defaults: { rpo: 1h, retention: 7d }
resources:
  - locator: nas://gamma/files
    name: Files
    source: generic
restoreTests:
  policies:
    - name: files-weekly
      resources: [nas://gamma/files]
      runner: s3-archive
      schedule: { cron: "0 5 ? * SUN *" }
      maxRto: 30m
      archive: { bucket: gamma-backups, key: "files/{recoveryPointId}.tar" }
contract:
  reference: MSA-GAMMA-1
  start: 2026-01-01
  currency: EUR
  monthlyFee: 5000
  measurementPeriod: month
  maintenanceWindows:
    - { every: sunday, at: "02:00", duration: 2h, reason: patching }
  levels:
    backupCompliance: { target: 99.5, penalty: { perStartedHour: 10, tiers: [{ below: 95, percentOfFee: 5 }] } }
    restoreTests: { target: 100, penalty: { perBreach: 100 } }
  cap: { percentOfFee: 10 }
`;

describe('reversa sla statement on the local cloud', () => {
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    env = await freshHome('sla');
    dir = env.REVERSA_HOME!;
    await writeFile(join(dir, 'gamma.yaml'), STRATEGY);
    await writeFile(join(dir, 'hourly.json'), hourlyReport('nas://gamma/files'));
    expect((await reversa(['strategy', 'apply', join(dir, 'gamma.yaml')], env)).code).toBe(0);
    expect((await reversa(['ingest', join(dir, 'hourly.json'), '--tenant', 'gamma'], env)).code).toBe(0);
    // The verification history: met at 12:30 and 15:59, missed from 16:00 on (no backup after 15:05).
    for (const at of ['2026-11-20T12:30:00Z', '2026-11-20T15:59:00Z', '2026-11-20T18:00:00Z']) {
      await reversa(['verify', '--tenant', 'gamma', '--at', at, '--json'], env);
    }
  }, 240_000);

  it('issues the November statement with its breaches and penalties, and exits 1', async () => {
    const result = await reversa(
      ['sla', 'statement', '--tenant', 'gamma', '--period', '2026-11', '--at', '2026-12-02T09:00:00Z', '--json'],
      env,
    );

    expect(result.code, result.stderr).toBe(1);
    const out = JSON.parse(result.stdout);
    expect(out).toMatchObject({
      tenant: 'gamma',
      period: '2026-11',
      issued: true,
      version: 1,
      currency: 'EUR',
      cap: 50_000,
    });
    const byId = Object.fromEntries(out.levels.map((l: { id: string }) => [l.id, l]));
    expect(byId['backup-compliance']).toMatchObject({ target: 99.5, met: false });
    expect(byId['backup-compliance'].achieved).toBeLessThan(10);
    // Sundays 05:00 Paris (after the 02:00–04:00 maintenance window): 1, 8, 15, 22 and 29 November, none ran.
    expect(byId['restore-tests']).toMatchObject({ met: false, achieved: 0, breaches: 5, penalty: 50_000 });
    expect(out.total).toBe(Math.min(out.subtotal, 50_000));
    expect(out.auditSeq).toBeGreaterThan(0);
  });

  it('returns the issued version again for the same facts, as HTML with its charts and no external request', async () => {
    const file = join(dir, 'sla.html');
    const result = await reversa(
      [
        'sla',
        'statement',
        '--tenant',
        'gamma',
        '--period',
        '2026-11',
        '--at',
        '2026-12-03T09:00:00Z',
        '--format',
        'html',
        '--out',
        file,
        '--json',
      ],
      env,
    );

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ version: 1, out: file });
    const html = await readFile(file, 'utf8');
    expect(html).toContain('SLA statement 2026-11 v1');
    expect(html).toContain('<svg');
    expect(html).toContain('finding nas://gamma/files#RpoMet');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('refuses a quarter for a monthly contract and an unknown tenant with exit 2', async () => {
    const quarter = await reversa(['sla', 'statement', '--tenant', 'gamma', '--period', '2026-Q4'], env);
    const unknown = await reversa(['sla', 'statement', '--tenant', 'nobody', '--period', '2026-11'], env);

    expect(quarter.code).toBe(2);
    expect(quarter.stderr).toMatch(/measured by month: expected YYYY-MM/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no tenant 'nobody'/);
  });

  it('status shows the current period’s standing so far', async () => {
    const result = await reversa(['status', '--json'], env);

    const gamma = JSON.parse(result.stdout).tenants.find((t: { id: string }) => t.id === 'gamma');
    expect(gamma.sla.period).toMatch(/^\d{4}-\d{2}$/);
    expect(gamma.sla.levels.map((l: { id: string }) => l.id)).toEqual(['backup-compliance', 'restore-tests']);
  });

  it('the verification report shows the current period so far: levels met and missed, and the penalty', async () => {
    const file = join(dir, 'report.html');
    const tableOut = await reversa(['report', '--tenant', 'gamma'], env);
    await reversa(['report', '--tenant', 'gamma', '--format', 'html', '--out', file], env);
    const html = await readFile(file, 'utf8');

    expect(tableOut.stdout).toMatch(
      /Service levels \d{4}-\d{2} so far \(MSA-GAMMA-1, measured to [^)]+\): \d of 2 met/,
    );
    expect(tableOut.stdout).toMatch(/penalty so far \d+\.\d\d EUR/);
    expect(html).toMatch(/<h2>Service levels \d{4}-\d{2} so far<\/h2>/);
    expect(html).toContain('<td>Backup compliance</td>');
    expect(html).toMatch(/Penalty so far: <b>\d+\.\d\d EUR<\/b>/);
  });

  it('keeps the audit log verifiable with the statement entry in it', async () => {
    const out = join(dir, 'audit-export');
    expect((await reversa(['audit', 'export', '--tenant', 'gamma', '--out', out], env)).code).toBe(0);
    const result = await reversa(['audit', 'verify', out, '--public-key', join(out, 'public-key.pem'), '--json'], env);

    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true });
    const entries = await readdir(join(out, 'entries'));
    const bodies = await Promise.all(entries.map((f) => readFile(join(out, 'entries', f), 'utf8')));
    expect(bodies.some((b) => JSON.parse(b).type === 'sla-statement')).toBe(true);
  });
});
