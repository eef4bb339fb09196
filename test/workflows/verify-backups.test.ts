import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLocalEvents } from '#adapters/local/file-event-publisher.ts';
import { InternalError, TransientError } from '#core/errors.ts';
import type { FactBatch } from '#core/model.ts';
import type { VerificationCompletedDetail } from '#core/use-cases/verify.ts';
import type { VerificationReport } from '#core/verify/report-types.ts';
import type { LocalLambda } from '#local/asl-runner.ts';
import type { LocalCloud } from '#local/cloud.ts';
import { runVerify, verifyLambdas } from '#local/verify-runner.ts';
import { EventDetailTypes } from '#statemachines/names.ts';
import type { Adapters } from '#wiring/adapters.ts';
import { type CloudFixture, startTestCloud } from '../support/local-cloud.ts';
import {
  applyStrategy,
  DAY,
  dailyFacts,
  HOUR,
  mergeFacts,
  type SettableClock,
  settableClock,
  strategyYaml,
} from '../support/verify-fixtures.ts';

const AT = Date.parse('2026-03-10T12:00:00Z');

let fixture: CloudFixture;
let cloud: LocalCloud;
let clock: SettableClock;
let adapters: Adapters;

beforeAll(async () => {
  clock = settableClock(AT);
  fixture = await startTestCloud({ label: 'verify-wf', clock });
  ({ cloud, adapters } = fixture);
});

afterAll(async () => {
  await fixture?.stop();
});

async function seedTenant(tenantId: string, facts: FactBatch, locators: string[]): Promise<void> {
  await applyStrategy(adapters.strategies, strategyYaml(tenantId, locators), AT - 30 * DAY);
  await adapters.facts.putFacts(facts);
}

function rpoVerdict(report: VerificationReport, resourceId: string): string | undefined {
  const resource = report.resources.find((r) => r.resourceId === resourceId);
  return resource?.results.find((r) => r.ruleId === 'RpoMet')?.verdict.status;
}

describe('verify-backups workflow on the local cloud', () => {
  it('stores a report with the RPO verdicts, indexes its summary and emits the completion event', async () => {
    const tenantId = 'wf-happy';
    const fresh = 'db-fresh';
    const stale = 'db-stale';
    await seedTenant(
      tenantId,
      mergeFacts([dailyFacts(tenantId, fresh, 10, AT - 2 * HOUR), dailyFacts(tenantId, stale, 10, AT - 3 * DAY)]),
      [fresh, stale],
    );

    const run = await runVerify(
      { ...adapters },
      { tenantId, at: new Date(AT).toISOString(), reason: 'test' },
      { executionName: 'verify-wf-happy-1', zeroWaits: true },
    );

    expect(run.status).toBe('SUCCEEDED');
    const detail = run.output as VerificationCompletedDetail;
    expect(detail.runId).toBe('verify-wf-happy-1');
    const report = JSON.parse(await adapters.blobs.getText(detail.reportKey)) as VerificationReport;
    expect(rpoVerdict(report, fresh)).toBe('COMPLIANT');
    expect(rpoVerdict(report, stale)).toBe('NON_COMPLIANT');
    expect(report.findings.map((f) => f.findingId)).toContain(`${stale}#RpoMet`);
    expect(detail.reportKey).toMatch(/^reports\/wf-happy\/20260310T120000Z-verify-wf-happy-1\.json$/);

    const latest = await adapters.reports.getLatest(tenantId);
    expect(latest).toMatchObject({ runId: 'verify-wf-happy-1', reportKey: detail.reportKey });
    expect(latest?.counts.resources).toBe(2);

    const state = await adapters.tenants.get(tenantId);
    expect(state?.lastVerifiedAt).toBe(AT);
    // The fresh resource's RPO runs out 24 h after its last point: the sweep must look again then.
    expect(state?.nextDeadline).toBe(AT - 2 * HOUR + DAY);

    const events = (await readLocalEvents(cloud.eventsFile)).filter((e) => e.detail.tenantId === tenantId);
    // Persist tells the stale resource's missed deadline and its incident (catalogue events, for
    // notifications) before the workflow's completion event.
    expect(events.map((e) => e['detail-type'])).toEqual([
      'reversa.finding.opened',
      'reversa.backup.deadline-missed',
      EventDetailTypes.VerificationCompleted,
    ]);
    expect(events[1]?.detail).toMatchObject({ subject: stale, data: { ruleId: 'RpoMet' } });
    expect(events[2]?.detail).toEqual(detail);
    expect(detail.compliancePercent).toBe(report.compliancePercent);
  });

  it('retries a step that fails with TransientError and then succeeds', async () => {
    const tenantId = 'wf-transient';
    await seedTenant(tenantId, dailyFacts(tenantId, 'db-1', 3, AT - HOUR), ['db-1']);
    const real = verifyLambdas(adapters);
    let calls = 0;
    const flaky: LocalLambda = async (payload) => {
      calls++;
      if (calls === 1) throw new TransientError('Throttled', 'DynamoDB throttled the read');
      return (real.EvaluateBatchFunctionArn as LocalLambda)(payload);
    };

    const run = await runVerify(
      { ...adapters },
      { tenantId, at: new Date(AT).toISOString() },
      { executionName: 'verify-wf-transient-1', zeroWaits: true, lambdas: { EvaluateBatchFunctionArn: flaky } },
    );

    expect(run.status).toBe('SUCCEEDED');
    expect(calls).toBe(2);
    expect(run.retries.EvaluateBatch).toBe(1);
    expect((await adapters.reports.getLatest(tenantId))?.runId).toBe('verify-wf-transient-1');
  });

  it('fails the execution with the error name when a tenant has no strategy, and says so on the bus', async () => {
    const run = await runVerify(
      { ...adapters },
      { tenantId: 'wf-nobody', at: new Date(AT).toISOString() },
      { executionName: 'verify-wf-nobody-1', zeroWaits: true },
    );

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('NotFoundError');
    expect(run.cause).toContain('wf-nobody');
    expect(run.retries.LoadStrategy).toBeUndefined();
    const events = (await readLocalEvents(cloud.eventsFile)).filter((e) => e.detail.tenantId === 'wf-nobody');
    expect(events).toEqual([
      expect.objectContaining({
        'detail-type': EventDetailTypes.VerificationFailed,
        detail: { tenantId: 'wf-nobody', executionName: 'verify-wf-nobody-1', error: 'NotFoundError' },
      }),
    ]);
  });

  it('does not retry a permanent failure in a late step and leaves the previous report as the latest', async () => {
    const tenantId = 'wf-permanent';
    await seedTenant(tenantId, dailyFacts(tenantId, 'db-1', 3, AT - HOUR), ['db-1']);
    let calls = 0;
    const broken: LocalLambda = async () => {
      calls++;
      throw new InternalError('Bug', 'summary had no evaluatedAt');
    };

    const run = await runVerify(
      { ...adapters },
      { tenantId, at: new Date(AT).toISOString() },
      { executionName: 'verify-wf-permanent-1', zeroWaits: true, lambdas: { PersistFunctionArn: broken } },
    );

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('InternalError');
    expect(calls).toBe(1);
    expect(await adapters.reports.getLatest(tenantId)).toBeUndefined();
  });

  it('keeps every state output under 8 KiB with 1,000 resources', async () => {
    const tenantId = 'wf-large';
    const locators = Array.from({ length: 1000 }, (_, i) => `vm-${String(i).padStart(4, '0')}`);
    await seedTenant(tenantId, mergeFacts(locators.map((l) => dailyFacts(tenantId, l, 2, AT - HOUR))), locators);

    const run = await runVerify(
      { ...adapters },
      { tenantId, at: new Date(AT).toISOString() },
      { executionName: 'verify-wf-large-1', zeroWaits: true },
    );

    expect(run.status).toBe('SUCCEEDED');
    expect(run.stateOutputs.length).toBeGreaterThan(10);
    const largest = Math.max(...run.stateOutputs.map((s) => s.bytes));
    expect(largest).toBeLessThan(8 * 1024);
    expect((await adapters.reports.getLatest(tenantId))?.counts.resources).toBe(1000);
  });
});
