/**
 * The other DynamoDB stores against moto: every conditional put, conditional update (reserved words included)
 * and reverse query they send is parsed and evaluated by a server that speaks DynamoDB's protocol, so a
 * condition DynamoDB would refuse or evaluate differently fails here instead of in a first deployment.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDossierStore } from '#adapters/aws/dynamo-dossier-store.ts';
import { DynamoFindingStore } from '#adapters/aws/dynamo-finding-store.ts';
import { DynamoReportStore } from '#adapters/aws/dynamo-report-store.ts';
import { DynamoRestoreTestStore } from '#adapters/aws/dynamo-restore-test-store.ts';
import { DynamoStrategyStore } from '#adapters/aws/dynamo-strategy-store.ts';
import { DynamoTenantStore } from '#adapters/aws/dynamo-tenant-store.ts';
import type { DossierVersion } from '#core/dossier/ports.ts';
import { ConflictError, ValidationError } from '#core/errors.ts';
import type { ReportSummary } from '#core/ports.ts';
import type { RestoreFinding, RestoreTestSummary } from '#core/restore/ports.ts';
import { createMainTable, uniqueName } from './support.ts';

let tableName: string;
beforeAll(async () => {
  tableName = await createMainTable('stores');
});

describe('DynamoStrategyStore on moto', () => {
  it('gives twelve concurrent applies of different content the versions 1 to 12, each once', async () => {
    const tenant = uniqueName('strategy');
    const store = new DynamoStrategyStore({ tableName });
    const applies = Array.from({ length: 12 }, (_, i) =>
      store.putVersion({
        tenantId: tenant,
        contentSha256: `sha-${i}`,
        appliedAt: 1_000 + i,
        author: 'alice',
        source: `content ${i}`,
        fileName: 'strategy.yaml',
      }),
    );

    const results = await Promise.all(applies);

    expect(results.map((r) => r.version.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    expect((await store.getCurrent(tenant))?.version).toBe(12);
    expect(await store.listTenants()).toContain(tenant);
  });
});

describe('DynamoTenantStore on moto', () => {
  it('keeps a fact that arrived during a verification dirty, and never moves the verification time back', async () => {
    const tenant = uniqueName('tenant');
    const store = new DynamoTenantStore({ tableName });

    await store.markDirty(tenant, 1_000);
    await store.markDirty(tenant, 3_000);
    await store.markDirty(tenant, 2_000);
    await store.markVerified(tenant, 2_500, 9_000);
    await store.markVerified(tenant, 2_400, undefined);

    expect(await store.get(tenant)).toEqual({
      tenantId: tenant,
      dirtySince: 3_000,
      lastVerifiedAt: 2_500,
      nextDeadline: 9_000,
    });
    await store.markVerified(tenant, 3_000, undefined);
    expect(await store.get(tenant)).toEqual({ tenantId: tenant, lastVerifiedAt: 3_000 });
  });

  it('routes an account to one tenant only, and frees the accounts a tenant no longer declares', async () => {
    const [a, b] = [uniqueName('owner'), uniqueName('other')];
    // The table is this file's own, so fixed account ids cannot meet another file's.
    const [acct1, acct2] = ['111100000001', '111100000002'];
    const store = new DynamoTenantStore({ tableName });

    await store.setAwsAccounts(a, [acct1, acct2]);
    await expect(store.setAwsAccounts(b, [acct2])).rejects.toBeInstanceOf(ValidationError);
    await store.setAwsAccounts(a, [acct1]);
    await store.setAwsAccounts(b, [acct2]);

    expect(await store.tenantForAwsAccount(acct1)).toBe(a);
    expect(await store.tenantForAwsAccount(acct2)).toBe(b);
  });
});

describe('DynamoReportStore on moto', () => {
  const summary = (tenantId: string, evaluatedAt: string, runId: string): ReportSummary => ({
    tenantId,
    runId,
    evaluatedAt,
    strategyVersion: 1,
    compliancePercent: 50,
    counts: { resources: 2, compliant: 1, nonCompliant: 1, notApplicable: 0, findings: 1 },
    newFindings: 1,
    resolvedFindings: 0,
    reportKey: `reports/${tenantId}/${runId}.json`,
  });

  it('moves the latest pointer only forward, so a late persist of an older run never hides the newer report', async () => {
    const tenant = uniqueName('reports');
    const store = new DynamoReportStore({ tableName });

    await store.putReport(summary(tenant, '2026-05-02T00:00:00Z', 'run-b'));
    await store.putReport(summary(tenant, '2026-05-01T00:00:00Z', 'run-a'));
    await store.putReport(summary(tenant, '2026-05-02T00:00:00.000Z', 'run-b'));

    expect((await store.getLatest(tenant))?.runId).toBe('run-b');
    expect((await store.listReports(tenant, 10)).map((r) => r.runId)).toEqual(['run-b', 'run-a']);
    expect((await store.listReports(tenant, 1)).map((r) => r.runId)).toEqual(['run-b']);
  });
});

describe('DynamoDossierStore on moto', () => {
  const version = (tenantId: string, n: number, exportId: string): DossierVersion => ({
    tenantId,
    version: n,
    exportId,
    zipKey: `dossiers/${tenantId}/v${n}.zip`,
    zipSha256: 'a'.repeat(64),
    zipBytes: 1_000,
    signerFingerprint: 'b'.repeat(64),
    recipientFingerprints: [],
    inputsFingerprint: {
      sha256: 'c'.repeat(64),
      groups: {
        strategy: '1',
        inventory: '2',
        configurations: '3',
        procedures: '4',
        secrets: '5',
        restoreEvidence: '6',
      },
    },
    secretRefs: [{ name: 'db-password', version: 'v1', lastChangedAt: 5 }],
    manifestIndexKey: `dossiers/${tenantId}/v${n}.manifest`,
    changeSummary: `v${n}`,
    createdAt: '2026-05-01T00:00:00.000Z',
    createdBy: 'cli',
  });

  it('lets one of two exports racing for a version number reserve and publish it, and stamps the audit seq once', async () => {
    const tenant = uniqueName('dossier');
    const store = new DynamoDossierStore({ tableName });

    const reserved = await Promise.all([
      store.reserve(tenant, 1, 'export-a', 1_000, 0),
      store.reserve(tenant, 1, 'export-b', 1_000, 0),
    ]);
    const winner = reserved[0] ? 'export-a' : 'export-b';
    const published = await Promise.all([
      store.putVersion(version(tenant, 1, winner)),
      store.putVersion(version(tenant, 1, 'export-late')),
    ]);
    const stamped = [await store.markAudited(tenant, 1, 7), await store.markAudited(tenant, 1, 8)];
    await store.release(tenant, 1, 'export-late');

    expect(reserved.filter(Boolean)).toHaveLength(1);
    expect(await store.reservedBy(tenant, 1)).toBe(winner);
    expect(published.filter(Boolean)).toHaveLength(1);
    expect(stamped).toEqual([true, false]);
    expect(await store.getVersion(tenant, 1)).toMatchObject({
      version: 1,
      auditSeq: 7,
      secretRefs: [{ name: 'db-password' }],
    });
    await store.release(tenant, 1, winner);
    expect(await store.reservedBy(tenant, 1)).toBeUndefined();
  });

  it('takes over a stale reservation and lists versions newest first', async () => {
    const tenant = uniqueName('dossier-list');
    const store = new DynamoDossierStore({ tableName });

    await store.reserve(tenant, 2, 'crashed-export', 1_000, 0);
    const takenOver = await store.reserve(tenant, 2, 'next-export', 90_000, 60_000);
    for (const n of [1, 2, 3]) await store.putVersion(version(tenant, n, `export-${n}`));

    expect(takenOver).toBe(true);
    expect((await store.list(tenant)).map((v) => v.version)).toEqual([3, 2, 1]);
    expect((await store.getLatest(tenant))?.version).toBe(3);
    expect(await store.markAudited(tenant, 9, 1)).toBe(false);
  });
});

describe('DynamoFindingStore on moto', () => {
  const finding = (tenantId: string): RestoreFinding => ({
    tenantId,
    findingId: 'finding-t9',
    testId: 't9',
    resourceId: 'files:a',
    outcome: 'FAILED',
    summary: 'checksums: 1 changed',
    openedAt: '2026-03-01T03:00:00.000Z',
    status: 'OPEN',
    rootCause: '',
    correctiveAction: '',
  });

  it('keeps the first opening and saves a change only at the revision it was read at', async () => {
    const tenant = uniqueName('finding');
    const store = new DynamoFindingStore({ tableName });
    expect(await store.open(finding(tenant))).toBe(true);
    expect(await store.open({ ...finding(tenant), summary: 'a retried Record must not reset it' })).toBe(false);

    await store.save({ ...finding(tenant), rootCause: 'disk', status: 'CLOSED', state: 'CLOSED', revision: 1 }, 0);
    const stale = store.save({ ...finding(tenant), rootCause: 'from an old read', revision: 1 }, 0);

    await expect(stale).rejects.toBeInstanceOf(ConflictError);
    expect(await store.get(tenant, 'finding-t9')).toMatchObject({ status: 'CLOSED', rootCause: 'disk', revision: 1 });
    expect((await store.list(tenant, { status: 'CLOSED' })).map((f) => f.findingId)).toEqual(['finding-t9']);
    await expect(
      store.save({ ...finding(tenant), findingId: 'no-such-finding', revision: 1 }, 0),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('writes a keyed timeline entry once however often it is retried', async () => {
    const tenant = uniqueName('timeline');
    const store = new DynamoFindingStore({ tableName });
    await store.open(finding(tenant));
    const entry = { at: '2026-03-01T03:00:00.000Z', by: 'reversa', kind: 'change' as const, text: 'opened' };
    await Promise.all([1, 2, 3].map(() => store.addTimelineEntry(tenant, 'finding-t9', entry, { key: 'run-7' })));

    expect(await store.timeline(tenant, 'finding-t9')).toEqual([entry]);
  });
});

describe('DynamoRestoreTestStore on moto', () => {
  const summary = (tenantId: string, testId: string, startedAt: string, outcome: RestoreTestSummary['outcome']) =>
    ({
      tenantId,
      testId,
      resourceId: 'files:a',
      policyName: 'p',
      runner: 's3-archive',
      outcome,
      reason: 'r',
      scheduledAt: startedAt,
      startedAt,
      rtoTargetMs: 1,
      rtoMet: true,
      strategyVersion: 1,
      evidenceKey: `restore-tests/${tenantId}/${testId}.json`,
    }) satisfies RestoreTestSummary;

  it('stores a test delivered twice once, and lists a time range newest first', async () => {
    const tenant = uniqueName('rtest');
    const store = new DynamoRestoreTestStore({ tableName });

    await store.put(summary(tenant, 't1', '2026-03-01T03:00:00Z', 'PASSED'));
    await store.put(summary(tenant, 't1', '2026-03-01T03:00:00Z', 'FAILED'));
    await store.put(summary(tenant, 't2', '2026-03-02T03:00:00Z', 'FAILED'));
    await store.put(summary(tenant, 't3', '2026-03-03T03:00:00Z', 'PASSED'));

    expect(await store.get(tenant, 't1')).toMatchObject({ outcome: 'PASSED' });
    expect((await store.list(tenant)).map((t) => t.testId)).toEqual(['t3', 't2', 't1']);
    expect(
      (await store.list(tenant, { from: '2026-03-02T03:00:00Z', to: '2026-03-03T03:00:00Z' })).map((t) => t.testId),
    ).toEqual(['t3', 't2']);
  });
});
