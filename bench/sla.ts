/**
 * SLA statement benchmark: the statement of one tenant with 1,000 resources over a month of
 * 5-minute verification history (8.6 M RPO observations, 30,000 restore tests, 500 incidents),
 * and of 100 tenants with 10 resources each (the same 8.6 M observations spread over tenants).
 * Target: ≤ 2 s for the one tenant. The baseline, measured on the same stored facts in the same
 * run, is a bare scan reading each observation's time and deadline and each test's outcome: the
 * ratio is how far the statement is from the cost of touching its facts.
 *
 * Facts are generated from a fixed seed; only the computation and the bare scan are timed.
 * bench/sla-history.ts adds the read of a month's RPO history (sidecars against full reports).
 */
import { pathToFileURL } from 'node:url';
import { computeStatement } from '#core/sla/statement.ts';
import type { RpoSeries, SlaFacts, SlaIncident, SlaInput, SlaRestoreTest } from '#core/sla/types.ts';
import type { ContractSection } from '#core/strategy/contract-schema.ts';
import { benchSlaHistoryRead } from './sla-history.ts';
import type { BenchResult } from './types.ts';

const FROM = Date.parse('2026-10-31T23:00:00Z'); // November 2026 in Europe/Paris
const TO = Date.parse('2026-11-30T23:00:00Z');
const STEP = 5 * 60_000;
const HOUR = 3_600_000;
const TARGET_MS = 2_000;

const CONTRACT: ContractSection = {
  reference: 'BENCH-1',
  start: '2026-01-01',
  currency: 'EUR',
  monthlyFee: 10_000,
  measurementPeriod: 'month',
  maintenanceWindows: [{ every: 'sunday', at: '02:00', duration: '2h', reason: 'patching' }],
  levels: {
    backupCompliance: { target: 99.5, penalty: { perStartedHour: 10, tiers: [{ below: 99, percentOfFee: 5 }] } },
    restoreTests: { target: 95, coverage: '30d', penalty: { perBreach: 50 } },
    rto: { max: '1h', penalty: { perStartedHour: 20 } },
    incidents: {
      critical: { acknowledge: '30m', resolve: '4h' },
      high: { acknowledge: '2h' },
      penalty: { perBreach: 100 },
    },
    dossier: { maxStale: '7d', penalty: { perStartedDay: 100 } },
  },
  cap: { percentOfFee: 20 },
};

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Hourly backups, 1 h RPO, a run every 5 minutes; about 1 % of the backups fail (a 2 h gap). */
function rpoSeries(resourceId: string, random: () => number): RpoSeries {
  const n = Math.floor((TO - FROM) / STEP) + 1;
  const at = new Float64Array(n);
  const lastGoodAt = new Float64Array(n);
  const deadline = new Float64Array(n);
  const run = new Uint32Array(n);
  let lastGood = FROM - STEP;
  for (let i = 0; i < n; i++) {
    const t = FROM - STEP + i * STEP;
    if (t % HOUR === 0 && random() > 0.01) lastGood = t;
    at[i] = t;
    lastGoodAt[i] = lastGood;
    deadline[i] = lastGood + HOUR;
    run[i] = i;
  }
  return { resourceId, at, lastGoodAt, deadline, run };
}

function factsFor(tenant: string, resources: number, seed: number): SlaFacts {
  const random = prng(seed);
  const series: RpoSeries[] = [];
  const restoreTests: SlaRestoreTest[] = [];
  const incidents: SlaIncident[] = [];
  for (let r = 0; r < resources; r++) {
    const id = `${tenant}-res-${r}`;
    series.push(rpoSeries(id, random));
    for (let d = 0; d < 30; d++) {
      const scheduledAt = FROM + d * 24 * HOUR + 3 * HOUR;
      const ok = random() > 0.02;
      restoreTests.push({
        testId: `rt-${tenant}-${r}-${d}`,
        resourceId: id,
        policyName: 'nightly',
        scheduledAt,
        startedAt: scheduledAt,
        outcome: ok ? 'PASSED' : 'FAILED',
        rtoMs: Math.floor(random() * 70 * 60_000),
        auditSeq: r * 30 + d,
      });
    }
  }
  const incidentCount = Math.max(1, Math.floor(resources / 2));
  for (let i = 0; i < incidentCount; i++) {
    const opened = FROM + Math.floor(random() * (TO - FROM - 5 * HOUR));
    incidents.push({
      tenantId: tenant,
      incidentId: `inc-${i}`,
      source: 'restore-test',
      sourceRef: `rt-${i}`,
      resourceId: `${tenant}-res-${i % resources}`,
      severity: i % 2 === 0 ? 'critical' : 'high',
      summary: 'restore test FAILED',
      state: 'RESOLVED',
      openedAt: new Date(opened).toISOString(),
      acknowledgedAt: new Date(opened + random() * 3 * HOUR).toISOString(),
      resolvedAt: new Date(opened + random() * 5 * HOUR).toISOString(),
      reopenings: [],
      recurring: false,
      auditSeqs: [i],
    });
  }
  return {
    rpo: { runIds: Array.from({ length: series[0]!.at.length }, (_, i) => `run-${i}`), resources: series },
    restoreTests,
    scheduledTests: [],
    coverage: series.map((s) => ({ policyName: 'nightly', resourceId: s.resourceId })),
    resourceSources: {},
    incidents,
    dossier: {
      versions: [1, 8, 15, 22].map((d, v) => ({
        version: v + 1,
        createdAt: FROM + d * 24 * HOUR,
        requestedAt: FROM + d * 24 * HOUR,
      })),
      changes: [3, 10, 12, 20].map((d, k) => ({ at: FROM + d * 24 * HOUR, seq: k, type: 'restore-test' })),
    },
  };
}

const input = (tenantId: string, facts: SlaFacts): SlaInput => ({
  tenantId,
  contract: CONTRACT,
  timeZone: 'Europe/Paris',
  period: { label: '2026-11', from: FROM, to: TO },
  asOf: TO,
  facts,
});

/** The baseline: read every observation's time and deadline and every test's outcome, nothing else. */
function bareScan(facts: SlaFacts): number {
  let sum = 0;
  for (const s of facts.rpo.resources) {
    const { at, deadline } = s;
    for (let i = 0; i < at.length; i++) if (deadline[i]! < at[i]!) sum++;
  }
  for (const t of facts.restoreTests) if (t.outcome === 'PASSED') sum++;
  for (const i of facts.incidents) sum += i.auditSeqs.length;
  return sum;
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = fn();
  return { ms: performance.now() - start, value };
}

export async function benchSla(): Promise<BenchResult> {
  const lines: string[] = [];
  // One tenant, 1,000 resources.
  let facts: SlaFacts | undefined = factsFor('big', 1_000, 42);
  const observations = facts.rpo.resources.reduce((n, s) => n + s.at.length, 0);
  computeStatement(input('big', facts)); // warm-up (JIT, timezone caches)
  const scan = time(() => bareScan(facts!));
  const one = time(() => computeStatement(input('big', facts!)));
  const again = computeStatement(input('big', facts));
  const deterministic = JSON.stringify(again) === JSON.stringify(one.value);
  lines.push(
    `one tenant, 1,000 resources, ${(observations / 1e6).toFixed(2)} M RPO observations, ${facts.restoreTests.length} restore tests, ${facts.incidents.length} incidents: ${one.ms.toFixed(0)} ms (target ≤ ${TARGET_MS} ms)`,
    `  bare scan of the same facts: ${scan.ms.toFixed(0)} ms → statement/bare scan ${(one.ms / Math.max(scan.ms, 0.001)).toFixed(1)}×; ${(((observations / one.ms) * 1000) / 1e6).toFixed(1)} M observations/s`,
    `  levels missed: ${
      one.value.levels
        .filter((l) => !l.met)
        .map((l) => l.id)
        .join(', ') || 'none'
    }; total ${one.value.total} minor units (subtotal ${one.value.subtotal}); same statement twice: ${deterministic}`,
  );
  facts = undefined;

  // 100 tenants, 10 resources each.
  const tenants = Array.from({ length: 100 }, (_, k) => ({ id: `t${k}`, facts: factsFor(`t${k}`, 10, 1000 + k) }));
  const each = tenants.map((t) => input(t.id, t.facts));
  for (const i of each.slice(0, 3)) computeStatement(i);
  const scanAll = time(() => tenants.reduce((n, t) => n + bareScan(t.facts), 0));
  const all = time(() => each.map((i) => computeStatement(i)));
  lines.push(
    `100 tenants × 10 resources (same 8.6 M observations): ${all.ms.toFixed(0)} ms, ${(all.ms / 100).toFixed(1)} ms per tenant`,
    `  bare scan of the same facts: ${scanAll.ms.toFixed(0)} ms → statements/bare scan ${(all.ms / Math.max(scanAll.ms, 0.001)).toFixed(1)}×`,
  );
  // What the statement reads before it computes: the month's RPO history from the local cloud.
  lines.push(...(await benchSlaHistoryRead()));
  return { name: 'sla statements', lines, ok: one.ms <= TARGET_MS && deterministic };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchSla();
  for (const line of result.lines) console.log(line);
}
