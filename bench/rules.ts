/**
 * Rules benchmark: 10,000 resources × 365 daily backup jobs + recovery points, generated from a
 * fixed seed, evaluated through every rule. Target: ≥ 1 M job records/s on one core. The named
 * baseline, measured on the same records in the same run, is a bare scan that only reads each
 * record's time and state: the ratio shows how far the rules are from the cost of touching the data.
 *
 * Facts are generated in chunks (and dropped after) so memory stays small; only evaluation and
 * the bare scan are timed.
 */
import { pathToFileURL } from 'node:url';
import type { BackupJob, JobState, RecoveryPoint, ResourceFacts } from '#core/model.ts';
import type { DeclaredResource, Duration } from '#core/strategy/policy.ts';
import { wallClockToEpoch } from '#core/time.ts';
import { evaluateResource } from '#core/verify/evaluate.ts';
import type { BenchResult } from './types.ts';

const RESOURCES = 10_000;
const DAYS = 365;
const CHUNK = 1_000;
const TARGET_JOBS_PER_SECOND = 1_000_000;
const TIME_ZONE = 'Europe/Paris';
const DAY = 86_400_000;
const AT = Date.parse('2026-06-15T12:00:00.000Z');

/** mulberry32: tiny, fast, deterministic. */
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

function duration(text: string): Duration {
  return { amount: Number(text.slice(0, -1)), unit: text.at(-1) as Duration['unit'], text };
}

function declaredResource(i: number): DeclaredResource {
  return {
    resourceId: `arn:aws:rds:eu-west-3:111122223333:db:db-${i}`,
    name: `db-${i}`,
    source: 'aws-backup',
    declaredBy: 'resources[0].select',
    policy: {
      // Daily jobs start anywhere in a 10-minute window: a 26h RPO leaves room for that jitter.
      rpo: duration('26h'),
      retention: duration('35d'),
      lookback: duration('35d'),
      copies: { min: 1, otherRegion: true, otherAccount: false, offsite: false, within: duration('24h') },
      encryption: { required: true },
      immutability: { required: true, mode: 'vault-lock', minDays: 30 },
      anomaly: { sensitivity: 'medium', minHistory: 7 },
      failureStreak: 3,
    },
  };
}

function generateFacts(resource: DeclaredResource, random: () => number): ResourceFacts {
  const jobs: BackupJob[] = new Array(DAYS);
  const recoveryPoints: RecoveryPoint[] = [];
  const hour = Math.floor(random() * 6);
  const baseSize = 1e8 + random() * 1e10;
  const lastWall = Date.UTC(2026, 5, 15, hour, 0);
  for (let d = 0; d < DAYS; d++) {
    const startedAt = wallClockToEpoch(lastWall - (DAYS - 1 - d) * DAY, TIME_ZONE) + Math.floor(random() * 600_000);
    const r = random();
    const state: JobState = r < 0.01 ? 'FAILED' : r < 0.012 ? 'EXPIRED' : 'COMPLETED';
    const jobId = `${resource.name}-job-${d}`;
    const ok = state === 'COMPLETED';
    jobs[d] = {
      tenantId: 'bench',
      source: 'aws-backup',
      kind: 'backup',
      jobId,
      resourceId: resource.resourceId,
      state,
      startedAt,
      completedAt: startedAt + 600_000 + Math.floor(random() * 300_000),
      sizeBytes: Math.floor(baseSize * (1 + d / 3650 + (random() - 0.5) * 0.02)),
      ...(ok ? { recoveryPointId: `${jobId}-rp` } : {}),
      observedAt: startedAt + 1_000_000,
    };
    if (ok) {
      const age = AT - startedAt;
      recoveryPoints.push({
        tenantId: 'bench',
        source: 'aws-backup',
        recoveryPointId: `${jobId}-rp`,
        resourceId: resource.resourceId,
        status: age > 35 * DAY + DAY ? 'DELETED' : 'AVAILABLE',
        createdAt: startedAt,
        encrypted: true,
        region: 'eu-west-3',
        accountId: '111122223333',
        location: 'main-vault',
        deleteAt: startedAt + 36 * DAY,
        immutableUntil: startedAt + 36 * DAY,
        lockMode: 'vault-lock',
        observedAt: startedAt + 1_000_000,
      });
    }
  }
  return { jobs, recoveryPoints };
}

/** The baseline: touch every record once, reading its time and state, nothing else. */
/** Checksum of the last baseline run: exported so the JIT cannot drop the scan loop as dead code. */
export let bareScanChecksum = 0;

function bareScan(facts: ResourceFacts): number {
  let acc = 0;
  for (const j of facts.jobs) acc += j.startedAt + (j.state === 'COMPLETED' ? 1 : 0);
  for (const p of facts.recoveryPoints) acc += p.createdAt + (p.status === 'AVAILABLE' ? 1 : 0);
  return acc;
}

export async function benchRules(): Promise<BenchResult> {
  const random = prng(20260615);
  const resources = Array.from({ length: RESOURCES }, (_, i) => declaredResource(i));

  // Warm-up so the JIT has seen the rules before timing starts (not counted).
  for (const r of resources.slice(0, 50)) evaluateResource(r, generateFacts(r, prng(1)), AT, TIME_ZONE);

  let jobs = 0;
  let points = 0;
  let evalNs = 0n;
  let scanNs = 0n;
  let nonCompliant = 0;
  for (let start = 0; start < RESOURCES; start += CHUNK) {
    const chunk = resources.slice(start, start + CHUNK);
    const facts = chunk.map((r) => generateFacts(r, random));
    for (const f of facts) {
      jobs += f.jobs.length;
      points += f.recoveryPoints.length;
    }
    const s0 = process.hrtime.bigint();
    for (const f of facts) bareScanChecksum += bareScan(f);
    const s1 = process.hrtime.bigint();
    for (let i = 0; i < chunk.length; i++) {
      const results = evaluateResource(chunk[i]!, facts[i]!, AT, TIME_ZONE);
      for (const r of results) if (r.verdict.status === 'NON_COMPLIANT') nonCompliant++;
    }
    const s2 = process.hrtime.bigint();
    scanNs += s1 - s0;
    evalNs += s2 - s1;
    // Yield between chunks so a caller's event loop is not starved for the whole run.
    await Promise.resolve();
  }

  const evalSeconds = Number(evalNs) / 1e9;
  const scanSeconds = Number(scanNs) / 1e9;
  const jobsPerSecond = jobs / evalSeconds;
  const recordsPerSecond = (jobs + points) / evalSeconds;
  const scanRecordsPerSecond = (jobs + points) / scanSeconds;
  const fmt = (n: number) => `${(n / 1e6).toFixed(2)} M/s`;
  const lines = [
    `${RESOURCES} resources × ${DAYS} daily jobs: ${jobs} jobs + ${points} recovery points, ${nonCompliant} NON_COMPLIANT verdicts`,
    `evaluateResource (all rules): ${evalSeconds.toFixed(2)} s, ${fmt(jobsPerSecond)} job records, ${fmt(recordsPerSecond)} records`,
    `ratio to the 1 M job records/s target: ${(jobsPerSecond / TARGET_JOBS_PER_SECOND).toFixed(2)}×`,
    `baseline "bare scan" (read startedAt/createdAt and state of every record): ${scanSeconds.toFixed(3)} s, ${fmt(scanRecordsPerSecond)} records`,
    `ratio to a bare scan: rules take ${(evalSeconds / scanSeconds).toFixed(1)}× the time of a bare scan`,
  ];
  return { name: 'rules', lines, ok: jobsPerSecond >= TARGET_JOBS_PER_SECOND };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchRules();
  console.log(`# ${result.name}: ${result.ok ? 'ok' : 'BELOW TARGET'}`);
  for (const line of result.lines) console.log(line);
  process.exitCode = result.ok ? 0 : 1;
}
