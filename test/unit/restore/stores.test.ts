import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoFindingStore } from '#adapters/aws/dynamo-finding-store.ts';
import { DynamoRestoreTestStore } from '#adapters/aws/dynamo-restore-test-store.ts';
import { localDynamoClient } from '#adapters/local/local-clients.ts';
import { NotFoundError } from '#core/errors.ts';
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

  it('opens once, lets the provider fill in root cause and close it, and lists by status', async () => {
    await findings.open(finding);
    const updated = await findings.update('acme', 'finding-t9', {
      rootCause: 'disk corruption on the backup host',
      correctiveAction: 'replaced disk, re-ran backup',
      status: 'CLOSED',
      updatedBy: 'ops@provider',
      updatedAt: '2026-03-02T10:00:00.000Z',
    });
    await findings.open({ ...finding, summary: 'reopened by a retried record' });

    expect(updated).toMatchObject({
      status: 'CLOSED',
      closedAt: '2026-03-02T10:00:00.000Z',
      updatedBy: 'ops@provider',
    });
    expect(await findings.get('acme', 'finding-t9')).toMatchObject({
      summary: 'checksums: 1 changed',
      rootCause: 'disk corruption on the backup host',
      status: 'CLOSED',
    });
    expect(await findings.list('acme', { status: 'OPEN' })).toEqual([]);
    expect((await findings.list('acme', { status: 'CLOSED' })).map((f) => f.findingId)).toEqual(['finding-t9']);
  });

  it('refuses to update a finding that does not exist', async () => {
    await expect(
      findings.update('acme', 'nope', { status: 'CLOSED', updatedBy: 'x', updatedAt: '2026-03-02T10:00:00.000Z' }),
    ).rejects.toBeInstanceOf(NotFoundError);
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
