import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDynamoClient } from '#adapters/local/local-clients.ts';
import {
  type BackupJob,
  type FactBatch,
  JOB_STATES,
  type JobState,
  jobStateRank,
  type RecoveryPoint,
  type SeenResource,
  TERMINAL_JOB_STATES,
} from '#core/model.ts';
import { type CloudFixture, startTestCloud, uniqueTenant } from '../../support/local-cloud.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const HOUR = 3_600_000;

let fx: CloudFixture;
let raw: DynamoDBDocumentClient;

beforeAll(async () => {
  fx = await startTestCloud();
  raw = DynamoDBDocumentClient.from(localDynamoClient(fx.cloud.endpoints));
});
afterAll(async () => fx.stop());

type Overrides<T> = { [K in keyof T]?: T[K] | undefined };

/** `completedAt: undefined` in an override means "absent", as in a record from a RUNNING event. */
function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function job(tenantId: string, overrides: Overrides<BackupJob> = {}): BackupJob {
  return withoutUndefined({
    tenantId,
    source: 'generic',
    kind: 'backup',
    jobId: 'job-1',
    resourceId: 'db-1',
    state: 'COMPLETED',
    startedAt: T0,
    completedAt: T0 + 60_000,
    observedAt: T0 + 120_000,
    ...overrides,
  } as BackupJob);
}

function point(tenantId: string, overrides: Partial<RecoveryPoint> = {}): RecoveryPoint {
  return {
    tenantId,
    source: 'generic',
    recoveryPointId: 'rp-1',
    resourceId: 'db-1',
    status: 'AVAILABLE',
    createdAt: T0 + 30_000,
    observedAt: T0 + 120_000,
    ...overrides,
  };
}

function batch(parts: Partial<FactBatch>): FactBatch {
  return { jobs: [], recoveryPoints: [], resources: [], ...parts };
}

async function rawItems(tenantId: string, resourceId: string): Promise<Record<string, unknown>[]> {
  const out = await raw.send(
    new QueryCommand({
      TableName: fx.cloud.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `T#${tenantId}#R#${resourceId}` },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

async function storedJob(tenantId: string, resourceId = 'db-1'): Promise<BackupJob | undefined> {
  const facts = await fx.adapters.facts.getFacts(tenantId, [resourceId], 0);
  return facts.get(resourceId)?.jobs[0];
}

describe('DynamoFactStore idempotency', () => {
  it('stores the same batch twice as exactly the same items', async () => {
    const tenant = uniqueTenant('idem');
    const b = batch({
      jobs: [
        job(tenant),
        job(tenant, { jobId: 'job-2', state: 'RUNNING', startedAt: T0 + HOUR, completedAt: undefined }),
      ],
      recoveryPoints: [point(tenant)],
      resources: [{ tenantId: tenant, source: 'generic', resourceId: 'db-1', firstSeenAt: T0, lastSeenAt: T0 + HOUR }],
    });

    const first = await fx.adapters.facts.putFacts(b);
    const itemsAfterFirst = await rawItems(tenant, 'db-1');
    const second = await fx.adapters.facts.putFacts(b);
    const itemsAfterSecond = await rawItems(tenant, 'db-1');

    expect(first).toEqual({ written: 3, stale: 0 });
    expect(itemsAfterSecond).toEqual(itemsAfterFirst);
    expect(itemsAfterSecond).toHaveLength(3);
    // every record is recognised as already held, the terminal job too: nothing written, nothing to re-verify
    expect(second).toEqual({ written: 0, stale: 3 });
  });

  it('returns stored records exactly as they were put, without storage attributes', async () => {
    const tenant = uniqueTenant('roundtrip');
    const j = job(tenant, { statusMessage: 'ok', sizeBytes: 42, location: 'vault-a', region: 'eu-west-3' });
    const p = point(tenant, { encrypted: true, deleteAt: T0 + 30 * 24 * HOUR, lockMode: 'vault-lock' });

    await fx.adapters.facts.putFacts(batch({ jobs: [j], recoveryPoints: [p] }));
    const facts = (await fx.adapters.facts.getFacts(tenant, ['db-1'], 0)).get('db-1');

    expect(facts).toEqual({ jobs: [j], recoveryPoints: [p] });
  });
});

describe('DynamoFactStore out-of-order observations', () => {
  it('keeps COMPLETED when a late RUNNING event for the same job arrives afterwards', async () => {
    const tenant = uniqueTenant('late');
    await fx.adapters.facts.putFacts(batch({ jobs: [job(tenant, { state: 'COMPLETED', observedAt: T0 + 2 })] }));

    const result = await fx.adapters.facts.putFacts(
      batch({ jobs: [job(tenant, { state: 'RUNNING', completedAt: undefined, observedAt: T0 + 3 })] }),
    );

    expect(result).toEqual({ written: 0, stale: 1 });
    expect((await storedJob(tenant))?.state).toBe('COMPLETED');
  });

  it('moves a RUNNING job to COMPLETED when the completion arrives', async () => {
    const tenant = uniqueTenant('progress');
    await fx.adapters.facts.putFacts(
      batch({ jobs: [job(tenant, { state: 'RUNNING', completedAt: undefined, observedAt: T0 + 1 })] }),
    );

    await fx.adapters.facts.putFacts(batch({ jobs: [job(tenant, { state: 'COMPLETED', observedAt: T0 + 5 })] }));

    expect(await storedJob(tenant)).toMatchObject({ state: 'COMPLETED', completedAt: T0 + 60_000 });
  });

  it('ignores an older observation of the same state', async () => {
    const tenant = uniqueTenant('older');
    await fx.adapters.facts.putFacts(
      batch({
        jobs: [job(tenant, { state: 'RUNNING', statusMessage: 'newer', completedAt: undefined, observedAt: T0 + 9 })],
      }),
    );

    await fx.adapters.facts.putFacts(
      batch({
        jobs: [job(tenant, { state: 'RUNNING', statusMessage: 'older', completedAt: undefined, observedAt: T0 + 4 })],
      }),
    );

    expect((await storedJob(tenant))?.statusMessage).toBe('newer');
  });

  it('keeps the newest observation when one batch holds several for the same job', async () => {
    const tenant = uniqueTenant('inbatch');
    await fx.adapters.facts.putFacts(
      batch({
        jobs: [
          job(tenant, { state: 'COMPLETED', observedAt: T0 + 8 }),
          job(tenant, { state: 'PENDING', completedAt: undefined, observedAt: T0 + 9 }),
        ],
      }),
    );

    expect((await storedJob(tenant))?.state).toBe('COMPLETED');
  });

  it('never resurrects a DELETED recovery point with a late AVAILABLE observation', async () => {
    const tenant = uniqueTenant('deleted');
    await fx.adapters.facts.putFacts(
      batch({ recoveryPoints: [point(tenant, { status: 'DELETED', observedAt: T0 + 5 })] }),
    );

    await fx.adapters.facts.putFacts(
      batch({ recoveryPoints: [point(tenant, { status: 'AVAILABLE', observedAt: T0 + 9 })] }),
    );

    const facts = await fx.adapters.facts.getFacts(tenant, ['db-1'], 0);
    expect(facts.get('db-1')?.recoveryPoints[0]?.status).toBe('DELETED');
  });

  it('ends in the highest-ranked state whatever order the observations arrive in', async () => {
    const nonTerminal = JOB_STATES.filter((s) => !TERMINAL_JOB_STATES.has(s));
    const observation = fc.record({
      state: fc.constantFrom<JobState>(...nonTerminal),
      observedAt: fc.integer({ min: 1, max: 1_000 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(observation, { minLength: 1, maxLength: 6 }), fc.boolean(), async (obs, withEnd) => {
        const tenant = uniqueTenant('prop');
        const all = withEnd ? [...obs, { state: 'COMPLETED' as JobState, observedAt: 500 }] : obs;
        // Each observation arrives in its own batch, in the generated (arbitrary) order.
        for (const o of all) {
          await fx.adapters.facts.putFacts(
            batch({ jobs: [job(tenant, { state: o.state, observedAt: T0 + o.observedAt, completedAt: undefined })] }),
          );
        }
        const best = [...all].sort(
          (a, b) => jobStateRank(b.state) - jobStateRank(a.state) || b.observedAt - a.observedAt,
        )[0];
        const stored = await storedJob(tenant);
        expect(jobStateRank(stored?.state ?? 'CREATED')).toBe(jobStateRank(best?.state ?? 'CREATED'));
        expect(stored?.observedAt).toBe(T0 + (best?.observedAt ?? 0));
      }),
      { numRuns: 15 },
    );
  });
});

describe('DynamoFactStore merges what different observations know about one recovery point', () => {
  const copyFromJob = (tenantId: string) =>
    point(tenantId, { recoveryPointId: 'copy-1', copyOf: 'rp-1', region: 'eu-central-1', observedAt: T0 + 100_000 });
  const copyFromEvent = (tenantId: string) =>
    point(tenantId, {
      recoveryPointId: 'copy-1',
      encrypted: true,
      deleteAt: T0 + 35 * 24 * HOUR,
      observedAt: T0 + 200_000,
    });

  it('keeps copyOf from the copy job when the newer recovery point event does not say it', async () => {
    const tenant = uniqueTenant('merge');
    await fx.adapters.facts.putFacts(batch({ recoveryPoints: [copyFromJob(tenant)] }));
    await fx.adapters.facts.putFacts(batch({ recoveryPoints: [copyFromEvent(tenant)] }));
    const facts = await fx.adapters.facts.getFacts(tenant, ['db-1'], 0);
    expect(facts.get('db-1')?.recoveryPoints).toEqual([
      expect.objectContaining({ recoveryPointId: 'copy-1', copyOf: 'rp-1', encrypted: true, region: 'eu-central-1' }),
    ]);
  });

  it('fills copyOf from a late copy job without undoing the newer event', async () => {
    const tenant = uniqueTenant('merge');
    await fx.adapters.facts.putFacts(batch({ recoveryPoints: [copyFromEvent(tenant)] }));
    await fx.adapters.facts.putFacts(batch({ recoveryPoints: [copyFromJob(tenant)] }));
    const [stored] = (await fx.adapters.facts.getFacts(tenant, ['db-1'], 0)).get('db-1')?.recoveryPoints ?? [];
    expect(stored).toMatchObject({ copyOf: 'rp-1', encrypted: true, observedAt: T0 + 200_000 });
  });

  it('merges both observations when they arrive in one batch', async () => {
    const tenant = uniqueTenant('merge');
    await fx.adapters.facts.putFacts(batch({ recoveryPoints: [copyFromEvent(tenant), copyFromJob(tenant)] }));
    const [stored] = (await fx.adapters.facts.getFacts(tenant, ['db-1'], 0)).get('db-1')?.recoveryPoints ?? [];
    expect(stored).toMatchObject({ copyOf: 'rp-1', encrypted: true });
  });

  it('stores one point when a job and an event date the same point differently', async () => {
    const tenant = uniqueTenant('merge');
    await fx.adapters.facts.putFacts(batch({ recoveryPoints: [point(tenant, { createdAt: T0, observedAt: T0 })] }));
    await fx.adapters.facts.putFacts(
      batch({ recoveryPoints: [point(tenant, { createdAt: T0 + 7_000, observedAt: T0 + 60_000 })] }),
    );
    const points = (await fx.adapters.facts.getFacts(tenant, ['db-1'], 0)).get('db-1')?.recoveryPoints ?? [];
    expect(points.map((p) => p.createdAt)).toEqual([T0 + 7_000]);
  });
});

describe('DynamoFactStore.getFacts', () => {
  it('returns jobs and points in ascending time, bounded by since, and empty facts for unknown resources', async () => {
    const tenant = uniqueTenant('order');
    await fx.adapters.facts.putFacts(
      batch({
        jobs: [
          job(tenant, { jobId: 'c', startedAt: T0 + 3 * HOUR }),
          job(tenant, { jobId: 'a', startedAt: T0 + 1 * HOUR }),
          job(tenant, { jobId: 'b', startedAt: T0 + 2 * HOUR }),
        ],
        recoveryPoints: [
          point(tenant, { recoveryPointId: 'p3', createdAt: T0 + 3 * HOUR }),
          point(tenant, { recoveryPointId: 'p1', createdAt: T0 + 1 * HOUR }),
        ],
      }),
    );

    const facts = await fx.adapters.facts.getFacts(tenant, ['db-1', 'nothing-here'], T0 + 2 * HOUR);

    expect(facts.get('db-1')?.jobs.map((j) => j.jobId)).toEqual(['b', 'c']);
    expect(facts.get('db-1')?.recoveryPoints.map((p) => p.recoveryPointId)).toEqual(['p3']);
    expect(facts.get('nothing-here')).toEqual({ jobs: [], recoveryPoints: [] });
  });

  it('includes a fact that started exactly at the since bound', async () => {
    const tenant = uniqueTenant('bound');
    await fx.adapters.facts.putFacts(batch({ jobs: [job(tenant, { startedAt: T0 + HOUR })] }));

    const facts = await fx.adapters.facts.getFacts(tenant, ['db-1'], T0 + HOUR);

    expect(facts.get('db-1')?.jobs).toHaveLength(1);
  });

  it('reads every fact of a resource holding more than one 1 MB query page', async () => {
    const tenant = uniqueTenant('pages');
    const message = 'x'.repeat(1_000);
    const jobs = Array.from({ length: 1_300 }, (_, i) =>
      job(tenant, { jobId: `j-${i}`, startedAt: T0 + i * 60_000, statusMessage: message }),
    );
    await fx.adapters.facts.putFacts(batch({ jobs }));

    const facts = await fx.adapters.facts.getFacts(tenant, ['db-1'], 0);

    const got = facts.get('db-1')?.jobs ?? [];
    expect(got).toHaveLength(1_300);
    expect(got.map((j) => j.startedAt)).toEqual(jobs.map((j) => j.startedAt));
  });
});

describe('DynamoFactStore seen resources', () => {
  it('widens first/last seen across batches and keeps the newest type and tags', async () => {
    const tenant = uniqueTenant('seen');
    const seen = (firstSeenAt: number, lastSeenAt: number, tags: Record<string, string>): SeenResource => ({
      tenantId: tenant,
      source: 'aws-backup',
      resourceId: 'arn:aws:ec2:eu-west-3:111122223333:volume/vol-1',
      resourceType: 'EBS',
      tags,
      firstSeenAt,
      lastSeenAt,
    });
    await fx.adapters.facts.putFacts(batch({ resources: [seen(T0 + 5 * HOUR, T0 + 6 * HOUR, { backup: 'daily' })] }));
    await fx.adapters.facts.putFacts(batch({ resources: [seen(T0 + 1 * HOUR, T0 + 2 * HOUR, { backup: 'old' })] }));
    await fx.adapters.facts.putFacts(batch({ resources: [seen(T0 + 7 * HOUR, T0 + 9 * HOUR, { backup: 'weekly' })] }));

    const listed = await fx.adapters.facts.listSeenResources(tenant);

    expect(listed).toEqual([seen(T0 + 1 * HOUR, T0 + 9 * HOUR, { backup: 'weekly' })]);
  });
});
