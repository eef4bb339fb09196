import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localS3Client } from '#adapters/local/local-clients.ts';
import { LocalSecretStore } from '#adapters/local/local-secret-store.ts';
import type { RestoreTestEvidence } from '#core/restore/evidence.ts';
import { SecretValue } from '#core/secrets/ports.ts';
import type { RecordOutput, RestoreTestDeps } from '#core/use-cases/restore-test.ts';
import type { LocalCloud } from '#local/cloud.ts';
import { runRestoreTest } from '#local/restore-runner.ts';
import type { Adapters } from '#wiring/adapters.ts';
import { localRestoreTestDeps, localSecretProvider } from '#wiring/local/restore-test.ts';
import { type CloudFixture, startTestCloud, steppingClock } from '../support/local-cloud.ts';
import { pointFacts, restoreStrategy } from '../support/restore-fixtures.ts';
import { applyStrategy, HOUR } from '../support/verify-fixtures.ts';

const TENANT = 'rt-restic';
const PASSWORD = 'restic-pass-5b1e';
const AT = Date.parse('2026-03-10T03:00:00Z');

let fixture: CloudFixture;
let root: string;
let repo: string;
let sandboxDir: string;
let cloud: LocalCloud;
let adapters: Adapters;
let deps: RestoreTestDeps;
let resourceId: string;

beforeAll(async () => {
  fixture = await startTestCloud({ label: 'restore-restic', clock: steppingClock(AT) });
  ({ root, cloud, adapters } = fixture);
  repo = join(root, 'repo');
  sandboxDir = join(root, 'sandboxes');
  const data = join(root, 'data');
  mkdirSync(join(data, 'sub'), { recursive: true });
  for (let i = 0; i < 6; i++) writeFileSync(join(data, `f${i}.txt`), `file ${i}\n`.repeat(i * 100 + 1));
  writeFileSync(join(data, 'sub', 'nested.txt'), 'nested\n');
  const env = {
    ...process.env,
    RESTIC_PASSWORD: PASSWORD,
    RESTIC_REPOSITORY: repo,
    RESTIC_CACHE_DIR: join(root, 'cache'),
  };
  execFileSync('restic', ['init', '-q'], { env });
  execFileSync('restic', ['backup', '-q', '--host', 'web-01', data], { env });
  const [snapshot] = JSON.parse(execFileSync('restic', ['snapshots', '--json'], { env }).toString()) as {
    id: string;
    time: string;
  }[];

  const secrets = new LocalSecretStore({ dir: join(root, 'secrets') });
  await secrets.put(TENANT, 'restic/web-01', SecretValue.fromUtf8(PASSWORD));
  deps = localRestoreTestDeps(adapters, {
    s3: localS3Client(cloud.endpoints),
    sandboxDir,
    secretsFor: (tenantId) => localSecretProvider(secrets, tenantId),
    resticCacheDir: join(root, 'cache'),
  });

  resourceId = `restic:web-01:${data}`;
  const text = restoreStrategy(
    TENANT,
    [{ locator: resourceId, source: 'restic' }],
    [
      {
        name: 'weekly-files',
        lines: [
          `resources: [${JSON.stringify(resourceId)}]`,
          'runner: restic',
          'schedule: { cron: "0 3 ? * SUN *" }',
          'sample: { count: 4 }',
          'maxRto: 4h',
          `restic: { repository: ${JSON.stringify(repo)}, passwordSecret: restic/web-01, readDataSubset: 10 }`,
        ],
      },
    ],
  );
  await applyStrategy(adapters.strategies, text, AT - 24 * HOUR);
  await adapters.facts.putFacts(
    pointFacts(TENANT, 'restic', resourceId, [{ id: snapshot!.id, createdAt: AT - 5 * HOUR }]),
  );
}, 90_000);

afterAll(async () => {
  await fixture?.stop();
});

describe('restore-test workflow with the restic runner on a real repository', { timeout: 90_000 }, () => {
  it('restores a sample of the snapshot with Debian restic, checks it and records PASSED with no sandbox left', async () => {
    const input = {
      tenantId: TENANT,
      resourceId,
      policyName: 'weekly-files',
      scheduledAt: new Date(AT).toISOString(),
      reason: 'test',
    };

    const run = await runRestoreTest(deps, input, { zeroWaits: true });

    expect(run.status).toBe('SUCCEEDED');
    const out = run.output as RecordOutput;
    expect(out.reason).toBe('all 4 checks passed');
    expect(out.outcome).toBe('PASSED');
    const evidence = JSON.parse(await adapters.blobs.getText(out.evidenceKey)) as RestoreTestEvidence;
    expect(evidence.runner).toBe('restic');
    expect(evidence.checks.map((c) => c.name)).toEqual(['file-list', 'checksums', 'restic-check', 'rto']);
    expect(evidence.sample).toMatchObject({ mode: 'count', value: 4, selected: 4, of: 7 });
    expect(evidence.recoveryPoint?.achievedRpoMs).toBeGreaterThanOrEqual(5 * HOUR);
    expect(evidence.cleanup).toMatchObject({ result: 'CLEANED', remaining: 0 });
    expect(readdirSync(sandboxDir)).toEqual([]);
    // The password never reaches the evidence.
    expect(JSON.stringify(evidence)).not.toContain(PASSWORD);
  });
});
