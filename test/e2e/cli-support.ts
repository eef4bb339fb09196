import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const BIN = new URL('../../bin/reversa.js', import.meta.url).pathname;

/** Runs `reversa …` exactly as a user does (`npx reversa` runs bin/reversa.js on the pinned Node). */
export function reversa(args: string[], env: Record<string, string>, cwd?: string, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      cwd: cwd ?? process.cwd(),
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (input !== undefined) child.stdin?.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => {
      stdout += d;
    });
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export async function freshHome(label: string): Promise<Record<string, string>> {
  return { REVERSA_HOME: await mkdtemp(join(tmpdir(), `reversa-e2e-${label}-`)) };
}

/** Six hourly generic backups of `resource`, 10:00 to 15:00 UTC on 2026-11-20: the RPO deadline of the last is 16:00. */
export function hourlyReport(resource: string): string {
  const jobs = [10, 11, 12, 13, 14, 15].map((h, i) => ({
    id: `files-${h}`,
    resource,
    state: 'COMPLETED',
    startedAt: `2026-11-20T${h}:00:00Z`,
    completedAt: `2026-11-20T${h}:05:00Z`,
    sizeBytes: 1_000_000 + i,
    recoveryPoint: { id: `files-rp-${h}` },
  }));
  return JSON.stringify({ reversaJobReport: 1, tool: 'e2e', jobs });
}
