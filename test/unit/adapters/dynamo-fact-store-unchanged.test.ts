/**
 * An unchanged record is not rewritten (issue 8): putting the same facts again performs no
 * successful write at all (counted on the wire, at the SDK client), reports `written: 0`, and so
 * never marks the tenant for re-verification. A changed record is still written.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoFactStore } from '#adapters/aws/dynamo-fact-store.ts';
import { localDynamoClient } from '#adapters/local/local-clients.ts';
import type { BackupJob, FactBatch, RecoveryPoint } from '#core/model.ts';
import { ingestReport } from '#core/use-cases/ingest-report.ts';
import { type CloudFixture, startTestCloud, uniqueTenant } from '../../support/local-cloud.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const HOUR = 3_600_000;
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'BatchWriteItemCommand', 'DeleteItemCommand']);

let fx: CloudFixture;
let client: DynamoDBClient;
let store: DynamoFactStore;
/** Items the table accepted: successful single-item writes, and each item of a BatchWriteItem. */
let writes = 0;

beforeAll(async () => {
  fx = await startTestCloud();
  client = localDynamoClient(fx.cloud.endpoints);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      if (WRITES.has(context.commandName ?? '')) {
        const input = args.input as { RequestItems?: Record<string, unknown[]> };
        writes += input.RequestItems ? Object.values(input.RequestItems).flat().length : 1;
      }
      return out;
    },
    { step: 'initialize', name: 'countWrites' },
  );
  store = new DynamoFactStore({ tableName: fx.cloud.tableName, client });
});
afterAll(async () => {
  client.destroy();
  await fx.stop();
});

function facts(tenantId: string): FactBatch {
  const job = (jobId: string, state: BackupJob['state'], startedAt: number): BackupJob => ({
    tenantId,
    source: 'generic',
    kind: 'backup',
    jobId,
    resourceId: 'db-1',
    state,
    startedAt,
    ...(state === 'RUNNING' ? {} : { completedAt: startedAt + 60_000 }),
    observedAt: startedAt + 120_000,
  });
  const point = (recoveryPointId: string, status: RecoveryPoint['status']): RecoveryPoint => ({
    tenantId,
    source: 'generic',
    recoveryPointId,
    resourceId: 'db-1',
    status,
    createdAt: T0,
    encrypted: true,
    observedAt: T0 + 120_000,
  });
  return {
    jobs: [job('done', 'COMPLETED', T0), job('failed', 'FAILED', T0 + HOUR), job('running', 'RUNNING', T0 + 2 * HOUR)],
    recoveryPoints: [point('rp-available', 'AVAILABLE'), point('rp-expired', 'EXPIRED')],
    resources: [
      {
        tenantId,
        source: 'generic',
        resourceId: 'db-1',
        resourceType: 'NAS',
        tags: { backup: 'daily' },
        firstSeenAt: T0,
        lastSeenAt: T0 + 2 * HOUR,
      },
    ],
  };
}

describe('putting facts that are already stored', () => {
  it('writes nothing and reports every record as unchanged: terminal, running, points and the seen resource', async () => {
    const tenant = uniqueTenant('same');
    const first = await store.putFacts(facts(tenant));
    writes = 0;

    const again = await store.putFacts(facts(tenant));

    expect(first.written).toBe(5);
    expect(again).toEqual({ written: 0, stale: 5 });
    expect(writes).toBe(0);
  });

  it('still writes a terminal record whose content changed, and only that one', async () => {
    const tenant = uniqueTenant('changed');
    await store.putFacts(facts(tenant));
    const changed = facts(tenant);
    changed.jobs[1] = { ...(changed.jobs[1] as BackupJob), statusMessage: 'KMS key disabled' };
    writes = 0;

    const again = await store.putFacts(changed);

    expect(again).toEqual({ written: 1, stale: 4 });
    expect(writes).toBe(1);
    const stored = (await store.getFacts(tenant, ['db-1'], 0)).get('db-1')?.jobs.find((j) => j.jobId === 'failed');
    expect(stored?.statusMessage).toBe('KMS key disabled');
  });

  it('keeps a newer terminal observation when an older one of the same job arrives later', async () => {
    const tenant = uniqueTenant('older');
    const newer = facts(tenant);
    newer.jobs[0] = { ...(newer.jobs[0] as BackupJob), observedAt: T0 + 5 * HOUR, sizeBytes: 42 };
    await store.putFacts(newer);

    const result = await store.putFacts(facts(tenant));

    expect(result.written).toBe(0);
    const stored = (await store.getFacts(tenant, ['db-1'], 0)).get('db-1')?.jobs.find((j) => j.jobId === 'done');
    expect(stored).toMatchObject({ observedAt: T0 + 5 * HOUR, sizeBytes: 42 });
  });

  it('updates the seen resource when its tags change at the same sighting time', async () => {
    const tenant = uniqueTenant('tags');
    await store.putFacts(facts(tenant));
    const retagged = facts(tenant);
    retagged.resources[0] = { ...retagged.resources[0]!, tags: { backup: 'hourly' } };

    await store.putFacts(retagged);

    expect((await store.listSeenResources(tenant))[0]?.tags).toEqual({ backup: 'hourly' });
  });

  it('re-ingesting an unchanged report stores nothing and does not mark the tenant for re-verification', async () => {
    const tenantId = uniqueTenant('report');
    const text = JSON.stringify({
      reversaJobReport: 1,
      tool: 'nightly',
      jobs: [{ id: 'j1', resource: 'files-01', state: 'COMPLETED', startedAt: '2026-03-01T02:00:00Z' }],
    });
    const deps = { ...fx.adapters, facts: store };
    await ingestReport(deps, { tenantId, fileName: 'r.json', text, receivedAt: T0 });
    await fx.adapters.tenants.markVerified(tenantId, T0 + HOUR, undefined);

    const again = await ingestReport(deps, { tenantId, fileName: 'r.json', text, receivedAt: T0 + 2 * HOUR });

    expect(again).toMatchObject({ status: 'ingested', written: 0, stale: 1 });
    expect((await fx.adapters.tenants.get(tenantId))?.dirtySince).toBeUndefined();
  });
});
