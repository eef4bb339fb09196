import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localS3Client } from '#adapters/local/local-clients.ts';
import { verifyLive } from '#core/audit/verify.ts';
import { InternalError, TransientError } from '#core/errors.ts';
import type { RestoreTestEvidence } from '#core/restore/evidence.ts';
import { restoreTestId } from '#core/restore/ids.ts';
import {
  evidenceKeyOf,
  findingIdOf,
  type RecordOutput,
  type RestoreTestDeps,
  type RestoreTestInput,
  restoreRunPrefix,
  runRestoreTestsNow,
} from '#core/use-cases/restore-test.ts';
import type { LocalCloud } from '#local/cloud.ts';
import { LocalRestoreTestStarter, restoreTestLambdas, runRestoreTest } from '#local/restore-runner.ts';
import { RestoreTestStates } from '#statemachines/names.ts';
import type { Adapters } from '#wiring/adapters.ts';
import { localRestoreTestDeps } from '#wiring/local/restore-test.ts';
import { perTenant } from '#wiring/tenant-scope.ts';
import { type CloudFixture, startTestCloud } from '../support/local-cloud.ts';
import { makeArchive, pointFacts, restoreStrategy, upload } from '../support/restore-fixtures.ts';
import { applyStrategy, HOUR, type SettableClock, settableClock } from '../support/verify-fixtures.ts';

const TENANT = 'rt-acme';
const AT = Date.parse('2026-03-10T03:00:00Z');
const WEB = 'files:web';
const APP = 'files:app';
const EMPTY = 'files:never-backed-up';
const FILES = {
  'index.html': '<h1>hello</h1>\n',
  'img/logo.svg': '<svg/>\n',
  'docs/readme.txt': 'read me\n'.repeat(500),
};

let fixture: CloudFixture;
let root: string;
let sandboxDir: string;
let cloud: LocalCloud;
let clock: SettableClock;
let adapters: Adapters;
let deps: RestoreTestDeps;

/** A clock that moves 1 s per read: spans are realistic and the RTO is measured. */
function steppingFrom(clockRef: SettableClock) {
  return {
    now: () => {
      clockRef.advance(1000);
      return clockRef.now();
    },
  };
}

beforeAll(async () => {
  clock = settableClock(AT);
  fixture = await startTestCloud({ label: 'restore-wf', clock: steppingFrom(clock) });
  ({ root, cloud, adapters } = fixture);
  sandboxDir = join(root, 'sandboxes');
  mkdirSync(sandboxDir);
  const s3 = localS3Client(cloud.endpoints);
  deps = localRestoreTestDeps(adapters, {
    s3,
    sandboxDir,
    secretsFor: () => ({ getSecret: async () => '' }),
  });

  const web = makeArchive(join(root, 'web'), FILES);
  await upload(s3, 'archives/rp-web-1.tar.gz', web.archive);
  await upload(s3, 'archives/rp-web-1.tar.gz.sha256', web.manifest);
  // Altered after backup: the archive holds a changed index.html, the manifest is the one captured at backup time.
  const original = makeArchive(join(root, 'app-original'), FILES);
  const altered = makeArchive(join(root, 'app-altered'), { ...FILES, 'index.html': '<h1>defaced</h1>\n' });
  await upload(s3, 'archives/rp-app-1.tar.gz', altered.archive);
  await upload(s3, 'archives/rp-app-1.tar.gz.sha256', original.manifest);

  const text = restoreStrategy(
    TENANT,
    [
      { locator: WEB, source: 'generic' },
      { locator: APP, source: 'generic' },
      { locator: EMPTY, source: 'generic' },
    ],
    [
      {
        name: 'nightly-archives',
        lines: [
          'source: generic',
          'runner: s3-archive',
          'schedule: { every: 7d }',
          'recoveryPoint: { select: latest, window: 30d }',
          'maxRto: 1h',
          'coverage: 90d',
          `archive: { bucket: ${cloud.bucketName}, key: "archives/{recoveryPointId}.tar.gz" }`,
        ],
      },
    ],
  );
  await applyStrategy(adapters.strategies, text, AT - 30 * 24 * HOUR);
  await adapters.facts.putFacts(pointFacts(TENANT, 'generic', WEB, [{ id: 'rp-web-1', createdAt: AT - 2 * HOUR }]));
  await adapters.facts.putFacts(pointFacts(TENANT, 'generic', APP, [{ id: 'rp-app-1', createdAt: AT - 3 * HOUR }]));
  // Only a point older than the 30-day window: no eligible recovery point.
  await adapters.facts.putFacts(
    pointFacts(TENANT, 'generic', EMPTY, [{ id: 'rp-old', createdAt: AT - 40 * 24 * HOUR }]),
  );
}, 60_000);

afterAll(async () => {
  await fixture?.stop();
});

let slot = 0;
/** A fresh schedule slot per test: each test is a different test id. */
function inputFor(resourceId: string): RestoreTestInput {
  slot++;
  return {
    tenantId: TENANT,
    resourceId,
    policyName: 'nightly-archives',
    scheduledAt: new Date(AT + slot * 60_000).toISOString(),
    reason: 'test',
  };
}

async function evidenceOf(input: RestoreTestInput): Promise<RestoreTestEvidence> {
  const testId = restoreTestId({ ...input, scheduledAt: Date.parse(input.scheduledAt) });
  return JSON.parse(await adapters.blobs.getText(evidenceKeyOf(TENANT, testId))) as RestoreTestEvidence;
}

async function restoreTestEntries(): Promise<{ seq: number; summary: { testId: string } }[]> {
  const out: { seq: number; summary: { testId: string } }[] = [];
  for await (const e of adapters.audit.store.listEntries(TENANT, 1)) {
    const body = JSON.parse(e.body) as { type: string; seq: number; summary: { testId: string } };
    if (body.type === 'restore-test') out.push(body);
  }
  return out;
}

const sandboxesLeft = () => readdirSync(sandboxDir);

describe('restore-test workflow on the local cloud (s3-archive)', { timeout: 60_000 }, () => {
  it('restores an archive, reads every file back, records PASSED evidence, an index row and one audit entry', async () => {
    const input = inputFor(WEB);
    const before = (await restoreTestEntries()).length;

    const run = await runRestoreTest(deps, input, { zeroWaits: true });

    expect(run.status).toBe('SUCCEEDED');
    const out = run.output as RecordOutput;
    expect(out.outcome).toBe('PASSED');
    const evidence = await evidenceOf(input);
    expect(evidence.recoveryPoint).toMatchObject({ id: 'rp-web-1', createdAt: AT - 2 * HOUR });
    expect(evidence.checks.map((c) => [c.name, c.status])).toEqual([
      ['checksums', 'PASSED'],
      ['file-list', 'PASSED'],
      ['rto', 'PASSED'],
    ]);
    expect(evidence.checks[0]?.counts).toMatchObject({ expected: 3, compared: 3, matched: 3 });
    expect(evidence.cleanup).toMatchObject({ result: 'CLEANED', removed: 3, remaining: 0 });
    expect(evidence.rto.met).toBe(true);
    expect(sandboxesLeft()).toEqual([]);
    const row = await adapters.restoreTests.get(TENANT, out.testId);
    expect(row).toMatchObject({
      outcome: 'PASSED',
      resourceId: WEB,
      evidenceKey: out.evidenceKey,
      auditSeq: out.auditSeq,
    });
    const entries = await restoreTestEntries();
    expect(entries).toHaveLength(before + 1);
    expect(entries.at(-1)?.summary.testId).toBe(out.testId);
    expect(await adapters.findings.get(TENANT, findingIdOf(out.testId))).toBeUndefined();
    // Payloads stay keys-only.
    expect(Math.max(...run.stateOutputs.map((s) => s.bytes))).toBeLessThan(2048);
  });

  it('fails a restore whose data was altered after backup, names the altered file and opens a finding', async () => {
    const input = inputFor(APP);

    const run = await runRestoreTest(deps, input, { zeroWaits: true });

    const out = run.output as RecordOutput;
    expect(out.outcome).toBe('FAILED');
    expect(out.reason).toContain('index.html');
    const evidence = await evidenceOf(input);
    const checksums = evidence.checks.find((c) => c.name === 'checksums');
    expect(checksums?.status).toBe('FAILED');
    expect(checksums?.changed?.names).toEqual(['index.html']);
    const finding = await adapters.findings.get(TENANT, findingIdOf(out.testId));
    expect(finding).toMatchObject({ status: 'OPEN', outcome: 'FAILED', rootCause: '', correctiveAction: '' });
    expect(sandboxesLeft()).toEqual([]);
  });

  it('records ERROR "no eligible recovery point in the window" instead of skipping the resource', async () => {
    const input = inputFor(EMPTY);

    const run = await runRestoreTest(deps, input, { zeroWaits: true });

    expect(run.status).toBe('SUCCEEDED');
    const out = run.output as RecordOutput;
    expect(out.outcome).toBe('ERROR');
    expect(out.reason).toMatch(/^NoEligibleRecoveryPoint: no eligible recovery point in the window \(30d\)/);
    expect(await adapters.findings.get(TENANT, findingIdOf(out.testId))).toMatchObject({ status: 'OPEN' });
  });

  it('retries a TransientError in the restore step and then passes', async () => {
    const input = inputFor(WEB);
    const real = restoreTestLambdas(deps).RestoreS3ArchiveFunctionArn!;
    let calls = 0;
    const run = await runRestoreTest(deps, input, {
      zeroWaits: true,
      lambdas: {
        RestoreS3ArchiveFunctionArn: async (p) => {
          if (++calls === 1) throw new TransientError('Throttled', 'S3 throttled the first attempt');
          return real(p);
        },
      },
    });

    expect((run.output as RecordOutput).outcome).toBe('PASSED');
    expect(run.retries[RestoreTestStates.RestoreS3Archive]).toBe(1);
  });
});

describe('fault injection: a result is always recorded and cleanup always attempted', { timeout: 60_000 }, () => {
  async function runWithFault(placeholder: string, fault: (p: unknown) => Promise<unknown>) {
    const input = inputFor(WEB);
    const before = (await restoreTestEntries()).length;
    const run = await runRestoreTest(deps, input, { zeroWaits: true, lambdas: { [placeholder]: fault } });
    const testId = restoreTestId({ ...input, scheduledAt: Date.parse(input.scheduledAt) });
    const entries = await restoreTestEntries();
    return { run, testId, input, newEntries: entries.length - before };
  }

  it('a restore that crashes after writing into the sandbox is cleaned up and recorded as ERROR', async () => {
    const { run, testId, input, newEntries } = await runWithFault('RestoreS3ArchiveFunctionArn', async (p) => {
      // Half a restore: a file lands in the test's sandbox, then the task dies.
      const plan = JSON.parse(
        await adapters.blobs.getText(`${restoreRunPrefix(TENANT, (p as { testId: string }).testId)}plan.json`),
      ) as { testId: string };
      mkdirSync(join(sandboxDir, plan.testId), { recursive: true });
      writeFileSync(join(sandboxDir, plan.testId, 'partial.bin'), 'half');
      throw new InternalError('InjectedRestoreFault', 'restore task crashed');
    });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toMatchObject({ outcome: 'ERROR', testId });
    const evidence = await evidenceOf(input);
    expect(evidence.reason).toContain('InternalError');
    expect(evidence.reason).toContain('restore task crashed');
    expect(evidence.cleanup).toMatchObject({ result: 'CLEANED', removed: 1, remaining: 0 });
    expect(sandboxesLeft()).toEqual([]);
    expect(newEntries).toBe(1);
    expect(await adapters.findings.get(TENANT, findingIdOf(testId))).toMatchObject({ outcome: 'ERROR' });
  });

  it('a validate step that fails is recorded as ERROR after cleanup ran', async () => {
    const { run, testId, input, newEntries } = await runWithFault('ValidateFunctionArn', async () => {
      throw new InternalError('InjectedValidateFault', 'validator crashed');
    });

    expect(run.output).toMatchObject({ outcome: 'ERROR', testId });
    const evidence = await evidenceOf(input);
    expect(evidence.reason).toContain('validator crashed');
    expect(await adapters.blobs.exists(`${restoreRunPrefix(TENANT, testId)}cleanup.json`)).toBe(true);
    expect(evidence.cleanup.remaining).toBe(0);
    expect(sandboxesLeft()).toEqual([]);
    expect(newEntries).toBe(1);
  });

  it('a cleanup step that fails is itself caught: the record says cleanup FAILED and the outcome is ERROR', async () => {
    let attempts = 0;
    const { run, testId, input, newEntries } = await runWithFault('CleanupFunctionArn', async () => {
      attempts++;
      throw new InternalError('InjectedCleanupFault', 'cleanup crashed');
    });

    expect(attempts).toBeGreaterThanOrEqual(1);
    expect(run.output).toMatchObject({ outcome: 'ERROR', testId });
    const evidence = await evidenceOf(input);
    expect(evidence.cleanup.result).toBe('FAILED');
    expect(evidence.cleanup.message).toContain('cleanup crashed');
    // The s3-archive runner cleans its own sandbox before the workflow's cleanup pass: nothing is left.
    expect(sandboxesLeft()).toEqual([]);
    expect(newEntries).toBe(1);
  });

  it('a failing Prepare is still recorded (ERROR, no plan), with cleanup attempted', async () => {
    const { run, input, newEntries } = await runWithFault('PrepareFunctionArn', async () => {
      throw new InternalError('InjectedPrepareFault', 'strategy store down');
    });

    expect(run.output).toMatchObject({ outcome: 'ERROR' });
    const evidence = await evidenceOf(input);
    expect(evidence.reason).toContain('strategy store down');
    expect(evidence.cleanup.result).toBe('NOTHING_TO_CLEAN');
    expect(newEntries).toBe(1);
  });

  it('the audit log still verifies after all of these tests', async () => {
    const verification = await verifyLive(adapters.audit, TENANT, await adapters.audit.signer!.publicKeyPem());

    expect(verification.problems).toEqual([]);
    expect(verification.ok).toBe(true);
  });
});

describe('deterministic execution names', { timeout: 60_000 }, () => {
  it('names an execution after the test id: starting the same slot twice runs it once', async () => {
    const starter = new LocalRestoreTestStarter(
      perTenant(() => deps),
      { zeroWaits: true },
    );
    const at = AT + 7 * 24 * HOUR;
    const before = (await restoreTestEntries()).length;

    const first = await runRestoreTestsNow({ ...adapters, starter }, { tenantId: TENANT, resourceId: WEB, at });
    const second = await runRestoreTestsNow({ ...adapters, starter }, { tenantId: TENANT, resourceId: WEB, at });
    // A new process (new starter) sees the test's blobs and refuses too, like Step Functions' name check.
    const third = await runRestoreTestsNow(
      {
        ...adapters,
        starter: new LocalRestoreTestStarter(
          perTenant(() => deps),
          { zeroWaits: true },
        ),
      },
      { tenantId: TENANT, resourceId: WEB, at },
    );

    const testId = restoreTestId({ tenantId: TENANT, resourceId: WEB, scheduledAt: at });
    expect(first).toEqual([{ testId, resourceId: WEB, policyName: 'nightly-archives', started: true }]);
    expect(second[0]?.started).toBe(false);
    expect(third[0]?.started).toBe(false);
    expect(starter.results.map((r) => r.name)).toEqual([testId]);
    expect((await restoreTestEntries()).length).toBe(before + 1);
    const rows = await adapters.restoreTests.list(TENANT, { resourceId: WEB });
    expect(rows.filter((r) => r.testId === testId)).toHaveLength(1);
  });

  it('starts one test per resource of every policy when no resource is given', async () => {
    const started: string[] = [];
    const starter = {
      start: async (_input: RestoreTestInput, name: string) => {
        started.push(name);
        return { started: true };
      },
    };

    const tests = await runRestoreTestsNow({ ...adapters, starter }, { tenantId: TENANT, at: AT + 99 * HOUR });

    expect(tests.map((t) => t.resourceId).sort()).toEqual([APP, EMPTY, WEB].sort());
    expect(started).toEqual(tests.map((t) => t.testId));
  });
});
