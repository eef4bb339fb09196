import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobReport } from '#core/ingest/detect.ts';
import { resticLocator } from '#core/ingest/restic.ts';
import { validationErrorOf } from './helpers.ts';

// Test-only repository password: the repository lives in a temp dir deleted after the run.
const RESTIC_TEST_PASSWORD = 'reversa-test-password';
const RECEIVED = Date.parse('2030-01-01T00:00:00Z');

interface Captured {
  snapshots: string;
  backups: string[];
  dataA: string;
  dataB: string;
}

let dir: string;
let cap: Captured;

function restic(args: string[], repo: string): string {
  return execFileSync('restic', args, {
    encoding: 'utf8',
    env: {
      ...process.env,
      RESTIC_REPOSITORY: repo,
      RESTIC_PASSWORD: RESTIC_TEST_PASSWORD,
      RESTIC_CACHE_DIR: join(dir, 'cache'),
    },
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'reversa-restic-'));
  const repo = join(dir, 'repo');
  const dataA = join(dir, 'data', 'etc');
  const dataB = join(dir, 'data', 'www');
  mkdirSync(dataA, { recursive: true });
  mkdirSync(dataB, { recursive: true });
  writeFileSync(join(dataA, 'app.conf'), 'port=8080\n');
  writeFileSync(join(dataB, 'index.html'), '<h1>hello</h1>\n');
  restic(['init', '--quiet'], repo);
  const backups: string[] = [];
  backups.push(
    restic(['backup', '--json', '--host', 'web1', '--tag', 'daily', '--tag', 'env=prod', dataB, dataA], repo),
  );
  writeFileSync(join(dataB, 'index.html'), '<h1>hello again, with more bytes</h1>\n');
  backups.push(
    restic(['backup', '--json', '--host', 'web1', '--tag', 'daily', '--tag', 'env=prod', dataA, dataB], repo),
  );
  cap = { snapshots: restic(['snapshots', '--json'], repo), backups, dataA, dataB };
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const ctx = (fileName: string) => ({
  tenantId: 'acme',
  fileName,
  receivedAt: RECEIVED,
  repository: 'sftp:backup@nas:/restic',
});

describe('restic snapshots --json (real restic output)', () => {
  it('gives one COMPLETED job and one encrypted AVAILABLE point per snapshot, under the host:paths locator', () => {
    const { format, batch } = parseJobReport(cap.snapshots, ctx('snapshots.json'));
    const snapshots = JSON.parse(cap.snapshots) as { id: string; short_id: string; time: string }[];
    const locator = resticLocator('web1', [cap.dataA, cap.dataB]);

    expect(format).toBe('restic-snapshots');
    expect(batch.jobs).toHaveLength(2);
    expect(batch.recoveryPoints.map((p) => p.recoveryPointId).sort()).toEqual(snapshots.map((s) => s.id).sort());
    for (const p of batch.recoveryPoints) {
      expect(p).toMatchObject({
        resourceId: locator,
        status: 'AVAILABLE',
        encrypted: true,
        location: 'sftp:backup@nas:/restic',
      });
    }
    for (const j of batch.jobs) {
      expect(j).toMatchObject({ resourceId: locator, state: 'COMPLETED', source: 'restic' });
      expect(j.jobId).toHaveLength(8);
    }
    expect(batch.resources).toEqual([
      expect.objectContaining({ resourceId: locator, tags: { daily: '', env: 'prod' } }),
    ]);
    expect(locator).toBe(`restic:web1:${[cap.dataA, cap.dataB].sort().join(',')}`);
  });

  it('takes observation and creation times from the snapshot, never from the wall clock', () => {
    const { batch } = parseJobReport(cap.snapshots, ctx('snapshots.json'));
    const times = (JSON.parse(cap.snapshots) as { time: string }[]).map((s) =>
      Date.parse(s.time.replace(/(\.\d{3})\d+/, '$1')),
    );

    expect(batch.recoveryPoints.map((p) => p.createdAt).sort()).toEqual(times.sort());
    expect(batch.jobs.every((j) => j.observedAt < RECEIVED)).toBe(true);
  });

  it('gives an identical batch for the snapshots reversed or listed twice', () => {
    const list = JSON.parse(cap.snapshots) as unknown[];
    const a = parseJobReport(cap.snapshots, ctx('s.json')).batch;
    const b = parseJobReport(JSON.stringify([...list].reverse().concat(list)), ctx('s.json')).batch;

    expect(b).toEqual(a);
  });
});

describe('restic backup --json (real restic output)', () => {
  it('refuses raw output that does not say which host and paths it backed up', () => {
    const err = validationErrorOf(() => parseJobReport(cap.backups[0]!, ctx('backup.json')));

    expect(err.code).toBe('InvalidJobReport');
    expect(err.problems[0]!.message).toContain('reversa_context');
    expect(err.problems[0]!.file).toBe('backup.json');
  });

  it('reads the summary with a reversa_context first line: size, duration, snapshot id', () => {
    const contextLine = JSON.stringify({
      message_type: 'reversa_context',
      host: 'web1',
      paths: [cap.dataB, cap.dataA],
      startedAt: '2029-12-31T23:00:00Z',
    });
    const summary = cap.backups[1]!.trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((m) => m.message_type === 'summary');

    const { format, batch } = parseJobReport(`${contextLine}\n${cap.backups[1]}`, ctx('backup.ndjson'));

    expect(format).toBe('restic-backup');
    expect(batch.jobs).toEqual([
      {
        tenantId: 'acme',
        source: 'restic',
        kind: 'backup',
        jobId: summary.snapshot_id.slice(0, 8),
        resourceId: resticLocator('web1', [cap.dataA, cap.dataB]),
        state: 'COMPLETED',
        startedAt: Date.parse('2029-12-31T23:00:00Z'),
        completedAt: Date.parse('2029-12-31T23:00:00Z') + Math.round(summary.total_duration * 1000),
        sizeBytes: summary.total_bytes_processed,
        recoveryPointId: summary.snapshot_id,
        location: 'sftp:backup@nas:/restic',
        observedAt: Date.parse('2029-12-31T23:00:00Z') + Math.round(summary.total_duration * 1000),
      },
    ]);
  });

  it('shares the job id with the snapshot listing, so ingesting both counts one backup', () => {
    const contextLine = JSON.stringify({
      message_type: 'reversa_context',
      host: 'web1',
      paths: [cap.dataA, cap.dataB],
    });
    const fromBackup = parseJobReport(`${contextLine}\n${cap.backups[0]}`, ctx('b.ndjson')).batch.jobs[0]!;
    const fromSnapshots = parseJobReport(cap.snapshots, ctx('s.json')).batch.jobs.map((j) => j.jobId);

    expect(fromSnapshots).toContain(fromBackup.jobId);
  });

  it('accepts the wrapper object carrying host, paths and the raw output', () => {
    const wrapper = JSON.stringify({
      reversaJobReport: 1,
      tool: 'restic-backup',
      host: 'web1',
      paths: [cap.dataA, cap.dataB],
      repository: 's3:s3.eu-west-3.amazonaws.com/acme-restic',
      output: cap.backups[0],
    });

    const { format, batch } = parseJobReport(wrapper, ctx('wrapped.json'));

    expect(format).toBe('restic-backup');
    expect(batch.recoveryPoints[0]).toMatchObject({
      encrypted: true,
      location: 's3:s3.eu-west-3.amazonaws.com/acme-restic',
    });
  });

  it('records a FAILED job when the output stops before its summary', () => {
    const contextLine = JSON.stringify({
      message_type: 'reversa_context',
      host: 'web1',
      paths: ['/srv'],
      startedAt: '2029-12-31T22:00:00Z',
    });
    const error = JSON.stringify({
      message_type: 'error',
      error: { message: 'open /srv/db: permission denied' },
      during: 'archival',
      item: '/srv/db',
    });

    const { batch } = parseJobReport(`${contextLine}\n${error}\n`, ctx('failed.ndjson'));

    expect(batch.jobs[0]).toMatchObject({
      state: 'FAILED',
      resourceId: 'restic:web1:/srv',
      jobId: `failed-${Date.parse('2029-12-31T22:00:00Z')}`,
      statusMessage: expect.stringContaining('permission denied'),
    });
    expect(batch.recoveryPoints).toEqual([]);
  });
});
