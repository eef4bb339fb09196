/**
 * Every workflow step that appends to the audit log, publishes or records does it once per logical
 * event, even when the process dies right after a step and the execution is run again under the
 * same name (what a killed Lambda followed by a redrive, or a killed CLI followed by a retry, does).
 * Each workflow is killed after each of its main-path states in turn, then re-run: the second run
 * succeeds and the store holds exactly one of each record.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobStore } from '#core/ports.ts';
import { restoreTestId } from '#core/restore/ids.ts';
import { requestExport } from '#core/use-cases/dossier-export.ts';
import type { RecordOutput } from '#core/use-cases/restore-test.ts';
import type { VerificationReport } from '#core/verify/report-types.ts';
import { rpoSidecarKeyOf, rpoSidecarOf } from '#core/verify/rpo-sidecar.ts';
import { runExport } from '#local/export-runner.ts';
import { runRestoreTest } from '#local/restore-runner.ts';
import { runVerify } from '#local/verify-runner.ts';
import { localRestoreTestDeps } from '#wiring/local/restore-test.ts';
import { localTenantWiring } from '#wiring/local/tenants.ts';
import { type CloudFixture, startTestCloud } from '../support/local-cloud.ts';
import { seedPortalTenant } from '../support/portal.ts';
import { makeArchive, pointFacts, restoreStrategy, upload } from '../support/restore-fixtures.ts';
import {
  applyStrategy,
  DAY,
  dailyFacts,
  HOUR,
  type SettableClock,
  settableClock,
  strategyYaml,
} from '../support/verify-fixtures.ts';

const AT = Date.parse('2026-11-20T10:00:00Z');
let fixture: CloudFixture;
let clock: SettableClock;

beforeAll(async () => {
  clock = settableClock(AT);
  fixture = await startTestCloud({ label: 'kill-rerun', clock });
}, 60_000);
afterAll(() => fixture?.stop());

async function entriesOf(tenantId: string, type: string): Promise<{ summary: Record<string, unknown> }[]> {
  const out: { summary: Record<string, unknown> }[] = [];
  for await (const e of fixture.adapters.audit.store.listEntries(tenantId, 1)) {
    const body = JSON.parse(e.body) as { type: string; summary: Record<string, unknown> };
    if (body.type === type) out.push(body);
  }
  return out;
}

async function sidecarsOf(blobs: BlobStore): Promise<Map<string, string>> {
  const keys = (await blobs.list('reports/kv/')).filter((k) => k.endsWith('.rpo.json'));
  return new Map(await Promise.all(keys.map(async (k) => [k, await blobs.getText(k)] as const)));
}

/** Past the once-only claim's staleness: a re-run after a kill is a new attempt, not a concurrent one. */
const later = () => clock.advance(2 * 60_000);

describe('verify, killed after each step and run again', () => {
  const states = ['LoadStrategy', 'EvaluateBatch', 'Aggregate', 'Persist', 'EmitFindings'];
  beforeAll(async () => {
    const locators = ['nas://a', 'nas://b'];
    await applyStrategy(fixture.adapters.strategies, strategyYaml('kv', locators), AT - 30 * DAY);
    await fixture.adapters.facts.putFacts(dailyFacts('kv', 'nas://a', 5, AT - 2 * HOUR));
  });

  for (const [i, state] of states.entries()) {
    it(`records one verification and one report after a kill after ${state}`, async () => {
      const deps = localTenantWiring(fixture.cloud, clock).adapters.forTenant('kv');
      const name = `verify-kv-kill-${i}`;
      const input = { tenantId: 'kv', at: new Date(AT).toISOString() };

      const killed = await runVerify(deps, input, { executionName: name, zeroWaits: true, killAfter: state });
      const sidecarsAfterKill = await sidecarsOf(deps.blobs);
      later();
      const rerun = await runVerify(deps, input, { executionName: name, zeroWaits: true });

      expect(killed.status).toBe('ABORTED');
      expect(rerun.status, rerun.cause).toBe('SUCCEEDED');
      const runId = (rerun.output as { runId: string }).runId;
      expect((await entriesOf('kv', 'verification')).filter((e) => e.summary.runId === runId)).toHaveLength(1);
      const [report] = (await deps.reports.listReports('kv', 100)).filter((r) => r.runId === runId);
      expect(report).toBeDefined();
      // The run's RPO sidecar: derived from its report, and the same bytes the killed run wrote.
      const sidecarKey = rpoSidecarKeyOf(report!.reportKey);
      const sidecar = await deps.blobs.getText(sidecarKey);
      const full = JSON.parse(await deps.blobs.getText(report!.reportKey)) as VerificationReport;
      expect(sidecar).toBe(JSON.stringify(rpoSidecarOf(full)));
      expect(JSON.parse(sidecar).resources.map((r: unknown[]) => r[0])).toEqual(['nas://a', 'nas://b']);
      const before = sidecarsAfterKill.get(sidecarKey);
      if (before !== undefined) expect(sidecar).toBe(before);
    });
  }

  it('opens the incidents of the resource that never backed up once across all the killed and re-run runs', async () => {
    const deps = localTenantWiring(fixture.cloud, clock).adapters.forTenant('kv');

    const incidents = await deps.findings.list('kv', { source: 'verification' });

    expect(incidents.map((f) => [f.resourceId, f.ruleId, f.state]).sort()).toEqual([
      ['nas://b', 'ResourceCovered', 'OPEN'],
      ['nas://b', 'RpoMet', 'OPEN'],
    ]);
    for (const f of incidents) expect(await deps.findings.timeline('kv', f.findingId)).toHaveLength(1);
    expect(await entriesOf('kv', 'finding-update')).toHaveLength(1);
  });
});

describe('a restore test, killed after each step and run again', () => {
  const states = ['Prepare', 'RestoreS3Archive', 'Validate', 'Cleanup', 'Record'];
  let sandboxDir: string;
  beforeAll(async () => {
    sandboxDir = join(fixture.root, 'sandboxes');
    mkdirSync(sandboxDir);
    const s3 = fixture.adapters.clients.s3;
    const original = makeArchive(join(fixture.root, 'orig'), { 'a.txt': 'alpha\n', 'b.txt': 'beta\n' });
    const altered = makeArchive(join(fixture.root, 'alt'), { 'a.txt': 'alpha\n', 'b.txt': 'tampered\n' });
    await upload(s3, 'archives/rp-kr-1.tar.gz', altered.archive);
    await upload(s3, 'archives/rp-kr-1.tar.gz.sha256', original.manifest);
    const text = restoreStrategy(
      'kr',
      [{ locator: 'nas://kr/share', source: 'generic' }],
      [
        {
          name: 'nightly',
          lines: [
            'source: generic',
            'runner: s3-archive',
            'schedule: { every: 7d }',
            'maxRto: 1h',
            `archive: { bucket: ${fixture.cloud.bucketName}, key: "archives/{recoveryPointId}.tar.gz" }`,
          ],
        },
      ],
    );
    await applyStrategy(fixture.adapters.strategies, text, AT - 30 * DAY);
    await fixture.adapters.facts.putFacts(
      pointFacts('kr', 'generic', 'nas://kr/share', [{ id: 'rp-kr-1', createdAt: AT - 2 * HOUR }]),
    );
  });

  for (const [i, state] of states.entries()) {
    it(`records one FAILED result, one entry, one finding and leaves no sandbox after a kill after ${state}`, async () => {
      const tenantAdapters = localTenantWiring(fixture.cloud, clock).adapters.forTenant('kr');
      const deps = localRestoreTestDeps(tenantAdapters, {
        // Archives are read with the provider's client, as in AWS (outside the tenant boundary).
        s3: fixture.adapters.clients.s3,
        sandboxDir,
        secretsFor: () => ({ getSecret: async () => '' }),
      });
      const input = {
        tenantId: 'kr',
        resourceId: 'nas://kr/share',
        policyName: 'nightly',
        scheduledAt: new Date(AT + i * 60_000).toISOString(),
        reason: 'test',
      };
      const testId = restoreTestId({ ...input, scheduledAt: Date.parse(input.scheduledAt) });

      const killed = await runRestoreTest(deps, input, { zeroWaits: true, killAfter: state });
      later();
      const rerun = await runRestoreTest(deps, input, { zeroWaits: true });

      expect(killed.status).toBe('ABORTED');
      expect(rerun.status, rerun.cause).toBe('SUCCEEDED');
      expect((rerun.output as RecordOutput).outcome, (rerun.output as RecordOutput).reason).toBe('FAILED');
      expect((await entriesOf('kr', 'restore-test')).filter((e) => e.summary.testId === testId)).toHaveLength(1);
      expect((await deps.restoreTests.list('kr')).filter((t) => t.testId === testId)).toHaveLength(1);
      expect(
        (await deps.findings.list('kr', { source: 'restore-test' })).filter((f) => f.testId === testId),
      ).toHaveLength(1);
      expect(readdirSync(sandboxDir)).toEqual([]);
    });
  }
});

describe('a dossier export, killed after each step and run again', () => {
  const states = [
    'Prepare',
    'GatherInventory',
    'GatherEscrow',
    'Checklist',
    'Assemble',
    'Sign',
    'Publish',
    'Audit',
    'Notify',
  ];
  beforeAll(async () => {
    const { execFileSync } = await import('node:child_process');
    const identity = join(fixture.root, 'successor.txt');
    execFileSync('age-keygen', ['-o', identity], { stdio: 'ignore' });
    const recipient = execFileSync('age-keygen', ['-y', identity], { encoding: 'utf8' }).trim();
    await seedPortalTenant(fixture, clock, 'kx', recipient, AT);
  }, 60_000);

  for (const state of states) {
    it(`publishes one version with one audit entry after a kill after ${state}`, async () => {
      const deps = localTenantWiring(fixture.cloud, clock).dossiers.forTenant('kx');
      later();
      const before = (await deps.dossiers.getLatest('kx'))?.version ?? 0;
      const { input, executionName } = await requestExport(deps, {
        tenantId: 'kx',
        requestedBy: 'ops',
        now: clock.now(),
      });

      const killed = await runExport(deps, input, { executionName, zeroWaits: true, killAfter: state });
      later();
      const rerun = await runExport(deps, input, { executionName, zeroWaits: true });

      expect(killed.status).toBe('ABORTED');
      expect(rerun.status, rerun.cause).toBe('SUCCEEDED');
      const versions = (await deps.dossiers.list('kx', 100)).filter((v) => v.exportId === executionName);
      expect(versions.map((v) => v.version)).toEqual([before + 1]);
      // The published bytes are the ones whose checksum was published: a re-run never rebuilt them.
      const zip = await deps.dossierObjects.open(versions[0]?.zipKey as string);
      const hash = createHash('sha256');
      for await (const chunk of zip) hash.update(chunk as Buffer);
      expect(hash.digest('hex')).toBe(versions[0]?.zipSha256);
      expect(
        (await entriesOf('kx', 'dossier-export')).filter((e) => e.summary.exportId === executionName),
      ).toHaveLength(1);
      const left = [];
      for await (const o of deps.objects.list(`runs/kx/${executionName}/`)) left.push(o.key);
      expect(left).toEqual([]);
    });
  }
});
