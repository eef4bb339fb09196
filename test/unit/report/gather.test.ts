import { describe, expect, it } from 'vitest';
import { buildAuditorReport } from '#core/report/auditor.ts';
import { gatherRestoreEvidence } from '#core/report/gather.ts';
import { parsePeriod } from '#core/report/period.ts';
import type { FindingStore, RestoreFinding, RestoreTestStore, RestoreTestSummary } from '#core/restore/ports.ts';
import { AUDIT_OK, DB, DECLARED, HOUR, MIN, realisticFindings, summary, TENANT, TZ } from './fixtures.ts';

/** In-memory RestoreTestStore following the port's contract: newest first, `from`/`to` inclusive on startedAt. */
class MemoryRestoreTests implements RestoreTestStore {
  readonly rows = new Map<string, RestoreTestSummary>();
  async put(s: RestoreTestSummary): Promise<void> {
    if (!this.rows.has(`${s.tenantId}/${s.testId}`)) this.rows.set(`${s.tenantId}/${s.testId}`, s);
  }
  async get(tenantId: string, testId: string): Promise<RestoreTestSummary | undefined> {
    return this.rows.get(`${tenantId}/${testId}`);
  }
  async list(
    tenantId: string,
    o: { resourceId?: string; from?: string; to?: string; limit?: number } = {},
  ): Promise<RestoreTestSummary[]> {
    return [...this.rows.values()]
      .filter((s) => s.tenantId === tenantId && (o.resourceId === undefined || s.resourceId === o.resourceId))
      .filter((s) => (o.from === undefined || s.startedAt >= o.from) && (o.to === undefined || s.startedAt <= o.to))
      .sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1))
      .slice(0, o.limit);
  }
  async outcomesSince(tenantId: string, from: string) {
    return this.list(tenantId, { from });
  }
  async page(tenantId: string, o: { limit: number }) {
    return { items: await this.list(tenantId, { limit: o.limit }) };
  }
}

class MemoryFindings implements FindingStore {
  readonly rows = new Map<string, RestoreFinding>();
  async open(f: RestoreFinding): Promise<void> {
    if (!this.rows.has(f.findingId)) this.rows.set(f.findingId, f);
  }
  async get(_tenantId: string, findingId: string): Promise<RestoreFinding | undefined> {
    return this.rows.get(findingId);
  }
  async update(
    _tenantId: string,
    findingId: string,
    patch: Partial<RestoreFinding> & { updatedBy: string; updatedAt: string },
  ): Promise<RestoreFinding> {
    const next = { ...this.rows.get(findingId)!, ...patch };
    this.rows.set(findingId, next);
    return next;
  }
  async list(tenantId: string, o: { status?: 'OPEN' | 'CLOSED' } = {}): Promise<RestoreFinding[]> {
    return [...this.rows.values()].filter(
      (f) => f.tenantId === tenantId && (o.status === undefined || f.status === o.status),
    );
  }
  async addTimelineEntry(): Promise<void> {}
  async timeline(): Promise<[]> {
    return [];
  }
}

describe('gatherRestoreEvidence', () => {
  it('reads the tests of the period from the store, including its first instant and excluding the next period’s', async () => {
    const period = parsePeriod('2026-09', TZ);
    const restoreTests = new MemoryRestoreTests();
    const findings = new MemoryFindings();
    const at = (startedAt: number, outcome: 'PASSED' | 'FAILED' = 'PASSED') =>
      summary({
        resourceId: DB,
        policyName: 'nightly-db',
        runner: 'aws-backup',
        startedAt,
        rtoMs: 20 * MIN,
        targetMs: HOUR,
        outcome,
      });
    const first = at(period.from);
    const last = at(period.to - 1, 'FAILED');
    for (const t of [at(period.from - 1), first, last, at(period.to)]) await restoreTests.put(t);
    for (const f of realisticFindings([last, { ...last, resourceId: 'restic:files01:/srv/share', outcome: 'ERROR' }]))
      await findings.open(f);

    const gathered = await gatherRestoreEvidence({ restoreTests, findings }, TENANT, period);
    const report = buildAuditorReport({
      tenantId: TENANT,
      tenantName: 'ACME',
      period,
      generatedAt: period.to,
      strategy: { version: 3, contentSha256: '0'.repeat(64) },
      declaredResources: DECLARED,
      ...gathered,
      audit: AUDIT_OK,
    });

    expect(gathered.tests.map((t) => t.testId).sort()).toEqual([first.testId, last.testId].sort());
    expect(report.summary).toMatchObject({ testsRun: 2, passed: 1, failed: 1 });
    expect(report.failures[0]!.finding?.rootCause).toContain('WAL archive');
  });
});
