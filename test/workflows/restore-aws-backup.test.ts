import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localS3Client } from '#adapters/local/local-clients.ts';
import type { RestoreTestEvidence } from '#core/restore/evidence.ts';
import type { AwsBackupRestorePort, AwsRestoreStatus } from '#core/use-cases/restore-aws-backup.ts';
import type { RecordOutput, RestoreTestInput } from '#core/use-cases/restore-test.ts';
import type { LocalCloud } from '#local/cloud.ts';
import { runRestoreTest } from '#local/restore-runner.ts';
import { RestoreTestStates } from '#statemachines/names.ts';
import type { Adapters } from '#wiring/adapters.ts';
import { localRestoreTestDeps } from '#wiring/local/restore-test.ts';
import { type CloudFixture, startTestCloud, steppingClock } from '../support/local-cloud.ts';
import { pointFacts, restoreStrategy } from '../support/restore-fixtures.ts';
import { applyStrategy, HOUR } from '../support/verify-fixtures.ts';

const TENANT = 'rt-aws';
const AT = Date.parse('2026-03-10T03:00:00Z');
const TABLE = 'arn:aws:dynamodb:eu-west-3:111122223333:table/orders';
const POINT = 'arn:aws:backup:eu-west-3:111122223333:recovery-point:0b1c';

let fixture: CloudFixture;
let cloud: LocalCloud;
let adapters: Adapters;
let slot = 0;

beforeAll(async () => {
  fixture = await startTestCloud({ label: 'restore-aws', clock: steppingClock(AT) });
  ({ cloud, adapters } = fixture);
  const text = restoreStrategy(
    TENANT,
    [{ locator: TABLE, source: 'aws-backup' }],
    [
      {
        name: 'tables',
        lines: ['source: aws-backup', 'runner: aws-backup', 'schedule: { every: 30d }', 'maxRto: 1m'],
      },
    ],
  );
  await applyStrategy(adapters.strategies, text, AT - 24 * HOUR);
  await adapters.facts.putFacts(pointFacts(TENANT, 'generic', TABLE, [{ id: POINT, createdAt: AT - HOUR }]));
});

afterAll(async () => {
  await fixture?.stop();
});

function input(): RestoreTestInput {
  slot++;
  return {
    tenantId: TENANT,
    resourceId: TABLE,
    policyName: 'tables',
    scheduledAt: new Date(AT + slot * 60_000).toISOString(),
    reason: 'test',
  };
}

/** A scripted AWS Backup: the job reports each status of `statuses` in turn (the last one repeats). */
function scripted(statuses: AwsRestoreStatus[]) {
  const calls: string[] = [];
  let i = 0;
  const port: AwsBackupRestorePort = {
    start: async (req) => {
      calls.push(`start ${req.idempotencyToken}`);
      return { restoreJobId: 'job-1' };
    },
    describe: async () => {
      const status = statuses[Math.min(i++, statuses.length - 1)]!;
      calls.push(`describe ${status}`);
      return status === 'COMPLETED' ? { status, createdResourceArn: `${TABLE}-restored` } : { status };
    },
    validate: async () => {
      calls.push('validate');
      return {
        checks: [
          {
            name: 'item-count',
            status: 'PASSED',
            message: '120 items, 120 at backup',
            counts: { expected: 120, compared: 120 },
          },
        ],
        validation: { startedAt: AT, endedAt: AT + 1 },
      };
    },
    cleanup: async (req) => {
      calls.push(`cleanup ${req.createdResourceArn}`);
      return { removed: 1, remaining: 0 };
    },
  };
  return { port, calls };
}

describe('restore-test workflow, aws-backup polling loop', { timeout: 60_000 }, () => {
  it('polls DescribeRestoreJob until COMPLETED, validates, deletes the restored resource and records PASSED', async () => {
    const { port, calls } = scripted(['PENDING', 'RUNNING', 'COMPLETED']);
    const deps = localRestoreTestDeps(adapters, {
      s3: localS3Client(cloud.endpoints),
      awsBackup: port,
      secretsFor: () => ({ getSecret: async () => '' }),
    });

    const run = await runRestoreTest(deps, input(), { zeroWaits: true });

    const out = run.output as RecordOutput;
    expect(out.outcome).toBe('PASSED');
    expect(calls).toEqual([
      expect.stringMatching(/^start rt-[0-9a-f]{40}$/),
      'describe PENDING',
      'describe RUNNING',
      'describe COMPLETED',
      'validate',
      `cleanup ${TABLE}-restored`,
    ]);
    const evidence = JSON.parse(await adapters.blobs.getText(out.evidenceKey)) as RestoreTestEvidence;
    expect(evidence.cleanup).toMatchObject({ target: `${TABLE}-restored`, result: 'CLEANED' });
  });

  it('gives up after the poll budget, records ERROR and still deletes nothing it never created', async () => {
    const { port, calls } = scripted(['RUNNING']);
    const deps = localRestoreTestDeps(adapters, {
      s3: localS3Client(cloud.endpoints),
      awsBackup: port,
      secretsFor: () => ({ getSecret: async () => '' }),
    });

    const run = await runRestoreTest(deps, input(), { zeroWaits: true });

    const out = run.output as RecordOutput;
    expect(out.outcome).toBe('ERROR');
    expect(out.reason).toContain('RestoreTest.PollLimitReached');
    // maxRto 1m → 1 + 10 polls.
    expect(calls.filter((c) => c.startsWith('describe'))).toHaveLength(11);
    expect(run.stateOutputs.some((s) => s.state === RestoreTestStates.AwsBackupRestoreTimedOut)).toBe(true);
  });

  it('a FAILED restore job is recorded as ERROR after cleanup', async () => {
    const { port } = scripted(['RUNNING', 'FAILED']);
    const deps = localRestoreTestDeps(adapters, {
      s3: localS3Client(cloud.endpoints),
      awsBackup: port,
      secretsFor: () => ({ getSecret: async () => '' }),
    });

    const out = (await runRestoreTest(deps, input(), { zeroWaits: true })).output as RecordOutput;

    expect(out.outcome).toBe('ERROR');
    expect(out.reason).toContain('job-1 ended FAILED');
  });

  it('without a wired aws-backup runner, records ERROR naming the missing runner (never a silent skip)', async () => {
    const deps = localRestoreTestDeps(adapters, {
      s3: localS3Client(cloud.endpoints),
      secretsFor: () => ({ getSecret: async () => '' }),
    });

    const out = (await runRestoreTest(deps, input(), { zeroWaits: true })).output as RecordOutput;

    expect(out.outcome).toBe('ERROR');
    expect(out.reason).toContain('AwsBackupRunnerNotImplemented');
  });
});
