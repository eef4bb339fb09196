/**
 * Verify-workflow benchmark: 1,000 resources × 90 days of daily facts (one job and one recovery
 * point a day: 180,000 records) on the local cloud, verified end to end through
 * statemachines/verify-backups.asl.json. Named baseline "direct use cases": the same four steps
 * called directly (same batches, 8 at a time, like the Map's MaxConcurrency) without the ASL
 * runner. Target: the workflow costs at most 1.5× the direct calls, i.e. orchestration (payload
 * round-trips, state transitions) is small next to the work.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jobItem, pointItem } from '#adapters/aws/dynamo-fact-store.ts';
import { batchPutAll, documentClient, mapLimit } from '#adapters/aws/dynamo-support.ts';
import { localDynamoClient } from '#adapters/local/local-clients.ts';
import { aggregate, evaluateBatch, loadStrategy, persist } from '#core/use-cases/verify.ts';
import { startLocalCloud } from '#local/cloud.ts';
import { runVerify } from '#local/verify-runner.ts';
import { localAdapters } from '#wiring/local/adapters.ts';
import {
  applyStrategy,
  DAY,
  dailyFacts,
  HOUR,
  mergeFacts,
  settableClock,
  strategyYaml,
} from '../test/support/verify-fixtures.ts';
import type { BenchResult } from './types.ts';

const RESOURCES = 1_000;
const DAYS = 90;
const TARGET_RATIO = 1.5;
const AT = Date.parse('2026-04-01T12:00:00Z');
const TENANT = 'bench-verify';

async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { seconds: (performance.now() - started) / 1_000, value };
}

export async function benchVerifyWorkflow(): Promise<BenchResult> {
  const home = await mkdtemp(join(tmpdir(), 'reversa-bench-verify-'));
  const cloud = await startLocalCloud({ home, persist: false, exportEnv: false });
  try {
    const adapters = localAdapters(cloud, settableClock(AT));
    const locators = Array.from({ length: RESOURCES }, (_, i) => `server-${String(i).padStart(4, '0')}`);
    await applyStrategy(adapters.strategies, strategyYaml(TENANT, locators, { lookback: `${DAYS}d` }), AT - 100 * DAY);
    // Seeding is not what is measured: write the very items FactStore writes with plain BatchWriteItem
    // (an AVAILABLE point is a conditional put in putFacts, ~1k/s on dynalite), seen resources via putFacts.
    const doc = documentClient(localDynamoClient(cloud.endpoints));
    const seed = await timed(async () => {
      for (let i = 0; i < locators.length; i += 100) {
        const facts = mergeFacts(locators.slice(i, i + 100).map((l) => dailyFacts(TENANT, l, DAYS, AT - 2 * HOUR)));
        const items = [
          ...facts.jobs.map((j) => jobItem(j).item),
          ...facts.recoveryPoints.map((p) => pointItem(p).item),
        ];
        await batchPutAll(doc, cloud.tableName, items);
        await adapters.facts.putFacts({ jobs: [], recoveryPoints: [], resources: facts.resources });
      }
    });
    const records = RESOURCES * DAYS * 2;
    const input = { tenantId: TENANT, at: new Date(AT).toISOString(), reason: 'bench' };

    const directRun = async (executionName: string) => {
      const plan = await loadStrategy(adapters, { input, executionName });
      await mapLimit(plan.batches, 8, (batch) =>
        evaluateBatch(adapters, { tenantId: TENANT, runId: plan.runId, planKey: plan.planKey, batch }),
      );
      const agg = await aggregate(adapters, { ...plan, batchCount: plan.batchCount });
      return persist(adapters, agg);
    };
    // Warm-up (JIT, connections), and so both timed runs compare with a previous report, as in production.
    await directRun('bench-warmup');
    const direct = await timed(() => directRun('bench-direct'));
    const workflow = await timed(() => runVerify(adapters, input, { executionName: 'bench-asl', zeroWaits: true }));
    const latest = await adapters.reports.getLatest(TENANT);

    const ratio = workflow.seconds / direct.seconds;
    const ok = workflow.value.status === 'SUCCEEDED' && latest?.counts.resources === RESOURCES && ratio <= TARGET_RATIO;
    return {
      name: `verify workflow: ${RESOURCES} resources × ${DAYS} days (${records.toLocaleString('en')} fact records)`,
      ok,
      lines: [
        `seed (BatchWriteItem):    ${seed.seconds.toFixed(2)} s, ${Math.round(records / seed.seconds).toLocaleString('en')} records/s`,
        `baseline direct use cases: ${direct.seconds.toFixed(2)} s, ${Math.round(records / direct.seconds).toLocaleString('en')} records/s`,
        `ASL workflow (local):     ${workflow.seconds.toFixed(2)} s, ${Math.round(records / workflow.seconds).toLocaleString('en')} records/s, status ${workflow.value.status}`,
        `ratio workflow / direct:  ${ratio.toFixed(2)}× (target ≤ ${TARGET_RATIO}×)`,
        `largest state payload:    ${Math.max(...workflow.value.stateOutputs.map((s) => s.bytes))} bytes`,
        `report: ${latest?.counts.resources ?? 0} resources, compliance ${latest?.compliancePercent ?? '?'} %`,
      ],
    };
  } finally {
    await cloud.stop();
    await rm(home, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchVerifyWorkflow();
  console.log(`${result.name} ${result.ok ? '(target met)' : '(TARGET MISSED)'}`);
  for (const line of result.lines) console.log(`  ${line}`);
  process.exitCode = result.ok ? 0 : 1;
}
