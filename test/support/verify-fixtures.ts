/** Small builders for verify-workflow tests and the benchmark: a strategy, daily facts, a settable clock. */
import type { BackupJob, FactBatch, RecoveryPoint, SeenResource } from '#core/model.ts';
import type { Clock, StrategyStore } from '#core/ports.ts';
import { parseStrategy } from '#core/strategy/parse.ts';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export interface SettableClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

export function settableClock(start: number): SettableClock {
  let now = start;
  return {
    now: () => now,
    set: (ms) => {
      now = ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

/** A strategy declaring generic resources with a default RPO (24h unless given). */
export function strategyYaml(
  tenantId: string,
  locators: readonly string[],
  opts: { rpo?: string; lookback?: string } = {},
): string {
  const lines = [
    'apiVersion: reversa/v1',
    'tenant:',
    `  id: ${tenantId}`,
    `  name: Tenant ${tenantId}`,
    'timezone: UTC',
    'defaults:',
    `  rpo: ${opts.rpo ?? '24h'}`,
    '  retention: 7d',
    `  lookback: ${opts.lookback ?? '14d'}`,
    'resources:',
  ];
  for (const locator of locators) {
    lines.push(
      `  - locator: ${JSON.stringify(locator)}`,
      `    name: ${JSON.stringify(`Resource ${locator}`)}`,
      '    source: generic',
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function applyStrategy(
  strategies: StrategyStore,
  text: string,
  appliedAt: number,
  fileName = 'strategy.yaml',
): Promise<number> {
  const parsed = parseStrategy(text, fileName);
  const { version } = await strategies.putVersion({
    tenantId: parsed.document.tenant.id,
    contentSha256: parsed.contentSha256,
    appliedAt,
    author: 'test',
    source: text,
    fileName,
  });
  return version.version;
}

/** One completed backup job and one AVAILABLE recovery point per day, the last one at `lastAt`. */
export function dailyFacts(tenantId: string, resourceId: string, days: number, lastAt: number): FactBatch {
  const jobs: BackupJob[] = [];
  const recoveryPoints: RecoveryPoint[] = [];
  for (let d = days - 1; d >= 0; d--) {
    const startedAt = lastAt - d * DAY;
    const id = `${resourceId}@${startedAt}`;
    jobs.push({
      tenantId,
      source: 'generic',
      kind: 'backup',
      jobId: `job-${id}`,
      resourceId,
      state: 'COMPLETED',
      startedAt,
      completedAt: startedAt + 10 * MINUTE,
      sizeBytes: 1_000_000,
      recoveryPointId: `rp-${id}`,
      observedAt: startedAt + 10 * MINUTE,
    });
    recoveryPoints.push({
      tenantId,
      source: 'generic',
      recoveryPointId: `rp-${id}`,
      resourceId,
      status: 'AVAILABLE',
      createdAt: startedAt,
      sizeBytes: 1_000_000,
      observedAt: startedAt + 10 * MINUTE,
    });
  }
  const seen: SeenResource = {
    tenantId,
    source: 'generic',
    resourceId,
    firstSeenAt: lastAt - (days - 1) * DAY,
    lastSeenAt: lastAt,
  };
  return { jobs, recoveryPoints, resources: [seen] };
}

/** Concatenates fact batches (one putFacts call instead of many). */
export function mergeFacts(batches: readonly FactBatch[]): FactBatch {
  return {
    jobs: batches.flatMap((b) => b.jobs),
    recoveryPoints: batches.flatMap((b) => b.recoveryPoints),
    resources: batches.flatMap((b) => b.resources),
  };
}
