import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoFindingStore } from '#adapters/aws/dynamo-finding-store.ts';
import { DynamoRestoreTestStore } from '#adapters/aws/dynamo-restore-test-store.ts';
import { localDynamoClient } from '#adapters/local/local-clients.ts';
import { ConflictError } from '#core/errors.ts';
import type { RestoreFinding, RestoreTestSummary } from '#core/restore/ports.ts';
import { type LocalCloud, startLocalCloud } from '#local/cloud.ts';

let root: string;
let cloud: LocalCloud;
let tests: DynamoRestoreTestStore;
let findings: DynamoFindingStore;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'reversa-restore-stores-'));
  cloud = await startLocalCloud({ home: root, persist: false });
  const client = localDynamoClient(cloud.endpoints);
  tests = new DynamoRestoreTestStore({ tableName: cloud.tableName, client });
  findings = new DynamoFindingStore({ tableName: cloud.tableName, client });
});
afterAll(async () => {
  await cloud?.stop();
  rmSync(root, { recursive: true, force: true });
});

const summary = (
  testId: string,
  resourceId: string,
  startedAt: string,
  outcome: RestoreTestSummary['outcome'] = 'PASSED',
) =>
  ({
    tenantId: 'acme',
    testId,
    resourceId,
    policyName: 'p',
    runner: 's3-archive',
    outcome,
    reason: 'r',
    scheduledAt: startedAt,
    startedAt,
    rtoTargetMs: 1,
    rtoMet: true,
    strategyVersion: 1,
    evidenceKey: `restore-tests/acme/${testId}.json`,
  }) satisfies RestoreTestSummary;

describe('DynamoRestoreTestStore on dynalite', () => {
  it('stores a test once, keeps the first record, and lists newest first by resource and time range', async () => {
    await tests.put(summary('t1', 'files:a', '2026-03-01T03:00:00Z'));
    await tests.put(summary('t1', 'files:a', '2026-03-01T03:00:00Z', 'FAILED'));
    await tests.put(summary('t2', 'files:b', '2026-03-02T03:00:00.000Z'));
    await tests.put(summary('t3', 'files:a', '2026-03-03T03:00:00.000Z'));

    expect(await tests.get('acme', 't1')).toMatchObject({ outcome: 'PASSED', startedAt: '2026-03-01T03:00:00.000Z' });
    expect((await tests.list('acme')).map((t) => t.testId)).toEqual(['t3', 't2', 't1']);
    expect((await tests.list('acme', { resourceId: 'files:a' })).map((t) => t.testId)).toEqual(['t3', 't1']);
    expect(
      (await tests.list('acme', { from: '2026-03-02T03:00:00Z', to: '2026-03-03T03:00:00Z' })).map((t) => t.testId),
    ).toEqual(['t3', 't2']);
    expect((await tests.list('acme', { limit: 1 })).map((t) => t.testId)).toEqual(['t3']);
    expect(await tests.get('acme', 'missing')).toBeUndefined();
  });
});

describe('DynamoFindingStore on dynalite', () => {
  const finding: RestoreFinding = {
    tenantId: 'acme',
    findingId: 'finding-t9',
    testId: 't9',
    resourceId: 'files:a',
    outcome: 'FAILED',
    summary: 'checksums: 1 changed',
    openedAt: '2026-03-01T03:00:00.000Z',
    status: 'OPEN',
    rootCause: '',
    correctiveAction: '',
  };

  it('opens once, saves a change at the revision it was read at, and lists by status', async () => {
    expect(await findings.open(finding)).toBe(true);
    const read = await findings.get('acme', 'finding-t9');
    await findings.save(
      {
        ...read!,
        rootCause: 'disk corruption on the backup host',
        correctiveAction: 'replaced disk, re-ran backup',
        status: 'CLOSED',
        state: 'CLOSED',
        closedAt: '2026-03-02T10:00:00.000Z',
        updatedBy: 'ops@provider',
        revision: 1,
      },
      0,
    );
    expect(await findings.open({ ...finding, summary: 'reopened by a retried record' })).toBe(false);

    expect(await findings.get('acme', 'finding-t9')).toMatchObject({
      summary: 'checksums: 1 changed',
      rootCause: 'disk corruption on the backup host',
      status: 'CLOSED',
      revision: 1,
    });
    expect(await findings.list('acme', { status: 'OPEN' })).toEqual([]);
    expect((await findings.list('acme', { status: 'CLOSED' })).map((f) => f.findingId)).toEqual(['finding-t9']);
  });

  it('refuses a save from a stale read, so two people changing one incident never lose an edit', async () => {
    const f = { ...finding, tenantId: 'stale', findingId: 'finding-s1' };
    await findings.open(f);
    await findings.save({ ...f, rootCause: 'first', revision: 1 }, 0);

    await expect(findings.save({ ...f, rootCause: 'second, from the same old read', revision: 1 }, 0)).rejects.toThrow(
      /changed since it was read/,
    );
    expect((await findings.get('stale', 'finding-s1'))?.rootCause).toBe('first');
  });

  it('refuses to save a finding that does not exist', async () => {
    await expect(findings.save({ ...finding, findingId: 'nope', revision: 1 }, 0)).rejects.toBeInstanceOf(
      ConflictError,
    );
  });

  it('lists every change made since the last listing, and what a caller does to a listed record stays its own', async () => {
    const f = { ...finding, tenantId: 'relist', findingId: 'finding-r1' };
    const open = async () => (await findings.list('relist', { status: 'OPEN' })).map((x) => x.findingId);
    await findings.open(f);
    expect(await open()).toEqual(['finding-r1']);

    await findings.open({ ...f, findingId: 'finding-r2', openedAt: '2026-03-02T03:00:00.000Z', reopenings: [] });
    expect(await open()).toEqual(['finding-r2', 'finding-r1']);
    await findings.save({ ...f, status: 'CLOSED', state: 'CLOSED', revision: 1 }, 0);
    expect(await open()).toEqual(['finding-r2']);
    await expect(findings.save({ ...f, status: 'OPEN', revision: 1 }, 0)).rejects.toBeInstanceOf(ConflictError);
    expect(await open()).toEqual(['finding-r2']);

    const [listed] = await findings.list('relist', { status: 'OPEN' });
    (listed as RestoreFinding).status = 'CLOSED';
    listed?.reopenings?.push({ at: '2026-03-03T00:00:00.000Z', from: 'RESOLVED', recurring: false } as never);
    expect(await open()).toEqual(['finding-r2']);
    expect((await findings.list('relist', { status: 'OPEN' }))[0]?.reopenings).toEqual([]);
  });

  it('lists a change whose save died after writing, before and after the retry', async () => {
    const client = localDynamoClient(cloud.endpoints);
    let failBump = true;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { UpdateExpression?: string };
        if (failBump && context.commandName === 'UpdateItemCommand' && input.UpdateExpression?.includes('ADD gen')) {
          throw new Error('the step died here');
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    const dying = new DynamoFindingStore({ tableName: cloud.tableName, client });
    const f = { ...finding, tenantId: 'dying', findingId: 'finding-d1' };
    await findings.open(f);
    expect((await findings.list('dying', { status: 'OPEN' })).map((x) => x.findingId)).toEqual(['finding-d1']);

    await expect(dying.save({ ...f, status: 'CLOSED', state: 'CLOSED', revision: 1 }, 0)).rejects.toThrow(/died here/);
    expect(await findings.list('dying', { status: 'OPEN' })).toEqual([]);
    expect(await findings.list('dying', { status: 'OPEN' })).toEqual([]);

    failBump = false;
    await dying.save({ ...f, status: 'OPEN', state: 'OPEN', revision: 2 }, 1);
    expect((await findings.list('dying', { status: 'OPEN' })).map((x) => x.findingId)).toEqual(['finding-d1']);
  });

  it('keeps one timeline entry per key (a retried step), in time order with the others', async () => {
    const f = { ...finding, tenantId: 'tl', findingId: 'finding-k' };
    await findings.open(f);
    const auto = { at: '2026-03-01T03:00:00.000Z', by: 'reversa', kind: 'change' as const, text: 'opened' };
    await findings.addTimelineEntry('tl', 'finding-k', auto, { key: 'run-1' });
    await findings.addTimelineEntry('tl', 'finding-k', auto, { key: 'run-1' });
    await findings.addTimelineEntry('tl', 'finding-k', {
      ...auto,
      at: '2026-03-01T02:00:00.000Z',
      text: 'earlier comment',
      kind: 'comment',
    });

    expect((await findings.timeline('tl', 'finding-k')).map((e) => e.text)).toEqual(['earlier comment', 'opened']);
  });
});

describe('restore-test pages', () => {
  const tenant = (s: RestoreTestSummary) => ({ ...s, tenantId: 'paged' });
  beforeAll(async () => {
    for (let i = 0; i < 120; i++) {
      const at = new Date(Date.parse('2026-06-01T00:00:00Z') + i * 3_600_000).toISOString();
      await tests.put(
        tenant(
          summary(
            `t-${String(i).padStart(3, '0')}`,
            i % 3 === 0 ? 'db' : 'files',
            at,
            i % 10 === 0 ? 'FAILED' : 'PASSED',
          ),
        ),
      );
    }
  });

  it('walks every test once, newest first, page by page with the cursor', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await tests.page('paged', { limit: 25, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(25);
      seen.push(...page.items.map((t) => t.testId));
      cursor = page.nextCursor;
    } while (cursor);

    expect(seen).toHaveLength(120);
    expect(new Set(seen).size).toBe(120);
    expect(seen[0]).toBe('t-119');
    expect(seen.at(-1)).toBe('t-000');
  });

  it('filters by resource and outcome without reading past what a page needs', async () => {
    const failedDb = await tests.page('paged', { limit: 100, resourceId: 'db', outcome: 'FAILED' });

    expect(failedDb.items.map((t) => t.testId)).toEqual(['t-090', 't-060', 't-030', 't-000']);
    expect(failedDb.nextCursor).toBeUndefined();
  });

  it('counts outcomes since a time from the two fields only', async () => {
    const outcomes = await tests.outcomesSince('paged', '2026-06-05T00:00:00Z');

    expect(outcomes).toHaveLength(120 - 96);
    expect(Object.keys(outcomes[0] ?? {}).sort()).toEqual(['outcome', 'startedAt']);
  });

  it("refuses a cursor that is not one of this listing's", async () => {
    const forged = Buffer.from('T#other#RTEST', 'utf8').toString('base64url');

    await expect(tests.page('paged', { limit: 5, cursor: forged })).rejects.toMatchObject({ code: 'BadCursor' });
  });
});

describe('recent outcomes between reads (the status window)', () => {
  const inWindow = (testId: string, startedAt: string, outcome: RestoreTestSummary['outcome'] = 'PASSED') => ({
    ...summary(testId, 'files:a', startedAt, outcome),
    tenantId: 'window',
  });
  const since = '2026-05-01T00:00:00Z';
  const ids = async (store: DynamoRestoreTestStore, from = since) =>
    (await store.outcomesSince('window', from)).map((o) => `${o.startedAt} ${o.outcome}`);

  it('counts every test recorded after a read, including one that started before the newest', async () => {
    await tests.put(inWindow('w1', '2026-05-10T00:00:00Z'));
    await tests.put(inWindow('w2', '2026-05-20T00:00:00Z', 'FAILED'));
    expect(await ids(tests)).toEqual(['2026-05-20T00:00:00.000Z FAILED', '2026-05-10T00:00:00.000Z PASSED']);

    // Recorded late: its start is older than the newest test's, in the middle of the window.
    await tests.put(inWindow('w3', '2026-05-15T00:00:00Z', 'FAILED'));
    expect(await ids(tests)).toEqual([
      '2026-05-20T00:00:00.000Z FAILED',
      '2026-05-15T00:00:00.000Z FAILED',
      '2026-05-10T00:00:00.000Z PASSED',
    ]);
    // A later window start, as time passes: the same answer as a fresh store's.
    const fresh = new DynamoRestoreTestStore({
      tableName: cloud.tableName,
      client: localDynamoClient(cloud.endpoints),
    });
    expect(await ids(tests, '2026-05-12T00:00:00Z')).toEqual(await ids(fresh, '2026-05-12T00:00:00Z'));
    expect(await ids(tests, '2026-05-12T00:00:00Z')).toHaveLength(2);
    // An earlier one than ever read.
    expect(await ids(tests, '2026-01-01T00:00:00Z')).toEqual(await ids(fresh, '2026-01-01T00:00:00Z'));
  });

  it('counts a test whose recording died after its listing write, and goes on counting after the retry', async () => {
    const client = localDynamoClient(cloud.endpoints);
    let failBump = true;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { UpdateExpression?: string };
        if (failBump && context.commandName === 'UpdateItemCommand' && input.UpdateExpression?.includes('ADD gen')) {
          throw new Error('the recording step died here');
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    const dying = new DynamoRestoreTestStore({ tableName: cloud.tableName, client });
    const before = await ids(tests);

    await expect(dying.put(inWindow('w4', '2026-05-25T00:00:00Z'))).rejects.toThrow(/died here/);
    expect(await ids(tests)).toEqual(['2026-05-25T00:00:00.000Z PASSED', ...before]);
    expect(await ids(tests)).toEqual(['2026-05-25T00:00:00.000Z PASSED', ...before]);

    failBump = false;
    await dying.put(inWindow('w4', '2026-05-25T00:00:00Z'));
    await tests.put(inWindow('w5', '2026-05-26T00:00:00Z'));
    expect(await ids(tests)).toEqual(['2026-05-26T00:00:00.000Z PASSED', '2026-05-25T00:00:00.000Z PASSED', ...before]);
  });
});
