import { describe, expect, it } from 'vitest';
import { buildAuditorReport, LAST_TESTS_PER_RESOURCE } from '#core/report/auditor.ts';
import type { ControlStatus } from '#core/report/controls.ts';
import type { RestoreFinding } from '#core/restore/ports.ts';
import {
  AUDIT_OK,
  DAY,
  DB,
  DECLARED,
  ERP,
  FILES,
  HOUR,
  HR,
  INVOICES,
  MIN,
  Q3_START,
  realisticInput,
  realisticTests,
  summary,
  TENANT,
} from './fixtures.ts';

const statuses = (controls: { id: string; status: ControlStatus }[]) =>
  Object.fromEntries(controls.map((c) => [c.id, c.status]));

/** Every declared resource tested, every latest test passed, the one failure documented and closed. */
function allGoodInput() {
  const declared = DECLARED.slice(0, 4);
  const tests = realisticTests().filter((t) => t.outcome !== 'ERROR');
  tests.push(
    summary({
      resourceId: FILES,
      policyName: 'files',
      runner: 'restic',
      startedAt: Q3_START + 80 * DAY,
      rtoMs: 2 * HOUR,
      targetMs: 4 * HOUR,
      outcome: 'PASSED',
      auditSeq: 40,
    }),
    summary({
      resourceId: HR,
      policyName: 'files',
      runner: 'restic',
      startedAt: Q3_START + 81 * DAY,
      rtoMs: HOUR,
      targetMs: 4 * HOUR,
      outcome: 'PASSED',
      auditSeq: 41,
    }),
  );
  const findings = realisticInput().findings.filter((f) => f.status === 'CLOSED');
  return realisticInput({ declaredResources: declared, tests, findings });
}

describe('buildAuditorReport summary', () => {
  it('counts tests, outcomes, pass rate and coverage of the period', () => {
    const report = buildAuditorReport(realisticInput());

    expect(report.summary).toMatchObject({
      testsRun: 22,
      passed: 20,
      failed: 1,
      error: 1,
      passRatePercent: 90.9,
      resourcesDeclared: 5,
      resourcesCovered: 3,
      resourcesNeverTested: 2,
      coveragePercent: 60,
      findingsOpen: 1,
      findingsClosed: 1,
      testsWithoutAuditEntry: 0,
    });
  });

  it('reports the median RTO, the longest RTO and the RTO furthest over its own target', () => {
    const { rto } = buildAuditorReport(realisticInput()).summary;

    expect(rto).toMatchObject({ measured: 21, unmeasured: 1, withinTarget: 20, overTarget: 1 });
    expect(rto.medianMs).toBe(31 * MIN);
    // The file server's 2 h 11 min is the longest, but within its 4 h target…
    expect(rto.worst).toMatchObject({ rtoMs: 131 * MIN, targetMs: 4 * HOUR, resourceId: FILES });
    // …the database's 75 min against 1 h is the worst against a target.
    expect(rto.worstVsTarget).toMatchObject({ rtoMs: 75 * MIN, targetMs: HOUR, resourceId: DB });
  });

  it('has no pass rate, median or worst when no test ran, rather than a misleading zero', () => {
    const report = buildAuditorReport(realisticInput({ tests: [], findings: [] }));

    expect(report.summary.testsRun).toBe(0);
    expect(report.summary.passRatePercent).toBeUndefined();
    expect(report.summary.rto.medianMs).toBeUndefined();
    expect(report.summary.rto.worst).toBeUndefined();
    expect(report.summary.resourcesNeverTested).toBe(5);
  });

  it('ignores tests started outside the period in the tenant zone, and tests of another tenant', () => {
    const base = { policyName: 'nightly-db', runner: 'aws-backup', rtoMs: 20 * MIN, targetMs: HOUR } as const;
    const lastJuneMinute = summary({ ...base, resourceId: HR, startedAt: Q3_START - 1, outcome: 'PASSED' });
    const firstJulyInstant = summary({ ...base, resourceId: ERP, startedAt: Q3_START, outcome: 'PASSED' });
    const october = summary({ ...base, resourceId: HR, startedAt: Date.UTC(2026, 8, 30, 22), outcome: 'PASSED' });
    const otherTenant = {
      ...summary({ ...base, resourceId: HR, startedAt: Q3_START + DAY, outcome: 'PASSED' }),
      tenantId: 'other',
    };

    const report = buildAuditorReport(
      realisticInput({ tests: [lastJuneMinute, firstJulyInstant, october, otherTenant] }),
    );

    expect(report.summary.testsRun).toBe(1);
    expect(report.coverage.neverTested.map((r) => r.name)).toEqual([
      'Customer DB (PostgreSQL)',
      'File server',
      'Invoices archive (S3)',
      'HR share',
    ]);
  });
});

describe('buildAuditorReport resources and coverage', () => {
  it('lists the newest tests of each resource first, capped, with RTO, achieved RPO and recovery point', () => {
    const db = buildAuditorReport(realisticInput()).resources.find((r) => r.resourceId === DB)!;

    expect(db).toMatchObject({ tests: 13, passed: 12, failed: 1, error: 0, status: 'PASSING', rtoTargetMs: HOUR });
    expect(db.lastTests).toHaveLength(LAST_TESTS_PER_RESOURCE);
    const times = db.lastTests.map((t) => t.startedAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(db.lastTests[0]).toMatchObject({ outcome: 'PASSED', rtoTargetMs: HOUR, auditSeq: 22 });
    expect(db.lastTests[0]!.rtoMs).toBeTypeOf('number');
    expect(db.lastTests[0]!.achievedRpoMs).toBeTypeOf('number');
    expect(db.lastTests[0]!.recoveryPointId).toContain('rp-2026-09-27');
    expect(db.worstRtoMs).toBe(75 * MIN);
  });

  it('gives an RTO trend oldest first with each test’s own target, so a tightened target shows as a step', () => {
    const invoices = buildAuditorReport(realisticInput()).resources.find((r) => r.resourceId === INVOICES)!;

    expect(invoices.trend.map((p) => [p.at, p.rtoMs / MIN, p.targetMs / MIN])).toEqual([
      ['2026-07-10T02:00:00.000Z', 12, 45],
      ['2026-08-10T02:00:00.000Z', 16, 30],
      ['2026-09-10T02:00:00.000Z', 20, 30],
    ]);
  });

  it('leaves tests without a measured RTO out of the trend but not out of the table', () => {
    const files = buildAuditorReport(realisticInput()).resources.find((r) => r.resourceId === FILES)!;

    expect(files.status).toBe('FAILING');
    expect(files.trend).toHaveLength(5);
    expect(files.lastTests[0]).toMatchObject({ outcome: 'ERROR' });
    expect(files.lastTests[0]!.rtoMs).toBeUndefined();
  });

  it('names the declared resources never tested and those no policy selects, in declaration order', () => {
    const report = buildAuditorReport(realisticInput());

    expect(report.coverage.neverTested).toEqual([
      { resourceId: HR, name: 'HR share', policyName: 'files' },
      { resourceId: ERP, name: 'Legacy ERP' },
    ]);
    expect(report.coverage.withoutPolicy).toEqual([{ resourceId: ERP, name: 'Legacy ERP' }]);
    expect(report.resources.map((r) => r.status)).toEqual([
      'PASSING',
      'FAILING',
      'PASSING',
      'NEVER_TESTED',
      'NEVER_TESTED',
    ]);
  });

  it('keeps a resource tested in the period but no longer declared, marked as such, outside coverage', () => {
    const gone = summary({
      resourceId: 'nas://old',
      policyName: 'files',
      runner: 'restic',
      startedAt: Q3_START + DAY,
      rtoMs: HOUR,
      targetMs: 4 * HOUR,
      outcome: 'PASSED',
    });

    const report = buildAuditorReport(realisticInput({ tests: [...realisticTests(), gone] }));

    expect(report.resources.at(-1)).toMatchObject({ resourceId: 'nas://old', name: 'nas://old', declared: false });
    expect(report.summary.resourcesDeclared).toBe(5);
    expect(report.summary.testsWithoutAuditEntry).toBe(1);
  });
});

describe('buildAuditorReport failures', () => {
  const finding = (over: Partial<RestoreFinding>): RestoreFinding => ({
    tenantId: TENANT,
    findingId: 'f-x',
    testId: 'rt-x',
    resourceId: DB,
    outcome: 'FAILED',
    summary: 'checksums: 2 files changed',
    openedAt: '2026-05-10T00:00:00.000Z',
    status: 'OPEN',
    ...over,
  });

  it('joins each failed test with its finding, root cause and corrective action, newest first', () => {
    const report = buildAuditorReport(realisticInput());

    expect(report.failures.map((f) => [f.resourceId, f.outcome, f.finding?.status])).toEqual([
      [FILES, 'ERROR', 'OPEN'],
      [DB, 'FAILED', 'CLOSED'],
    ]);
    expect(report.failures[1]!.finding).toMatchObject({
      rootCause: expect.stringContaining('WAL archive'),
      correctiveAction: expect.stringContaining('provisioned-IOPS'),
      closedAt: '2026-08-24T09:30:00.000Z',
      updatedBy: 'ops@provider.example',
    });
    expect(report.failures[0]!.finding!.rootCause).toBeUndefined();
  });

  it('carries over a finding from before the period that is still open, and drops ones closed before it or opened after', () => {
    const carried = finding({ findingId: 'f-carried', testId: 'rt-may' });
    const closedBefore = finding({
      findingId: 'f-closed',
      testId: 'rt-april',
      status: 'CLOSED',
      closedAt: '2026-06-01T00:00:00.000Z',
    });
    const closedDuring = finding({
      findingId: 'f-during',
      testId: 'rt-june',
      status: 'CLOSED',
      closedAt: '2026-07-03T00:00:00.000Z',
    });
    const later = finding({ findingId: 'f-later', testId: 'rt-oct', openedAt: '2026-10-01T08:00:00.000Z' });

    const report = buildAuditorReport(
      realisticInput({ tests: [], findings: [carried, closedBefore, closedDuring, later] }),
    );

    expect(report.failures.map((f) => [f.finding?.findingId, f.carriedOver])).toEqual([
      ['f-carried', true],
      ['f-during', true],
    ]);
    expect(report.failures[0]).toMatchObject({
      reason: 'checksums: 2 files changed',
      resourceName: 'Customer DB (PostgreSQL)',
    });
  });

  it('lists a failed test that opened no finding, and NIS2 names it as a gap', () => {
    const report = buildAuditorReport(realisticInput({ findings: [] }));

    expect(report.failures.every((f) => f.finding === undefined)).toBe(true);
    const nis2 = report.controls.find((c) => c.id === 'nis2-2024-2690-4.2')!;
    expect(nis2.reasons.join('\n')).toContain('2 failed tests opened no finding');
  });
});

describe('buildAuditorReport control mapping', () => {
  it('maps the four controls with a requirement, the evidence sections and a status', () => {
    const report = buildAuditorReport(realisticInput());

    expect(report.controls.map((c) => `${c.framework} ${c.reference}`)).toEqual([
      'ISO/IEC 27001:2022 A.8.13',
      'SOC 2 (2017 TSC) A1.3',
      'NIS2 Implementing Regulation (EU) 2024/2690 Annex §4.2',
      'DORA (EU) 2022/2554 Art. 12',
    ]);
    for (const c of report.controls) {
      expect(c.requirement.length).toBeGreaterThan(40);
      expect(c.evidence.length).toBeGreaterThan(0);
      expect(c.reasons.length).toBeGreaterThan(0);
    }
  });

  it('judges a quarter with coverage gaps, a failing latest test and an open finding as partially met, with the reasons', () => {
    const report = buildAuditorReport(realisticInput());

    expect(statuses(report.controls)).toEqual({
      'iso27001-a8.13': 'PARTIALLY_MET',
      'soc2-a1.3': 'PARTIALLY_MET',
      'nis2-2024-2690-4.2': 'PARTIALLY_MET',
      'dora-art12': 'PARTIALLY_MET',
    });
    const iso = report.controls[0]!;
    expect(iso.reasons).toEqual([
      '2 of 5 declared resources were never tested in the period: HR share, Legacy ERP',
      'the latest test did not pass for 1 resource: File server',
    ]);
    expect(report.controls[3]!.reasons).toContain('1 declared resource has no restore-test policy: Legacy ERP');
  });

  it('judges every control met when all resources are tested, latest tests pass within target and failures are closed', () => {
    const report = buildAuditorReport(allGoodInput());

    expect(report.summary.resourcesNeverTested).toBe(0);
    expect(statuses(report.controls)).toEqual({
      'iso27001-a8.13': 'MET',
      'soc2-a1.3': 'MET',
      'nis2-2024-2690-4.2': 'MET',
      'dora-art12': 'MET',
    });
    expect(report.controls[2]!.reasons).toContain(
      'the one finding has a root cause and a corrective action and is closed',
    );
  });

  it('judges every control not met when no restore test ran in the period', () => {
    const report = buildAuditorReport(realisticInput({ tests: [], findings: [] }));

    expect(new Set(report.controls.map((c) => c.status))).toEqual(new Set(['NOT_MET']));
    expect(report.controls[0]!.reasons[0]).toBe('no restore test ran in the period');
  });

  it('never calls a control met when the audit log failed verification', () => {
    const audit = {
      ...AUDIT_OK,
      ok: false,
      firstBad: { seq: 17, reason: 'hash mismatch' },
      problems: ['entry 17: hash mismatch'],
    };

    const report = buildAuditorReport({ ...allGoodInput(), audit });

    expect(new Set(report.controls.map((c) => c.status))).toEqual(new Set(['PARTIALLY_MET']));
    expect(report.controls[0]!.reasons).toEqual([
      'the audit log failed verification: the records behind this report cannot be trusted',
    ]);
    expect(report.audit).toMatchObject({ ok: false, firstBad: { seq: 17, reason: 'hash mismatch' } });
  });
});

describe('buildAuditorReport as data', () => {
  it('copies the audit-log verification with the chain head', () => {
    expect(buildAuditorReport(realisticInput()).audit).toEqual({
      ok: true,
      entries: 131,
      digests: 2,
      headSeq: 131,
      headHash: AUDIT_OK.headHash,
      unsealed: 31,
      problems: [],
      problemsOmitted: 0,
    });
  });

  it('gives the same model whatever the order of tests and findings', () => {
    const input = realisticInput();
    const shuffled = { ...input, tests: [...input.tests].reverse(), findings: [...input.findings].reverse() };

    expect(buildAuditorReport(shuffled)).toEqual(buildAuditorReport(input));
  });

  it('survives a JSON round trip unchanged (serialisable: no dates, maps or functions)', () => {
    const report = buildAuditorReport(realisticInput());

    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(report.period).toEqual({
      label: '2026-Q3',
      title: 'Q3 2026 (July–September)',
      from: '2026-06-30T22:00:00.000Z',
      to: '2026-09-30T22:00:00.000Z',
      timeZone: 'Europe/Paris',
    });
    expect(report.generatedAt).toBe('2026-10-02T07:15:00.000Z');
  });
});
