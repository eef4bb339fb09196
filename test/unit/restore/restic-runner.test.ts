import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resticCheck, restoreAndVerifyRestic, runResticRestoreTest } from '#adapters/host/restic-runner.ts';
import { ReversaError } from '#core/errors.ts';
import { restoreTestId } from '#core/restore/ids.ts';
import { steppingClock } from './archive-fixtures.ts';

const PASSWORD = 'correct-horse-7f3a9';
const WRONG = 'wrong-password-91c2';
let root: string;
let repo: string;
let snapshotId: string;
let parent: string;

const secretsWith = (value: string) => ({ getSecret: async (name: string) => (name === 'acme/restic' ? value : '') });

function restic(args: string[], cwd?: string): string {
  return execFileSync('restic', args, {
    cwd,
    env: { ...process.env, RESTIC_PASSWORD: PASSWORD, RESTIC_REPOSITORY: repo, RESTIC_CACHE_DIR: join(root, 'cache') },
  }).toString();
}

beforeAll(() => {
  // restic init + backup take a few seconds (scrypt key derivation per command).
  root = mkdtempSync(join(tmpdir(), 'reversa-restic-'));
  repo = join(root, 'repo');
  parent = join(root, 'sandboxes');
  const data = join(root, 'data');
  mkdirSync(join(data, 'sub'), { recursive: true });
  for (let i = 0; i < 12; i++) writeFileSync(join(data, `f${i}.txt`), `file number ${i}\n`.repeat(i * 50));
  writeFileSync(join(data, 'sub', 'star*[1].txt'), 'glob characters in a name\n');
  restic(['init', '-q']);
  restic(['backup', '-q', 'data'], root);
  snapshotId = (JSON.parse(restic(['snapshots', '--json'])) as { id: string }[])[0]!.id;
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const access = (password = PASSWORD) => ({
  repository: repo,
  passwordSecret: 'acme/restic',
  secrets: secretsWith(password),
  cacheDir: join(root, 'cache'),
});

describe('restic runner on a real repository', { timeout: 60_000 }, () => {
  it('restores a snapshot, reads it back, checks it against an independent dump and restic check, then cleans up', async () => {
    const result = await restoreAndVerifyRestic({
      ...access(),
      snapshotId,
      sample: 'all',
      seed: 's',
      clock: steppingClock(),
      sandboxParent: parent,
    });

    expect(result.error).toBeUndefined();
    expect(result.checks.map((c) => [c.name, c.status])).toEqual([
      ['file-list', 'PASSED'],
      ['checksums', 'PASSED'],
      ['restic-check', 'PASSED'],
    ]);
    expect(result.checks[1]!.counts).toMatchObject({ expected: 13, compared: 13, matched: 13 });
    expect(result.cleanup).toMatchObject({ result: 'CLEANED', removed: 13, remaining: 0 });
    expect(readdirSync(parent)).toEqual([]);
  });

  it('restores only the sampled paths (with --include, glob characters escaped)', async () => {
    const result = await restoreAndVerifyRestic({
      ...access(),
      snapshotId,
      sample: { count: 4 },
      seed: 'seed-x',
      clock: steppingClock(),
      sandboxParent: parent,
      validators: ['file-list', 'checksums'],
    });

    expect(result.sample).toEqual({ mode: 'count', value: 4, selected: 4, of: 13 });
    expect(result.checks.map((c) => c.status)).toEqual(['PASSED', 'PASSED']);
    expect(result.checks[1]!.counts.compared).toBe(4);
    expect(result.cleanup.removed).toBe(4);
  });

  it('builds a PASSED evidence record with the achieved RPO and RTO', async () => {
    const scheduledAt = Date.UTC(2026, 0, 4, 3, 0, 0);
    const evidence = await runResticRestoreTest({
      tenantId: 'acme',
      resourceId: 'restic:vm:/data',
      scheduledAt,
      policyName: 'weekly',
      strategyVersion: { version: 3, contentSha256: 'a'.repeat(64) },
      recoveryPoint: { id: snapshotId, createdAt: scheduledAt - 3_600_000 },
      maxRto: { ms: 3_600_000, text: '1h' },
      run: {
        ...access(),
        snapshotId,
        sample: 'all',
        seed: 's',
        clock: steppingClock(scheduledAt),
        sandboxParent: parent,
      },
    });

    expect(evidence.outcome).toBe('PASSED');
    expect(evidence.testId).toBe(restoreTestId({ tenantId: 'acme', resourceId: 'restic:vm:/data', scheduledAt }));
    expect(evidence.recoveryPoint?.achievedRpoMs).toBe(3_600_000);
    expect(evidence.rto.met).toBe(true);
    expect(evidence.checks.at(-1)?.name).toBe('rto');
  });

  it('reports a wrong password as a typed error that never contains the password', async () => {
    const evidence = await runResticRestoreTest({
      tenantId: 'acme',
      resourceId: 'restic:vm:/data',
      scheduledAt: 0,
      policyName: 'weekly',
      strategyVersion: { version: 1, contentSha256: 'b'.repeat(64) },
      maxRto: { ms: 1, text: '1m' },
      run: { ...access(WRONG), snapshotId, sample: 'all', seed: 's', clock: steppingClock(), sandboxParent: parent },
    });

    expect(evidence.outcome).toBe('ERROR');
    expect(evidence.reason).toMatch(/^ConfigError: ResticWrongPassword: .*password from the secret store is wrong/);
    expect(JSON.stringify(evidence)).not.toContain(WRONG);
    expect(JSON.stringify(evidence)).not.toContain(PASSWORD);
    expect(evidence.cleanup.result).toBe('NOTHING_TO_CLEAN');
    expect(readdirSync(parent)).toEqual([]);
  });

  it('reports a missing repository as NotFoundError ResticRepositoryNotFound', async () => {
    const error = await resticCheck({ ...access(), repository: join(root, 'nope') }, 5, steppingClock()).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(ReversaError);
    expect((error as ReversaError).name).toBe('NotFoundError');
    expect((error as ReversaError).code).toBe('ResticRepositoryNotFound');
  });

  it('maps a failing restic check (corrupted pack file) to a FAILED check', async () => {
    const copy = join(root, 'corrupt-repo');
    execFileSync('cp', ['-r', repo, copy]);
    const packDir = join(copy, 'data');
    const pack = readdirSync(packDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name))
      .sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
    const bytes = execFileSync('cat', [pack]);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = bytes[middle]! ^ 0xff;
    writeFileSync(pack, bytes);

    const check = await resticCheck({ ...access(), repository: copy }, 100, steppingClock());

    expect(check.status).toBe('FAILED');
    expect(check.message).toContain('--read-data-subset=100%');
  });
});
