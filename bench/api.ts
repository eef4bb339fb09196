/**
 * Portal API benchmark: a tenant with 1,000 declared resources (a verification report over them)
 * and 10,000 restore tests (589 failed, each with its finding, a third of them closed), served by
 * `reversa serve`'s HTTP server on the local cloud. Measured:
 * GET /v1/tenants/{t}/status and GET /v1/tenants/{t}/restore-tests (a page of 50), 200 requests
 * each, one at a time, with a real token. Named baseline "use case in-process": the same work
 * called directly on the same ports. Target: p95 ≤ 50 ms for each route. Also printed: the p95 of
 * the pieces of a status request, each timed alone on the same ports (token verification, the
 * restore-test standing, dossier readiness, what the route adds), so a reader sees where the time
 * goes; the machine's load, since the numbers move with it on a shared machine.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobItem, pointItem } from '#adapters/aws/dynamo-fact-store.ts';
import { findingKeys } from '#adapters/aws/dynamo-finding-store.ts';
import { restoreTestKeys } from '#adapters/aws/dynamo-restore-test-store.ts';
import { batchPutAll, documentClient } from '#adapters/aws/dynamo-support.ts';
import { localDynamoClient } from '#adapters/local/local-clients.ts';
import { API_ROUTES } from '#api/api.ts';
import { apiHandler } from '#api/handle.ts';
import { SecretValue } from '#core/secrets/secret-value.ts';
import { dossierStanding, restoreTestStanding, tenantStatus } from '#core/use-cases/tenant-status.ts';
import { startLocalCloud } from '#local/cloud.ts';
import { servePortal } from '#local/serve.ts';
import { runVerify } from '#local/verify-runner.ts';
import { localAdapters } from '#wiring/local/adapters.ts';
import { localApiDeps, localTokenIssuer, localUserDirectory } from '#wiring/local/api.ts';
import { localTenantWiring } from '#wiring/local/tenants.ts';
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

const TENANT = 'bench-api';
const RESOURCES = 1_000;
const TESTS = 10_000;
/** Tests i with i % 17 === 0 fail. */
const FAILED = Math.ceil(TESTS / 17);
const REQUESTS = 200;
const TARGET_P95_MS = 50;
const AT = Date.parse('2026-04-01T12:00:00Z');

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function sample(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 10; i++) await fn(); // warm-up: JIT, connections, caches
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await fn();
    out.push(performance.now() - started);
  }
  return out;
}

/** The bench tenant: its strategy, a week of facts, a verification, and 10,000 restore tests over a year. */
export async function seedApiTenant(
  cloud: Awaited<ReturnType<typeof startLocalCloud>>,
  clock: ReturnType<typeof settableClock>,
) {
  const provider = localAdapters(cloud, clock);
  const locators = Array.from({ length: RESOURCES }, (_, i) => `server-${String(i).padStart(4, '0')}`);
  await applyStrategy(provider.strategies, strategyYaml(TENANT, locators, { lookback: '7d' }), AT - 30 * DAY);
  const doc = documentClient(localDynamoClient(cloud.endpoints));
  for (let i = 0; i < locators.length; i += 100) {
    const facts = mergeFacts(locators.slice(i, i + 100).map((l) => dailyFacts(TENANT, l, 7, AT - 2 * HOUR)));
    await batchPutAll(doc, cloud.tableName, [
      ...facts.jobs.map((j) => jobItem(j).item),
      ...facts.recoveryPoints.map((p) => pointItem(p).item),
    ]);
    await provider.facts.putFacts({ jobs: [], recoveryPoints: [], resources: facts.resources });
  }
  const tenants = localTenantWiring(cloud, clock);
  await runVerify(
    tenants.adapters.forTenant(TENANT),
    { tenantId: TENANT, at: new Date(AT).toISOString() },
    { zeroWaits: true },
  );
  // 10,000 tests over a year, as the store writes them (id item + listing item each).
  const items = [];
  for (let i = 0; i < TESTS; i++) {
    const testId = `rt-${String(i).padStart(5, '0')}`;
    const startedAt = new Date(AT - (i / TESTS) * 365 * DAY).toISOString();
    const summary = {
      tenantId: TENANT,
      testId,
      resourceId: locators[i % RESOURCES] as string,
      policyName: 'weekly',
      runner: 's3-archive',
      outcome: i % 17 === 0 ? 'FAILED' : 'PASSED',
      reason: 'all checks passed',
      scheduledAt: startedAt,
      startedAt,
      rtoMs: 30_000 + (i % 50) * 1000,
      rtoTargetMs: 3_600_000,
      rtoMet: true,
      strategyVersion: 1,
      evidenceKey: `restore-tests/${TENANT}/${testId}.json`,
    };
    const pk = restoreTestKeys.pk(TENANT);
    items.push(
      { pk, sk: restoreTestKeys.idSk(testId), ...summary },
      { pk, sk: restoreTestKeys.timeSk(startedAt, testId), ...summary },
    );
    if (summary.outcome === 'FAILED') {
      // The finding the workflow opens for a failed test; a third of them closed since.
      const closed = i % 3 === 0;
      const findingId = `finding-${testId}`;
      items.push({
        pk: findingKeys.pk(TENANT),
        sk: findingKeys.sk(findingId),
        tenantId: TENANT,
        findingId,
        testId,
        resourceId: summary.resourceId,
        outcome: 'FAILED',
        summary: 'checksums: 1 changed',
        openedAt: startedAt,
        status: closed ? 'CLOSED' : 'OPEN',
        state: closed ? 'CLOSED' : 'OPEN',
        severity: 'high',
        rootCause: closed ? 'disk corruption on the backup host' : '',
        correctiveAction: closed ? 'replaced the disk, re-ran the backup' : '',
        reopenings: [],
        recurring: false,
        revision: closed ? 1 : 0,
      });
    }
  }
  await batchPutAll(doc, cloud.tableName, items);

  return locators;
}

export async function benchApi(): Promise<BenchResult> {
  const home = await mkdtemp(join(tmpdir(), 'reversa-bench-api-'));
  const cloud = await startLocalCloud({ home, persist: false, exportEnv: false });
  const clock = settableClock(AT);
  try {
    await seedApiTenant(cloud, clock);
    const directory = localUserDirectory(cloud);
    const user = await directory.add(
      { email: 'client@bench.example', role: 'client', tenants: [TENANT] },
      SecretValue.fromUtf8('bench password 1'),
      AT,
    );
    const { token } = await localTokenIssuer(cloud).issue(user, AT);
    const portal = await servePortal({ handler: apiHandler(API_ROUTES, localApiDeps(cloud, { clock })), port: 0 });
    const get = async (path: string) => {
      const response = await fetch(`${portal.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return response.json();
    };
    const deps = localApiDeps(cloud, { clock });
    const ports = deps.forTenant(TENANT);
    const results = {
      status: {
        api: await sample(REQUESTS, () => get(`/v1/tenants/${TENANT}/status`)),
        direct: await sample(REQUESTS, () => tenantStatus(ports, TENANT, AT)),
      },
      restoreTests: {
        api: await sample(REQUESTS, () => get(`/v1/tenants/${TENANT}/restore-tests?limit=50`)),
        direct: await sample(REQUESTS, () => ports.restoreTests.page(TENANT, { limit: 50 })),
      },
    };
    // The pieces of a status request, each alone (in the request they overlap: the reads run side by side).
    const pieces: Array<[string, () => Promise<unknown>]> = [
      ['token verification (jose, ES256)', () => deps.verifier.verify(`Bearer ${token}`, AT)],
      ['restore-test standing', () => restoreTestStanding(ports, TENANT, AT)],
      ['dossier readiness (inputs fingerprint)', () => dossierStanding(ports, TENANT, AT)],
      [
        'latest report + last 10 tests',
        () => Promise.all([ports.reports.getLatest(TENANT), ports.restoreTests.page(TENANT, { limit: 10 })]),
      ],
    ];
    const pieceP95: string[] = [];
    for (const [name, fn] of pieces)
      pieceP95.push(`${name} ${percentile(await sample(REQUESTS, fn), 95).toFixed(1)} ms`);
    await portal.close();
    const lines = [
      `tenant: ${RESOURCES} resources, ${TESTS} restore tests (${FAILED} failed, each with its finding); ${REQUESTS} sequential requests per route over HTTP`,
      `machine: ${availableParallelism()} cores, load average ${loadavg()[0]?.toFixed(1)} at the end of the run`,
    ];
    let ok = true;
    for (const [route, r] of Object.entries(results)) {
      const p95 = percentile(r.api, 95);
      const base = percentile(r.direct, 95);
      ok &&= p95 <= TARGET_P95_MS;
      lines.push(
        `${route.padEnd(13)} API p50 ${percentile(r.api, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (target ≤ ${TARGET_P95_MS}); use case in-process p95 ${base.toFixed(1)} ms; ratio ${(p95 / base).toFixed(2)}×`,
      );
    }
    lines.push(
      `status pieces, p95 each alone: ${pieceP95.join('; ')}; no audit entry (a status read is not an evidence read)`,
    );
    return { name: 'portal API: status and restore-test list', lines, ok };
  } finally {
    await cloud.stop();
    await rm(home, { recursive: true, force: true });
  }
}
