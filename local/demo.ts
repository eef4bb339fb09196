/**
 * `npm start`: the main job end to end on the embedded local cloud, no AWS account needed.
 * Applies the example strategy for tenant acme, feeds it a realistic backup history (AWS Backup
 * events, a live restic run, pgBackRest and generic job reports through the S3 inbox), runs the
 * verify workflow from its ASL file, and prints the verdicts. The data has deliberate violations.
 */
import { readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { composeLocal } from '#adapters/compose.ts';
import { reversaHome } from '#config';
import { normaliseBackupEvent } from '#core/ingest/aws-backup-event.ts';
import { finaliseBatch } from '#core/ingest/batch.ts';
import { applyVaultLocks } from '#core/ingest/vault-lock.ts';
import type { FactBatch } from '#core/model.ts';
import { applyStrategy } from '#core/use-cases/apply-strategy.ts';
import { ingestS3Object } from '#core/use-cases/ingest-report.ts';
import { compactUtc } from '#core/use-cases/verify.ts';
import type { VerificationReport } from '#core/verify/report-types.ts';
import { paint } from '../cli/output.ts';
import { renderReportTable } from '../cli/render/report-table.ts';
import { runVerify } from './asl-runner.ts';
import { startLocalCloud } from './cloud.ts';
import { DEMO_VAULTS, demoAwsBackupEvents } from './demo/aws-backup-events.ts';
import { genericNasReport, pgbackrestReport, resticReports } from './demo/job-reports.ts';

const TENANT = 'acme';
const STRATEGY_FILE = 'examples/acme.strategy.yaml';
const step = (n: number, text: string) => console.log(`\n${paint('bold', `[${n}/5]`)} ${text}`);

async function main(): Promise<number> {
  const home = reversaHome();
  console.log(paint('bold', 'Reversa demo — backup verification for tenant acme on the embedded local cloud'));
  // The demo owns its data directory: start from a clean slate so every run shows the same story.
  await rm(home, { recursive: true, force: true });
  const cloud = await startLocalCloud({ home, persist: true });
  const deps = composeLocal(cloud);
  try {
    const now = deps.clock.now();
    step(
      1,
      `local cloud up in ${relative(process.cwd(), home) || home}: DynamoDB (dynalite) ${cloud.endpoints.dynamodb}, S3 (s3rver) ${cloud.endpoints.s3}`,
    );

    step(2, `strategy apply ${STRATEGY_FILE}`);
    const applied = await applyStrategy(deps, {
      text: await readFile(STRATEGY_FILE, 'utf8'),
      fileName: STRATEGY_FILE,
      author: 'demo',
      now,
    });
    console.log(
      `      tenant ${TENANT} on strategy version ${applied.version.version} (sha256 ${applied.version.contentSha256.slice(0, 16)}…)`,
    );

    step(3, 'AWS Backup events (backup, copy and recovery point state changes) through the event normaliser');
    const events = demoAwsBackupEvents(now);
    const batches: FactBatch[] = [];
    for (const event of events) {
      const tenantId = await deps.tenants.tenantForAwsAccount(String(event.account));
      if (tenantId) batches.push(normaliseBackupEvent(event, tenantId, now));
    }
    // In AWS the ingester asks DescribeBackupVault; locally the demo's vaults are declared locked.
    const facts = applyVaultLocks(
      finaliseBatch({
        jobs: batches.flatMap((b) => b.jobs),
        recoveryPoints: batches.flatMap((b) => b.recoveryPoints),
        resources: batches.flatMap((b) => b.resources),
      }),
      DEMO_VAULTS,
    );
    const stored = await deps.facts.putFacts(facts);
    await deps.tenants.markDirty(TENANT, now);
    console.log(
      `      ${events.length} events → ${facts.jobs.length} jobs, ${facts.recoveryPoints.length} recovery points, ${facts.resources.length} resources (${stored.written} written)`,
    );

    step(4, `job reports dropped in s3://${cloud.bucketName}/inbox/${TENANT}/ and ingested from there`);
    const restic = await resticReports(join(home, 'demo'), now);
    if (!restic.live)
      console.log(
        paint(
          'yellow',
          '      restic is not installed (apt-get install restic): using committed restic output instead',
        ),
      );
    for (const report of [...restic.reports, await pgbackrestReport(now), genericNasReport(now)]) {
      const key = `inbox/${TENANT}/${report.name}`;
      await deps.blobs.putText(key, report.text);
      const result = await ingestS3Object(deps, key, now);
      const detail =
        result.status === 'ingested'
          ? `${result.format}: ${result.jobs} jobs, ${result.recoveryPoints} points`
          : result.status;
      console.log(`      ${report.name.padEnd(32)} ${detail.padEnd(40)} (${report.origin})`);
    }

    step(
      5,
      'verify workflow: statemachines/verify-backups.asl.json run by aws-local-stepfunctions with the real handlers',
    );
    const execution = await runVerify(
      { ...deps },
      { tenantId: TENANT, at: new Date(now).toISOString() },
      {
        executionName: `verify-${TENANT}-${compactUtc(now)}-demo`,
      },
    );
    if (execution.status !== 'SUCCEEDED') {
      console.error(`verify workflow ${execution.status}: ${execution.error} ${execution.cause}`);
      return 3;
    }
    const summary = await deps.reports.getLatest(TENANT);
    if (!summary) throw new Error('the verify workflow stored no report');
    const report = JSON.parse(await deps.blobs.getText(summary.reportKey)) as VerificationReport;
    console.log(`      ${execution.status} in ${execution.stateOutputs.length} state transitions\n`);
    console.log(renderReportTable(report));
    console.log(`
Report: s3://${cloud.bucketName}/${summary.reportKey} (local cloud data in ${relative(process.cwd(), home) || home})
Next:   npx reversa report --tenant ${TENANT} --format html --out acme-report.html
        npx reversa status
        npx reversa verify --tenant ${TENANT} --at ${new Date(now + 26 * 3_600_000).toISOString().slice(0, 19)}Z   (tomorrow: more deadlines missed)`);
    return 0;
  } finally {
    await cloud.stop();
  }
}

process.exitCode = await main();
