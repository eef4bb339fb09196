import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweep } from '#core/use-cases/sweep.ts';
import type { VerificationCompletedDetail } from '#core/use-cases/verify.ts';
import type { VerificationReport } from '#core/verify/report-types.ts';
import { LocalVerifyStarter } from '#local/verify-runner.ts';
import type { Adapters } from '#wiring/adapters.ts';
import { localAdapters } from '#wiring/local/adapters.ts';
import { perTenant } from '#wiring/tenant-scope.ts';
import { type CloudFixture, startTestCloud } from '../support/local-cloud.ts';
import {
  applyStrategy,
  DAY,
  dailyFacts,
  HOUR,
  MINUTE,
  settableClock,
  strategyYaml,
} from '../support/verify-fixtures.ts';

let cloud: CloudFixture;

beforeAll(async () => {
  cloud = await startTestCloud({ label: 'sweep-wf' });
});

afterAll(async () => {
  await cloud?.stop();
});

function fixture(start: number): {
  adapters: Adapters;
  clock: ReturnType<typeof settableClock>;
  starter: LocalVerifyStarter;
} {
  const clock = settableClock(start);
  const adapters = localAdapters(cloud.cloud, clock);
  return {
    adapters,
    clock,
    starter: new LocalVerifyStarter(
      perTenant(() => adapters),
      { zeroWaits: true },
    ),
  };
}

describe('deadline sweep on the local cloud', () => {
  it('flags a missed backup within 5 minutes of its RPO deadline', async () => {
    const tenantId = 'sweep-missed';
    const lastBackup = Date.parse('2026-03-10T02:02:30Z');
    const deadline = lastBackup + DAY; // RPO 24h, and no backup ever comes after lastBackup
    const { adapters, clock, starter } = fixture(lastBackup + HOUR);
    await applyStrategy(adapters.strategies, strategyYaml(tenantId, ['db-1']), lastBackup - 10 * DAY);
    await adapters.facts.putFacts(dailyFacts(tenantId, 'db-1', 5, lastBackup));
    const deps = { ...adapters, starter };

    // Sweeps fire every 5 minutes on the clock grid, as rate(5 minutes) does.
    clock.set(Math.ceil(clock.now() / (5 * MINUTE)) * 5 * MINUTE);
    const firstSweep = await sweep(deps);
    expect(firstSweep.started.map((s) => s.reason)).toEqual(['never-verified']);
    expect((await adapters.tenants.get(tenantId))?.nextDeadline).toBe(deadline);

    let flaggedBy: { at: number; name: string } | undefined;
    while (flaggedBy === undefined && clock.now() < deadline + HOUR) {
      clock.advance(5 * MINUTE);
      const result = await sweep(deps);
      if (result.started.length > 0) {
        expect(clock.now()).toBeGreaterThanOrEqual(deadline);
        expect(result.started[0]?.reason).toBe('deadline-passed');
        flaggedBy = { at: clock.now(), name: result.started[0]?.name as string };
      }
    }

    expect(flaggedBy).toBeDefined();
    expect(flaggedBy?.at).toBeLessThanOrEqual(deadline + 5 * MINUTE);
    const run = starter.results.find((r) => r.name === flaggedBy?.name)?.result;
    expect(run?.status).toBe('SUCCEEDED');
    const detail = run?.output as VerificationCompletedDetail;
    const report = JSON.parse(await adapters.blobs.getText(detail.reportKey)) as VerificationReport;
    const rpo = report.resources[0]?.results.find((r) => r.ruleId === 'RpoMet');
    expect(rpo?.verdict.status).toBe('NON_COMPLIANT');
    expect(report.newFindings).toContain('db-1#RpoMet');
  });

  it('runs one verification when two deliveries of the same sweep race', async () => {
    const tenantId = 'sweep-double';
    const at = Date.parse('2026-03-10T08:01:00Z');
    const { adapters, starter } = fixture(at);
    await applyStrategy(adapters.strategies, strategyYaml(tenantId, ['db-1']), at - 10 * DAY);
    await adapters.facts.putFacts(dailyFacts(tenantId, 'db-1', 3, at - HOUR));
    const deps = { ...adapters, starter };

    const [a, b] = await Promise.all([sweep(deps), sweep(deps)]);

    const started = [...a.started, ...b.started].filter((s) => s.tenantId === tenantId);
    const refused = [...a.alreadyStarted, ...b.alreadyStarted].filter((s) => s.tenantId === tenantId);
    expect(started).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect((await adapters.reports.listReports(tenantId, 10)).map((r) => r.runId)).toEqual([
      'verify-sweep-double-20260310T0800',
    ]);
  });
});
