import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshHome, hourlyReport, reversa } from './cli-support.ts';

const STRATEGY = `apiVersion: reversa/v1
tenant: { id: beta, name: Beta SARL }
timezone: Europe/Paris
defaults: { rpo: 1h, retention: 7d }
resources:
  - locator: nas://beta/files
    name: Files
    source: generic
`;

describe('reversa CLI on the local cloud', () => {
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    env = await freshHome('cli');
    dir = env.REVERSA_HOME!;
    await writeFile(join(dir, 'beta.yaml'), STRATEGY);
    await writeFile(join(dir, 'hourly.json'), hourlyReport('nas://beta/files'));
    expect((await reversa(['strategy', 'apply', join(dir, 'beta.yaml')], env)).code).toBe(0);
    expect((await reversa(['ingest', join(dir, 'hourly.json'), '--tenant', 'beta'], env)).code).toBe(0);
  });

  it('reports every strategy problem with file, line and column, and exits 2', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, STRATEGY.replace('rpo: 1h', 'rpoo: 1h').replace('source: generic', 'source: tape'));

    const result = await reversa(['strategy', 'validate', bad], env);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${bad}:4:13 defaults.rpoo: unknown key 'rpoo' (did you mean 'rpo'?)`);
    expect(result.stderr).toMatch(new RegExp(`${bad}:8:13 resources\\[0\\]\\.source: .*aws-backup`));
  });

  it('is compliant one minute before the RPO deadline and flags the missed backup one minute after it', async () => {
    const before = await reversa(['verify', '--tenant', 'beta', '--at', '2026-11-20T15:59:00Z', '--json'], env);
    const after = await reversa(['verify', '--tenant', 'beta', '--at', '2026-11-20T16:01:00Z', '--json'], env);

    expect(before.code).toBe(0);
    expect(after.code).toBe(1);
    const report = JSON.parse(after.stdout).report;
    expect(report.findings.map((f: { ruleId: string }) => f.ruleId)).toContain('RpoMet');
    expect(report.newFindings).toContain('nas://beta/files#RpoMet');
    expect(report.strategy.version).toBe(1);
  });

  it('ingesting the same report again changes nothing', async () => {
    const again = await reversa(['ingest', join(dir, 'hourly.json'), '--tenant', 'beta', '--json'], env);

    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).results[0]).toMatchObject({ status: 'ingested', written: expect.any(Number) });
  });

  it('quarantines a malformed report, names the line, and exits 2', async () => {
    const broken = join(dir, 'broken.json');
    await writeFile(
      broken,
      '{"reversaJobReport": 1, "tool": "x", "jobs": [\n  {"id": "j", "resource": "r", "state": "DONE", "startedAt": "2026-11-20T10:00:00Z"}\n]}',
    );

    const result = await reversa(['ingest', broken, '--tenant', 'beta'], env);

    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/broken\.json:2:\d+ jobs\[0\]\.state/);
    expect(result.stdout).toContain('quarantine/beta/');
  });

  it('status --json lists the tenant with its compliance', async () => {
    const result = await reversa(['status', '--json'], env);

    const tenants = JSON.parse(result.stdout).tenants;
    expect(tenants).toEqual([expect.objectContaining({ id: 'beta', name: 'Beta SARL', strategyVersion: 1 })]);
    expect(typeof tenants[0].compliancePercent).toBe('number');
  });

  it('writes a self-contained HTML report', async () => {
    const out = join(dir, 'report.html');

    const result = await reversa(['report', '--tenant', 'beta', '--format', 'html', '--out', out], env);

    expect([0, 1]).toContain(result.code);
    const html = await readFile(out, 'utf8');
    expect(html).toContain('Backup compliance — beta');
    expect(html).not.toMatch(/<script|https?:\/\//);
  });

  it('exports an audit log that verifies offline, and detects an edited entry', async () => {
    const out = join(dir, 'audit');
    expect((await reversa(['audit', 'export', '--tenant', 'beta', '--out', out], env)).code).toBe(0);

    const ok = await reversa(['audit', 'verify', out, '--public-key', join(out, 'public-key.pem')], env);
    const first = join(out, 'entries', '000000000001.json');
    await writeFile(first, (await readFile(first, 'utf8')).replace('"author":"', '"author":"mallory-'));
    const tampered = await reversa(['audit', 'verify', out, '--public-key', join(out, 'public-key.pem')], env);

    expect(ok.code).toBe(0);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain('first bad entry: seq 1');
  });

  it('rejects an unknown command with exit 2', async () => {
    const result = await reversa(['frobnicate'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });
});
