/**
 * The READ side of an SLA statement: the RPO history of one tenant-month (150 verification runs of a
 * 1,000-resource tenant) through rpoHistory on the local cloud (dynalite + s3rver). Measured twice
 * on the same runs: from the RPO sidecars Aggregate writes, and from the full reports alone (what
 * runs persisted before sidecars cost, and what every run cost before them). Reports are synthetic
 * but shaped like real ones (ten rule verdicts a resource with summaries and evidence).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReportSummary } from '#core/ports.ts';
import { rpoHistory } from '#core/use-cases/sla-gather.ts';
import { reportKeyOf } from '#core/use-cases/verify.ts';
import type { VerificationReport } from '#core/verify/report-types.ts';
import { rpoSidecarKeyOf, rpoSidecarOf } from '#core/verify/rpo-sidecar.ts';
import { startLocalCloud } from '#local/cloud.ts';
import { localAdapters } from '#wiring/local/adapters.ts';

const TENANT = 'bench-history';
const RUNS = 150;
const RESOURCES = 1_000;
const FROM = Date.parse('2026-10-31T23:00:00Z');
const TO = Date.parse('2026-11-30T23:00:00Z');
const HOUR = 3_600_000;
const RULES = ['RpoMet', 'ResourceCovered', 'RetentionMet', 'CopiesMet', 'EncryptionMet', 'ImmutabilityMet'];
const MORE = ['FrequencyGaps', 'FailureStreak', 'DurationAnomaly', 'SizeAnomaly'];

function report(runId: string, at: number): VerificationReport {
  const iso = (ms: number) => new Date(ms).toISOString();
  const resources = Array.from({ length: RESOURCES }, (_, r) => {
    const resourceId = `arn:aws:rds:eu-west-3:123456789012:db:tenant-db-${String(r).padStart(4, '0')}`;
    const lastGood = at - ((r * 7) % 24) * HOUR;
    const results = [...RULES, ...MORE].map((ruleId) => ({
      ruleId,
      resourceId,
      verdict:
        ruleId === 'RpoMet'
          ? {
              status: 'COMPLIANT',
              summary: 'last good backup 3h ago, within RPO 1d',
              evidence: { lastGoodAt: iso(lastGood), deadline: iso(lastGood + 24 * HOUR) },
            }
          : {
              status: 'COMPLIANT',
              summary: `${ruleId}: the policy of the resource is met by its last recovery points`,
              evidence: { recoveryPoints: 30, jobs: 31, checkedAt: iso(at), window: '30d' },
            },
    }));
    return {
      resourceId,
      name: `tenant-db-${r}`,
      source: 'aws-backup',
      declaredBy: 'resources[0]',
      status: 'COMPLIANT',
      results,
    };
  });
  return {
    reportVersion: 1,
    tenantId: TENANT,
    runId,
    strategy: { version: 1 },
    evaluatedAt: iso(at),
    counts: { resources: RESOURCES, compliant: RESOURCES, nonCompliant: 0, notApplicable: 0, rules: RESOURCES * 10 },
    compliancePercent: 100,
    resources,
    undeclared: [],
    findings: [],
    newFindings: [],
    resolvedFindings: [],
  } as unknown as VerificationReport;
}

export async function benchSlaHistoryRead(): Promise<string[]> {
  const home = await mkdtemp(join(tmpdir(), 'reversa-bench-sla-history-'));
  const cloud = await startLocalCloud({ home, persist: false, exportEnv: false });
  try {
    const adapters = localAdapters(cloud);
    const step = Math.floor((TO - FROM) / RUNS);
    let reportBytes = 0;
    let sidecarBytes = 0;
    const sidecarKeys: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const at = FROM + i * step;
      const runId = `run-${String(i).padStart(3, '0')}`;
      const full = report(runId, at);
      const reportKey = reportKeyOf(TENANT, at, runId);
      const body = JSON.stringify(full);
      const sidecar = JSON.stringify(rpoSidecarOf(full));
      reportBytes += body.length;
      sidecarBytes += sidecar.length;
      sidecarKeys.push(rpoSidecarKeyOf(reportKey));
      await adapters.blobs.putText(reportKey, body, 'application/json');
      await adapters.blobs.putText(rpoSidecarKeyOf(reportKey), sidecar, 'application/json');
      await adapters.reports.putReport({
        tenantId: TENANT,
        runId,
        evaluatedAt: full.evaluatedAt,
        strategyVersion: 1,
        compliancePercent: 100,
        counts: { resources: RESOURCES, compliant: RESOURCES, nonCompliant: 0, notApplicable: 0, findings: 0 },
        newFindings: 0,
        resolvedFindings: 0,
        reportKey,
      } satisfies ReportSummary);
    }
    const timed = async () => {
      const start = performance.now();
      const rpo = await rpoHistory(adapters, TENANT, FROM, TO);
      return { ms: performance.now() - start, rpo };
    };
    await timed(); // warm-up
    const sidecars = await timed();
    for (const key of sidecarKeys) await adapters.blobs.delete(key);
    const reports = await timed();
    const same = JSON.stringify(sidecars.rpo) === JSON.stringify(reports.rpo);
    const mb = (n: number) => (n / 1e6).toFixed(1);
    return [
      `history read, one tenant-month (${RUNS} runs × ${RESOURCES.toLocaleString('en')} resources, local S3): sidecars ${sidecars.ms.toFixed(0)} ms (${mb(sidecarBytes)} MB read); full reports ${reports.ms.toFixed(0)} ms (${mb(reportBytes)} MB read) → ${(reports.ms / Math.max(sidecars.ms, 0.001)).toFixed(1)}×; same history: ${same}`,
    ];
  } finally {
    await cloud.stop();
    await rm(home, { recursive: true, force: true });
  }
}
