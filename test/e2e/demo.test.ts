import { spawn } from 'node:child_process';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { reversa } from './cli-support.ts';

/** `npm start` as a new user runs it, in a scratch REVERSA_HOME; then the commands it suggests. */
describe('npm start: the demo, end to end on the local cloud', () => {
  let env: Record<string, string>;
  let home: string;
  let output = '';
  let code = -1;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'reversa-demo-'));
    env = { REVERSA_HOME: home };
    const tsx = new URL('../../node_modules/.bin/tsx', import.meta.url).pathname;
    code = await new Promise<number>((resolve, reject) => {
      const child = spawn(tsx, ['local/demo.ts'], {
        env: { ...process.env, NO_COLOR: '1', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (d) => {
        output += d;
      });
      child.stderr.on('data', (d) => {
        output += d;
      });
      child.on('error', reject);
      child.on('close', (c) => resolve(c ?? -1));
    });
  }, 240_000);

  it('exits 0 and shows the deliberate violations as findings', () => {
    expect(code, output).toBe(0);
    expect(output).toMatch(/critical RpoMet\s+arn:aws:rds:eu-west-3:111122223333:db:orders/);
    expect(output).toMatch(/FailureStreak/);
    expect(output).toMatch(/SizeAnomaly\s+nas:\/\/filer-01\/projects/);
    expect(output).toMatch(/RetentionMet/);
    expect(output).toMatch(/UndeclaredResource .*fs-0c0ffee0000000001/);
  });

  it('fails the restore test of the altered archive naming the file, and passes the restic one', () => {
    expect(output).toMatch(/FAILED nas:\/\/filer-01\/projects .*\n.*changed: projects\/budget-2026\.csv/);
    expect(output).toMatch(/PASSED restic:web-01:\/srv\/www/);
    expect(output).toMatch(/audit log: intact, \d+ entries, chain head seq \d+ sha256 [0-9a-f]{64}/);
  });

  it('issues the SLA statement of the month just ended with a missed level and its penalty', () => {
    expect(output).toMatch(/statement \d{4}-\d{2} v1 issued: signed, audit seq \d+/);
    expect(output).toMatch(/✗ restore-tests +[\d.]+% of +95% +\d+ breach\(es\) +[1-9][\d.]* EUR/);
    expect(output).toMatch(/penalty owed for \d{4}-\d{2}: [1-9][\d.]* EUR/);
    expect(output).toMatch(/standing so far for \d{4}-\d{2} \(not issued until the month ends\)/);
  });

  it('publishes a dossier that the stock commands verify', () => {
    expect(output).toMatch(/published v1: .* sha256 [0-9a-f]{64}/);
    for (const cmd of [
      'sha256sum -c reversa-dossier-acme-v1.zip.sha256',
      'sha256sum -c --quiet manifest-sha256.txt',
      'openssl dgst -sha256 -verify',
    ]) {
      expect(output).toContain(`✓ ${cmd}`);
    }
    expect(output).not.toMatch(/^\s+✗ (sha256sum|unzip|openssl|age) /m);
  });

  it('leaves a dossier the CLI verifies with the published fingerprint and whose escrow opens with the successor key', async () => {
    const zip = join(home, 'demo', 'dossier', 'reversa-dossier-acme-v1.zip');
    const fingerprint = /signer fingerprint ([0-9a-f]{64})/.exec(output)?.[1] ?? '';

    const verified = await reversa(['dossier', 'verify', zip, '--fingerprint', fingerprint], env);
    const opened = await reversa(
      ['escrow', 'open', zip, '-i', join(home, 'demo', 'successor-identity.txt'), '--json'],
      env,
    );
    const wrongKey = await reversa(['dossier', 'verify', zip, '--fingerprint', '0'.repeat(64)], env);

    expect(verified.code, verified.stdout).toBe(0);
    expect(wrongKey.code).toBe(1);
    expect(opened.code, opened.stderr).toBe(0);
    expect(JSON.parse(opened.stdout).secrets.map((s: { name: string }) => s.name)).toEqual([
      'orders-db-admin',
      'restic-web-01',
      'vpn-psk',
    ]);
  });

  it('records the failed test as a finding the provider can document and close', async () => {
    const list = JSON.parse((await reversa(['finding', 'list', '--tenant', 'acme', '--json'], env)).stdout);
    const id = list.findings[0].findingId as string;

    const updated = await reversa(
      [
        'finding',
        'update',
        id,
        '--tenant',
        'acme',
        '--root-cause',
        'filer firmware bug',
        '--corrective-action',
        'firmware 7.2.1',
        '--close',
      ],
      env,
    );

    expect(updated.code).toBe(0);
    const after = JSON.parse((await reversa(['finding', 'list', '--tenant', 'acme', '--json'], env)).stdout);
    expect(after.findings[0]).toMatchObject({
      status: 'CLOSED',
      rootCause: 'filer firmware bug',
      correctiveAction: 'firmware 7.2.1',
    });
  });

  it('opens incidents for the serious verification findings, which a provider acknowledges and closes only with a root cause', async () => {
    const listed = await reversa(['incident', 'list', '--tenant', 'acme', '--source', 'verification', '--json'], env);
    const rpo = JSON.parse(listed.stdout).incidents.find(
      (i: { ruleId: string; resourceId: string }) => i.ruleId === 'RpoMet' && i.resourceId.endsWith(':db:orders'),
    );

    const acked = await reversa(['incident', 'ack', rpo.findingId, '--tenant', 'acme', '--note', 'on it'], env);
    const bareClose = await reversa(['incident', 'close', rpo.findingId, '--tenant', 'acme'], env);
    const closed = await reversa(
      [
        'incident',
        'close',
        rpo.findingId,
        '--tenant',
        'acme',
        '--root-cause',
        'backup plan lost its schedule in a console edit',
        '--corrective-action',
        'plans are deployed from code only; drift alarm added',
        '--json',
      ],
      env,
    );
    const shown = await reversa(['incident', 'show', rpo.findingId, '--tenant', 'acme'], env);
    const exported = join(home, 'audit-after-incident');
    await reversa(['audit', 'export', '--tenant', 'acme', '--out', exported], env);
    const audit = await reversa(
      ['audit', 'verify', exported, '--public-key', join(exported, 'public-key.pem'), '--json'],
      env,
    );

    expect(listed.code).toBe(1);
    expect(rpo).toMatchObject({ state: 'OPEN', severity: 'critical', source: 'verification' });
    expect(acked.stdout).toContain('is ACKNOWLEDGED');
    expect(bareClose.code).toBe(2);
    expect(bareClose.stderr).toMatch(/rootCause: closing an incident needs its root cause/);
    expect(JSON.parse(closed.stdout)).toMatchObject({ state: 'CLOSED', status: 'CLOSED', revision: 2 });
    expect(shown.stdout).toMatch(/acknowledged\s+20\d\d-/);
    expect(shown.stdout).toMatch(/opened by verification run/);
    expect(shown.stdout).toMatch(/closed/);
    expect(audit.code, audit.stderr).toBe(0);
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true });
    expect(shown.stdout).toContain('plans are deployed from code only');
  });

  it('renders the auditor report for the period with the audit chain head', async () => {
    const out = join(home, 'auditor.html');
    const year = String(new Date().getUTCFullYear());

    const result = await reversa(['report', '--tenant', 'acme', '--period', year, '--out', out], env);

    expect(result.code, result.stderr).toBe(0);
    const html = await readFile(out, 'utf8');
    expect(html).toContain('ISO/IEC 27001:2022');
    expect(html).toMatch(/budget-2026\.csv|s3-archive/);
    expect(html).not.toMatch(/<script|https?:\/\//);
  });

  it('issues a presigned link, valid while the local cloud runs, that downloads the same bytes, checked', async () => {
    const up = spawn(new URL('../../node_modules/.bin/tsx', import.meta.url).pathname, ['cli/main.ts', 'local', 'up'], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      // Ready when it prints its endpoints (the CLI commands below attach to it).
      await new Promise<void>((resolve, reject) => {
        let seen = '';
        up.stdout.on('data', (d) => {
          seen += d;
          if (seen.includes('local cloud up')) resolve();
        });
        up.on('close', (c) => reject(new Error(`local up exited ${c}: ${seen}`)));
      });
      const link = JSON.parse(
        (await reversa(['dossier', 'link', '--tenant', 'acme', '--expires', '2h', '--json'], env)).stdout,
      );
      const out = join(home, 'downloaded.zip');

      const result = await reversa(
        ['dossier', 'download', link.zipUrl, '-o', out, '--sha256', link.zipSha256, '--json'],
        env,
      );
      const corrupt = await reversa(
        ['dossier', 'download', link.zipUrl, '-o', join(home, 'x.zip'), '--sha256', '0'.repeat(64)],
        env,
      );

      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ sha256: link.zipSha256 });
      expect((await stat(out)).size).toBeGreaterThan(0);
      expect(corrupt.code).toBe(2);
      expect(corrupt.stderr).toContain('differs from the expected');
      expect((await reversa(['dossier', 'link', '--tenant', 'acme', '--expires', '8d'], env)).code).toBe(2);
    } finally {
      up.kill('SIGTERM');
      await new Promise((r) => up.once('close', r));
    }
  });

  it('shows restore-test results and dossier readiness beside the backup verdicts in the report', async () => {
    const report = await reversa(['report', '--tenant', 'acme'], env);
    expect(report.stdout).toMatch(/Restore tests \(last 30 days\): 1 of 2 passed/);
    expect(report.stdout).toMatch(/Reversibility dossier: v1 \(.*\) ready/);
  });

  it('reports the tenant with its restore tests and a ready dossier in status --json', async () => {
    const status = JSON.parse((await reversa(['status', '--json'], env)).stdout);
    expect(status.tenants[0]).toMatchObject({
      id: 'acme',
      restoreTests: { last30Days: 2, passed: 1, failed: 1 },
      dossier: { lastVersion: 1 },
    });
  });

  it('leaves a client and an auditor login that open the portal served by `reversa serve`', async () => {
    const client = /the client\s+(\S+)\s+password (\S+)/.exec(output);
    const auditor = /the auditor\s+(\S+)\s+password (\S+)/.exec(output);
    expect(client, output).not.toBeNull();
    const bin = new URL('../../bin/reversa.js', import.meta.url).pathname;
    const serve = spawn(process.execPath, [bin, 'serve', '--port', '0', '--json'], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        serve.stdout.on('data', (d) => {
          out += d;
          const line = out.split('\n').find((l) => l.startsWith('{'));
          if (line) resolve((JSON.parse(line) as { url: string }).url);
        });
        serve.on('close', (c) => reject(new Error(`serve exited ${c}: ${out}`)));
      });
      const login = async (email: string, password: string) =>
        (
          (await (
            await fetch(`${url}/v1/auth/login`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ email, password }),
            })
          ).json()) as { token: string }
        ).token;
      const clientToken = await login(client?.[1] as string, client?.[2] as string);
      const auditorToken = await login(auditor?.[1] as string, auditor?.[2] as string);
      const status = await fetch(`${url}/v1/tenants/acme/status`, {
        headers: { authorization: `Bearer ${clientToken}` },
      });
      const verification = await fetch(`${url}/v1/tenants/acme/audit/verification`, {
        headers: { authorization: `Bearer ${auditorToken}` },
      });

      expect(status.status).toBe(200);
      expect(((await status.json()) as { name: string }).name).toBe('ACME Industries');
      expect(verification.status).toBe(200);
      expect(((await verification.json()) as { ok: boolean }).ok).toBe(true);
    } finally {
      serve.kill('SIGTERM');
    }
  });
});
