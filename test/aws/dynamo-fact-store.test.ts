/**
 * DynamoFactStore against moto's DynamoDB: the conditional writes, update expressions, BatchWriteItem calls and
 * paginated queries the ingest and verify Lambdas send, checked by a server that parses them as DynamoDB does
 * (reserved words, 25-item batches, duplicate keys in a batch, 1 MB query pages).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoFactStore } from '#adapters/aws/dynamo-fact-store.ts';
import type { Item } from '#adapters/aws/dynamo-support.ts';
import type { BackupJob, RecoveryPoint } from '#core/model.ts';
import { createMainTable, recordCommands, type SentCommand, uniqueName } from './support.ts';

const T0 = Date.parse('2026-05-01T00:00:00Z');
const MINUTE = 60_000;

let tableName: string;
beforeAll(async () => {
  tableName = await createMainTable('facts');
});

function job(tenantId: string, jobId: string, overrides: Partial<BackupJob> = {}): BackupJob {
  return {
    tenantId,
    source: 'aws-backup',
    kind: 'backup',
    jobId,
    resourceId: 'arn:aws:dynamodb:eu-west-3:111122223333:table/orders',
    resourceType: 'DynamoDB',
    state: 'COMPLETED',
    startedAt: T0,
    completedAt: T0 + 5 * MINUTE,
    sizeBytes: 1_024,
    observedAt: T0 + 6 * MINUTE,
    ...overrides,
  };
}

function point(tenantId: string, overrides: Partial<RecoveryPoint> = {}): RecoveryPoint {
  return {
    tenantId,
    source: 'aws-backup',
    recoveryPointId: 'arn:aws:backup:eu-west-3:111122223333:recovery-point:rp-1',
    resourceId: 'arn:aws:dynamodb:eu-west-3:111122223333:table/orders',
    status: 'AVAILABLE',
    createdAt: T0 + MINUTE,
    observedAt: T0 + 6 * MINUTE,
    ...overrides,
  };
}

/**
 * What DynamoDB refuses in a BatchWriteItem and moto lets through (docs/aws-emulator.md): more than 25 requests,
 * or two requests for one key. Returns the size of each call.
 */
function checkedBatchSizes(calls: readonly SentCommand[]): number[] {
  return calls
    .filter((c) => c.command === 'BatchWriteItemCommand')
    .map((c) => {
      const requests = Object.values(c.input.RequestItems as Record<string, { PutRequest: { Item: Item } }[]>).flat();
      const keys = new Set(requests.map(({ PutRequest: { Item: item } }) => `${item.pk}\u0000${item.sk}`));
      expect(keys.size, 'one request per key in a BatchWriteItem').toBe(requests.length);
      expect(requests.length, 'at most 25 requests in a BatchWriteItem').toBeLessThanOrEqual(25);
      return requests.length;
    });
}

describe('DynamoFactStore on moto', () => {
  it('blind-writes finished jobs in BatchWriteItem calls of at most 25 items, and every job is read back', async () => {
    const tenant = uniqueName('batch');
    const client = new DynamoDBClient({});
    const calls = recordCommands(client);
    const store = new DynamoFactStore({ tableName, client });
    const jobs = Array.from({ length: 60 }, (_, i) => job(tenant, `job-${i}`, { startedAt: T0 + i * MINUTE }));

    const result = await store.putFacts({ jobs, recoveryPoints: [], resources: [] });

    expect(result).toEqual({ written: 60, stale: 0 });
    expect(checkedBatchSizes(calls).sort((a, b) => b - a)).toEqual([25, 25, 10]);
    const facts = await store.getFacts(tenant, [jobs[0]?.resourceId ?? ''], T0);
    expect(facts.get(jobs[0]?.resourceId ?? '')?.jobs.map((j) => j.jobId)).toEqual(jobs.map((j) => j.jobId));
  });

  it('sends one write, the newest, when a batch carries the same finished job twice', async () => {
    const tenant = uniqueName('dup');
    const client = new DynamoDBClient({});
    const calls = recordCommands(client);
    const store = new DynamoFactStore({ tableName, client });
    const first = job(tenant, 'job-dup', { observedAt: T0 + 6 * MINUTE });
    const later = job(tenant, 'job-dup', { observedAt: T0 + 9 * MINUTE, sizeBytes: 2_048 });

    await store.putFacts({ jobs: [first, later], recoveryPoints: [], resources: [] });

    expect(checkedBatchSizes(calls)).toEqual([1]);
    const jobs = (await store.getFacts(tenant, [first.resourceId], T0)).get(first.resourceId)?.jobs;
    expect(jobs).toEqual([expect.objectContaining({ jobId: 'job-dup', sizeBytes: 2_048 })]);
  });

  it('replaces a running job by its completion and refuses a late RUNNING observation of it', async () => {
    const tenant = uniqueName('order');
    const store = new DynamoFactStore({ tableName });
    const unfinished = (state: 'CREATED' | 'RUNNING', observedAt: number): BackupJob => {
      const { completedAt: _, ...rest } = job(tenant, 'job-1', { state, observedAt });
      return rest;
    };

    const firstWrite = await store.putFacts({
      jobs: [unfinished('RUNNING', T0 + MINUTE)],
      recoveryPoints: [],
      resources: [],
    });
    const backwards = await store.putFacts({
      jobs: [unfinished('CREATED', T0 + 2 * MINUTE)],
      recoveryPoints: [],
      resources: [],
    });
    await store.putFacts({ jobs: [job(tenant, 'job-1')], recoveryPoints: [], resources: [] });
    const late = await store.putFacts({
      jobs: [unfinished('RUNNING', T0 + 7 * MINUTE)],
      recoveryPoints: [],
      resources: [],
    });

    expect(firstWrite).toEqual({ written: 1, stale: 0 });
    expect(backwards).toEqual({ written: 0, stale: 1 });
    expect(late).toEqual({ written: 0, stale: 1 });
    const stored = (await store.getFacts(tenant, [job(tenant, 'job-1').resourceId], T0)).get(
      job(tenant, 'job-1').resourceId,
    );
    expect(stored?.jobs).toEqual([expect.objectContaining({ state: 'COMPLETED', completedAt: T0 + 5 * MINUTE })]);
  });

  it('merges two observations of one recovery point whichever arrives first', async () => {
    const store = new DynamoFactStore({ tableName });
    const merged: RecoveryPoint[] = [];
    for (const order of ['copy-first', 'event-first'] as const) {
      const tenant = uniqueName(order);
      // The copy job knows copyOf; the later recovery point event knows encryption and lifecycle.
      const fromCopyJob = point(tenant, { status: 'CREATING', copyOf: 'arn:source-rp', observedAt: T0 + 2 * MINUTE });
      const fromEvent = point(tenant, { encrypted: true, deleteAt: T0 + 35 * 86_400_000, observedAt: T0 + 4 * MINUTE });
      const [a, b] = order === 'copy-first' ? [fromCopyJob, fromEvent] : [fromEvent, fromCopyJob];

      await store.putFacts({ jobs: [], recoveryPoints: [a], resources: [] });
      await store.putFacts({ jobs: [], recoveryPoints: [b], resources: [] });

      const facts = await store.getFacts(tenant, [a.resourceId], T0);
      merged.push(...(facts.get(a.resourceId)?.recoveryPoints ?? []));
    }

    expect(merged).toHaveLength(2);
    for (const p of merged) {
      expect(p).toMatchObject({
        status: 'AVAILABLE',
        copyOf: 'arn:source-rp',
        encrypted: true,
        deleteAt: T0 + 35 * 86_400_000,
      });
    }
  });

  it('widens a seen resource to the earliest first sighting and the latest last sighting, in any order', async () => {
    const tenant = uniqueName('seen');
    const store = new DynamoFactStore({ tableName });
    const seen = (firstSeenAt: number, lastSeenAt: number, tags?: Record<string, string>) => ({
      tenantId: tenant,
      source: 'aws-backup' as const,
      resourceId: 'arn:aws:s3:::reports',
      resourceType: 'S3',
      ...(tags ? { tags } : {}),
      firstSeenAt,
      lastSeenAt,
    });

    await store.putFacts({ jobs: [], recoveryPoints: [], resources: [seen(T0 + 10 * MINUTE, T0 + 20 * MINUTE)] });
    await store.putFacts({
      jobs: [],
      recoveryPoints: [],
      resources: [seen(T0 + 5 * MINUTE, T0 + 30 * MINUTE, { env: 'prod' })],
    });
    await store.putFacts({ jobs: [], recoveryPoints: [], resources: [seen(T0 + 8 * MINUTE, T0 + 12 * MINUTE)] });

    expect(await store.listSeenResources(tenant)).toEqual([
      expect.objectContaining({
        resourceId: 'arn:aws:s3:::reports',
        firstSeenAt: T0 + 5 * MINUTE,
        lastSeenAt: T0 + 30 * MINUTE,
        tags: { env: 'prod' },
      }),
    ]);
  });

  it('reads every job of a resource whose items span several 1 MB query pages', async () => {
    const tenant = uniqueName('pages');
    const client = new DynamoDBClient({});
    const calls = recordCommands(client);
    const store = new DynamoFactStore({ tableName, client });
    // 30 jobs of ~45 KB (a long status message) are ~1.35 MB: DynamoDB answers the Query in two pages.
    const message = 'x'.repeat(45_000);
    const jobs = Array.from({ length: 30 }, (_, i) =>
      job(tenant, `job-${String(i).padStart(2, '0')}`, { startedAt: T0 + i * MINUTE, statusMessage: message }),
    );
    await store.putFacts({ jobs, recoveryPoints: [], resources: [] });
    calls.length = 0;

    const read = (await store.getFacts(tenant, [jobs[0]?.resourceId ?? ''], T0)).get(jobs[0]?.resourceId ?? '');

    expect(read?.jobs.map((j) => j.jobId)).toEqual(jobs.map((j) => j.jobId));
    const continued = calls.filter((c) => c.command === 'QueryCommand' && c.input.ExclusiveStartKey !== undefined);
    expect(continued.length).toBeGreaterThanOrEqual(1);
  });

  it('reads only the jobs and points of the window since the given time', async () => {
    const tenant = uniqueName('window');
    const store = new DynamoFactStore({ tableName });
    await store.putFacts({
      jobs: [job(tenant, 'old', { startedAt: T0 - 60 * MINUTE }), job(tenant, 'new', { startedAt: T0 + 60 * MINUTE })],
      recoveryPoints: [
        point(tenant, { recoveryPointId: 'rp-old', createdAt: T0 - 50 * MINUTE }),
        point(tenant, { recoveryPointId: 'rp-new', createdAt: T0 + 61 * MINUTE }),
      ],
      resources: [],
    });

    const facts = (await store.getFacts(tenant, [point(tenant).resourceId], T0)).get(point(tenant).resourceId);

    expect(facts?.jobs.map((j) => j.jobId)).toEqual(['new']);
    expect(facts?.recoveryPoints.map((p) => p.recoveryPointId)).toEqual(['rp-new']);
  });
});
