/**
 * `npm start`: the main job end to end on the embedded local cloud, no AWS account needed.
 * Applies the example strategy for tenant acme, feeds it a realistic backup history (AWS Backup
 * events, a live restic run, pgBackRest and generic job reports through the S3 inbox), runs the
 * verify workflow from its ASL file, and prints the verdicts. The data has deliberate violations.
 */

import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { runStockCommands } from '#adapters/host/stock-tools.ts';
import { localS3Client } from '#adapters/local/local-clients.ts';
import { reversaHome } from '#config';
import { verifyLive } from '#core/audit/verify.ts';
import { successorVerifyCommands } from '#core/dossier/verify-commands.ts';
import { InternalError } from '#core/errors.ts';
import { normaliseBackupEvent } from '#core/ingest/aws-backup-event.ts';
import { finaliseBatch } from '#core/ingest/batch.ts';
import { applyVaultLocks } from '#core/ingest/vault-lock.ts';
import type { FactBatch } from '#core/model.ts';
import { SecretValue } from '#core/secrets/secret-value.ts';
import { applyStrategy } from '#core/use-cases/apply-strategy.ts';
import { requestExport } from '#core/use-cases/dossier-export.ts';
import { ingestS3Object } from '#core/use-cases/ingest-report.ts';
import { runRestoreTestsNow } from '#core/use-cases/restore-test.ts';
import { compactUtc } from '#core/use-cases/verify.ts';
import type { VerificationReport } from '#core/verify/report-types.ts';
import { localAdapters } from '#wiring/local/adapters.ts';
import { localSecretStore } from '#wiring/local/restore-test.ts';
import { localTenantWiring } from '#wiring/local/tenants.ts';
import { slaDepsOf } from '#wiring/sla.ts';
import { paint, statusColour } from '../cli/output.ts';
import { renderReportTable } from '../cli/render/report-table.ts';
import { attachLocalCloud, startLocalCloud } from './cloud.ts';
import { DEMO_VAULTS, demoAwsBackupEvents } from './demo/aws-backup-events.ts';
import { genericNasReport, pgbackrestReport, resticReports } from './demo/job-reports.ts';
import { demoPortalUsers } from './demo/portal-users.ts';
import { downloadTo, successorIdentity, uploadDossierInputs, writeNasArchive } from './demo/restore-and-dossier.ts';
import { demoSlaStatements } from './demo/sla.ts';
import { runExport } from './export-runner.ts';
import { acquireHomeLock, describeHolder, LOCK_FILE } from './home-lock.ts';
import { LocalRestoreTestStarter } from './restore-runner.ts';
import { runVerify } from './verify-runner.ts';

const TENANT = 'acme';
const STRATEGY_FILE = 'examples/acme.strategy.yaml';
const step = (n: number, text: string) => console.log(`\n${paint('bold', `[${n}/8]`)} ${text}`);

async function main(): Promise<number> {
  const home = reversaHome();
  console.log(paint('bold', 'Reversa demo — backup verification for tenant acme on the embedded local cloud'));
  if (await attachLocalCloud({ home, exportEnv: false })) {
    console.error(
      `a local cloud is running on ${home} (reversa local up): stop it first, or set REVERSA_HOME elsewhere`,
    );
    return 2;
  }
  // The demo owns its data directory: start from a clean slate so every run shows the same story, once
  // no other command uses it (the lock file itself stays: it is how the others know to wait).
  await mkdir(home, { recursive: true });
  const lock = await acquireHomeLock(home, {
    onWait: (holder) => console.error(`waiting for ${describeHolder(holder)}, which uses ${home}…`),
  });
  for (const name of await readdir(home))
    if (name !== LOCK_FILE) await rm(join(home, name), { recursive: true, force: true });
  const cloud = await startLocalCloud({ home, persist: true, lock: false });
  // The provider's ports (every tenant) apply the strategy and route events; all the rest runs on the
  // tenant's own ports, bound to acme like the tenant-access role binds them in AWS.
  const provider = localAdapters(cloud);
  const tenants = localTenantWiring(cloud, provider.clock);
  const deps = tenants.adapters.forTenant(TENANT);
  try {
    const now = deps.clock.now();
    step(
      1,
      `local cloud up in ${relative(process.cwd(), home) || home}: DynamoDB (dynalite) ${cloud.endpoints.dynamodb}, S3 (s3rver) ${cloud.endpoints.s3}`,
    );

    step(2, `strategy apply ${STRATEGY_FILE}`);
    // The example names the demo's restic repository relative to the default home; follow REVERSA_HOME.
    // The successor's key is made here: whom the escrow is sealed to is part of the strategy (audit-logged).
    const successor = await successorIdentity(join(home, 'demo'));
    const strategyText = (await readFile(STRATEGY_FILE, 'utf8'))
      .replace('repository: .reversa/demo/restic-repo', `repository: ${join(home, 'demo', 'restic-repo')}`)
      .replace(/^reversibility:\n/m, `reversibility:\n  successorRecipients:\n    - ${successor.recipient}\n`);
    const applied = await applyStrategy(provider, {
      text: strategyText,
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
      const tenantId = await provider.tenants.tenantForAwsAccount(String(event.account));
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
    // The restic password lives in the local secret store (encrypted at rest): the restore test reads it there.
    const secrets = localSecretStore(cloud, deps);
    const resticPassword = randomBytes(18).toString('base64url');
    await secrets.put(TENANT, 'restic-web-01', SecretValue.fromUtf8(resticPassword));
    const restic = await resticReports(join(home, 'demo'), now, resticPassword);
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
      deps,
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
    if (!summary) throw new InternalError('DemoNoReport', 'the verify workflow stored no report');
    const report = JSON.parse(await deps.blobs.getText(summary.reportKey)) as VerificationReport;
    console.log(`      ${execution.status} in ${execution.stateOutputs.length} state transitions\n`);
    console.log(renderReportTable(report));
    console.log(`\nReport: s3://${cloud.bucketName}/${summary.reportKey}`);

    step(
      6,
      'restore tests: statemachines/restore-test.asl.json — restore into a sandbox, read back, check, clean up, record',
    );
    const nasFacts = (await deps.facts.getFacts(TENANT, ['nas://filer-01/projects'], 0)).get('nas://filer-01/projects');
    const newestNas = nasFacts?.recoveryPoints.at(-1)?.recoveryPointId;
    if (newestNas) {
      const { altered } = await writeNasArchive(localS3Client(cloud.endpoints), newestNas);
      console.log(
        `      NAS archive of ${newestNas} written to s3://acme-nas-backups/ (${altered} was changed after the backup)`,
      );
    }
    const starter = new LocalRestoreTestStarter(tenants.restoreTests);
    const started = await runRestoreTestsNow(
      { strategies: deps.strategies, facts: deps.facts, starter },
      { tenantId: TENANT, at: now, ...(restic.live ? {} : { resourceId: 'nas://filer-01/projects' }) },
    );
    const tests = (await Promise.all(started.map((t) => deps.restoreTests.get(TENANT, t.testId)))).filter(
      (t) => t !== undefined,
    );
    for (const t of tests) {
      const took = t.rtoMs === undefined ? '' : t.rtoMs < 1000 ? `${t.rtoMs} ms` : `${(t.rtoMs / 1000).toFixed(1)} s`;
      const rto = t.rtoMs === undefined ? 'not measured' : `${took} of ${t.rtoTargetMs / 60_000} min`;
      console.log(
        `      ${paint(statusColour(t.outcome), t.outcome.padEnd(6))} ${t.resourceId.padEnd(26)} ${t.runner.padEnd(10)} RTO ${rto}`,
      );
      console.log(`             ${t.reason}`);
    }
    const findings = await deps.findings.list(TENANT, { status: 'OPEN' });
    if (findings.length > 0)
      console.log(
        `      ${findings.length} incident(s) open, waiting for the provider's root cause and corrective action (reversa incident list --tenant ${TENANT})`,
      );
    const audit = await verifyLive(deps.audit, TENANT, await deps.audit.signer!.publicKeyPem());
    console.log(
      `      audit log: ${audit.ok ? 'intact' : 'NOT intact'}, ${audit.entries} entries, chain head seq ${audit.headSeq} sha256 ${audit.headHash}`,
    );

    step(
      7,
      'reversibility dossier: statemachines/reversibility-export.asl.json — gather, checklist, assemble, sign, publish',
    );
    const dossierDeps = tenants.dossiers.forTenant(TENANT);
    const inputs = await uploadDossierInputs(
      (key, body) => dossierDeps.objects.put(key, body, 'application/octet-stream'),
      TENANT,
    );
    await secrets.put(TENANT, 'vpn-psk', SecretValue.fromUtf8(randomBytes(24).toString('base64url')));
    await secrets.put(TENANT, 'orders-db-admin', SecretValue.fromUtf8(randomBytes(24).toString('base64url')));
    console.log(
      `      ${inputs.files} configuration/procedure/inventory files uploaded; 3 secrets in the local secret store; successor key ${relative(process.cwd(), successor.file)}`,
    );
    // Now, not the demo's start: the restore tests above must fall inside the evidence window.
    const request = await requestExport(dossierDeps, { tenantId: TENANT, requestedBy: 'demo', now: deps.clock.now() });
    const exported = await runExport(dossierDeps, request.input);
    if (exported.status !== 'SUCCEEDED') {
      console.error(`export ${exported.status}: ${exported.error} ${exported.cause}`);
      return 3;
    }
    const version = await dossierDeps.dossiers.getLatest(TENANT);
    if (!version) throw new InternalError('DemoNoDossier', 'the export published no version');
    const outDir = join(home, 'demo', 'dossier');
    await downloadTo(
      (k) => dossierDeps.dossierObjects.open(k),
      [version.zipKey, `${version.zipKey}.sha256`, `${version.zipKey}.sha256.sig`],
      outDir,
    );
    const zip = basename(version.zipKey);
    console.log(
      `      published v${version.version}: ${(version.zipBytes / 1024).toFixed(0)} KiB, sha256 ${version.zipSha256}`,
    );
    console.log(
      `      signer fingerprint ${version.signerFingerprint}; downloaded to ${relative(process.cwd(), outDir)}/`,
    );
    console.log('\n      A successor verifies it with stock tools only (run here for real):');
    const checks = successorVerifyCommands(zip, { quiet: true, overwrite: true, identityFile: successor.file });
    for (const c of await runStockCommands(checks, outDir, zip)) {
      console.log(
        `      ${c.ok ? paint('green', '✓') : paint('red', '✗')} ${c.command}${c.ok ? '' : `  — ${c.output}`}`,
      );
    }
    step(8, 'SLA statement: service levels, breaches with their evidence, penalties, cap');
    const sla = await demoSlaStatements(slaDepsOf(deps, dossierDeps.dossiers), TENANT, deps.clock.now());
    for (const line of sla.lines) console.log(`      ${line}`);

    // The portal's doors for the two people who had none: the client and its auditor.
    const logins = await demoPortalUsers(cloud, TENANT, deps.clock.now(), join(home, 'demo'));
    console.log(`
Portal: npx reversa serve   then open http://127.0.0.1:8787 and log in as
          the client   ${logins.client.email}   password ${logins.client.password}
          the auditor  ${logins.auditor.email}   password ${logins.auditor.password}   (access for 30 days)
        (also in ${relative(process.cwd(), logins.file)})

Next:   npx reversa report --tenant ${TENANT} --format html --out acme-compliance.html
        npx reversa report --tenant ${TENANT} --period ${new Date(now).getUTCFullYear()} --out acme-auditor.html
        npx reversa restore-test list --tenant ${TENANT}
        npx reversa audit export --tenant ${TENANT} --out audit/ && npx reversa audit verify audit/ --public-key audit/public-key.pem
        npx reversa dossier verify ${relative(process.cwd(), join(outDir, zip))} --fingerprint ${version.signerFingerprint}
        npx reversa escrow open ${relative(process.cwd(), join(outDir, zip))} -i ${relative(process.cwd(), successor.file)}
        npx reversa sla statement --tenant ${TENANT} --period ${sla.issuedPeriod} --format html --out acme-sla.html
        npx reversa incident list --tenant ${TENANT}
        npx reversa notify add --tenant ${TENANT} --webhook https://hooks.example.com/reversa --events reversa.restore-test.failed
        npx reversa status`);
    return 0;
  } finally {
    await cloud.stop();
    await lock.release();
  }
}

process.exitCode = await main();
