/**
 * Demo job reports as the tenant's tools would drop them in the S3 inbox: a live restic run
 * (Debian's restic, on a repository created on the spot), the captured pgBackRest `info` output
 * moved to the present, and a generic JSON report from a NAS backup tool whose last "successful"
 * run wrote zero bytes.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface DemoReport {
  /** File name in the inbox, `inbox/acme/<name>`. */
  name: string;
  text: string;
  /** Where it came from, for the demo's narration. */
  origin: string;
}

async function hasRestic(): Promise<boolean> {
  try {
    await run('restic', ['version']);
    return true;
  } catch {
    return false;
  }
}

/**
 * Two real `restic backup --json` runs of a small web root on host web-01. A wrapper on the
 * server would prepend the reversa_context line (docs/job-reports.md), because restic's summary
 * names neither the host nor the paths.
 */
export async function resticReports(
  workDir: string,
  now: number,
  password: string,
): Promise<{ reports: DemoReport[]; live: boolean }> {
  if (!(await hasRestic())) {
    const text = await readFile(new URL('../../examples/demo/restic-backup.ndjson', import.meta.url), 'utf8');
    return {
      live: false,
      reports: [
        {
          name: 'restic-backup-web-01.ndjson',
          text: withContext(text, now - 2 * HOUR),
          origin: 'committed restic output (restic not installed)',
        },
      ],
    };
  }
  const repo = join(workDir, 'restic-repo');
  const www = join(workDir, 'web-01', 'srv', 'www');
  await rm(repo, { recursive: true, force: true });
  await mkdir(www, { recursive: true });
  // The repository password reaches restic through the environment, never argv (it is in the secret store too).
  const env = { ...process.env, RESTIC_PASSWORD: password, RESTIC_REPOSITORY: repo };
  await run('restic', ['init', '--quiet'], { env });
  const reports: DemoReport[] = [];
  for (const [i, ago] of [26 * HOUR, 2 * HOUR].entries()) {
    await writeFile(join(www, 'index.html'), `<h1>ACME</h1><p>build ${i}</p>\n`);
    await writeFile(join(www, `asset-${i}.bin`), randomBytes(64 * 1024));
    const { stdout } = await run('restic', ['backup', '--json', '--host', 'web-01', www], { env, maxBuffer: 16 << 20 });
    reports.push({
      name: `restic-backup-web-01-${i + 1}.ndjson`,
      text: withContext(stdout, now - ago),
      origin: 'live restic 0.14 run',
    });
  }
  return { reports, live: true };
}

function withContext(resticOutput: string, startedAt: number): string {
  const context = {
    message_type: 'reversa_context',
    host: 'web-01',
    paths: ['/srv/www'],
    startedAt: new Date(startedAt).toISOString(),
  };
  return `${JSON.stringify(context)}\n${resticOutput}`;
}

/** The pgBackRest capture (test/fixtures/pgbackrest, stanza "demo"), moved so its last backup ended 5 hours ago, as stanza "main". */
export async function pgbackrestReport(now: number): Promise<DemoReport> {
  const captured = JSON.parse(
    await readFile(new URL('../../test/fixtures/pgbackrest/info-plain.json', import.meta.url), 'utf8'),
  ) as Array<{ name: string; backup: Array<{ timestamp: { start: number; stop: number } }> }>;
  const stanza = captured[0]!;
  const lastStop = Math.max(...stanza.backup.map((b) => b.timestamp.stop));
  const shift = Math.round((now - 5 * HOUR) / 1000) - lastStop;
  stanza.name = 'main';
  for (const b of stanza.backup) {
    b.timestamp.start += shift;
    b.timestamp.stop += shift;
  }
  return {
    name: 'pgbackrest-info-main.json',
    text: JSON.stringify(captured),
    origin: 'captured pgBackRest 2.45 output, time-shifted',
  };
}

/** 30 nightly NAS backups of ~48 GiB; the last one "completed" with 0 bytes. */
export function genericNasReport(now: number): DemoReport {
  const jobs = [];
  const today = new Date(now);
  const todayRun = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), 0, 30);
  // The newest run is today's 00:30 UTC one if it is over, else yesterday's.
  const newest = todayRun <= now - HOUR ? todayRun : todayRun - DAY;
  for (let day = 29; day >= 0; day--) {
    const start = newest - day * DAY;
    const size = day === 0 ? 0 : 48 * 2 ** 30 + (day % 5) * 2 ** 28;
    jobs.push({
      id: `projects-${new Date(start).toISOString().slice(0, 10)}`,
      resource: 'nas://filer-01/projects',
      resourceType: 'NAS',
      state: 'COMPLETED',
      startedAt: new Date(start).toISOString(),
      completedAt: new Date(start + (day === 0 ? 40_000 : 95 * 60_000)).toISOString(),
      sizeBytes: size,
      recoveryPoint: {
        id: `projects-snap-${new Date(start).toISOString().slice(0, 10)}`,
        encrypted: true,
        location: 's3://acme-nas-backups',
      },
    });
  }
  const report = { reversaJobReport: 1, tool: 'filer-backup 4.2', generatedAt: new Date(now).toISOString(), jobs };
  return { name: 'filer-01-projects.json', text: JSON.stringify(report, null, 2), origin: 'generic JSON job report' };
}
