/**
 * A realistic quarter of restore tests for one tenant (Q3 2026, Europe/Paris), shared by the unit
 * tests and the Chromium end-to-end test. Its numbers are stated here so tests can assert them:
 *  - Customer DB: 13 weekly tests, 12 passed, 1 FAILED over its 1 h RTO target (finding closed).
 *  - File server: 6 fortnightly tests, 5 passed, the latest an ERROR (finding open, no root cause).
 *  - Invoices archive: 3 monthly tests, all passed.
 *  - HR share: selected by a policy, never tested. Legacy ERP: no policy, never tested.
 * Totals: 22 tests, 20 passed, 1 failed, 1 error → pass rate 90.9 %; 3 of 5 resources covered.
 */
import type { AuditVerification } from '#core/audit/types.ts';
import type { AuditorReportInput, DeclaredResourceRef } from '#core/report/auditor.ts';
import { parsePeriod } from '#core/report/period.ts';
import type { RestoreOutcome } from '#core/restore/evidence.ts';
import { restoreTestId } from '#core/restore/ids.ts';
import type { RestoreFinding, RestoreTestSummary } from '#core/restore/ports.ts';

export const TENANT = 'acme';
export const TZ = 'Europe/Paris';
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

export const DB = 'arn:aws:rds:eu-west-3:123456789012:db:customers';
export const FILES = 'restic:files01:/srv/share';
export const INVOICES = 'arn:aws:s3:::acme-invoices';
export const HR = 'restic:hr01:/srv/hr';
export const ERP = 'erp://legacy';

export const DECLARED: DeclaredResourceRef[] = [
  { resourceId: DB, name: 'Customer DB (PostgreSQL)', policyName: 'nightly-db', rtoTargetMs: HOUR },
  { resourceId: FILES, name: 'File server', policyName: 'files', rtoTargetMs: 4 * HOUR },
  { resourceId: INVOICES, name: 'Invoices archive (S3)', policyName: 's3-archives', rtoTargetMs: 30 * MIN },
  { resourceId: HR, name: 'HR share', policyName: 'files', rtoTargetMs: 4 * HOUR },
  { resourceId: ERP, name: 'Legacy ERP' },
];

export const AUDIT_OK: AuditVerification = {
  ok: true,
  entries: 131,
  digests: 2,
  headSeq: 131,
  headHash: '9f2c4be1d07a3e55c1f0a8b6e4d2c9a7b3f1e0d8c6a4b2f0e9d7c5b3a1f8e6d4',
  problems: [],
  unsealed: 31,
};

interface TestSpec {
  resourceId: string;
  policyName: string;
  runner: string;
  startedAt: number;
  rtoMs?: number;
  targetMs: number;
  outcome: RestoreOutcome;
  reason?: string;
  auditSeq?: number;
}

export function summary(spec: TestSpec): RestoreTestSummary {
  const testId = restoreTestId({ tenantId: TENANT, resourceId: spec.resourceId, scheduledAt: spec.startedAt });
  const s: RestoreTestSummary = {
    tenantId: TENANT,
    testId,
    resourceId: spec.resourceId,
    policyName: spec.policyName,
    runner: spec.runner,
    outcome: spec.outcome,
    reason: spec.reason ?? (spec.outcome === 'PASSED' ? 'all 3 checks passed' : 'a check failed'),
    scheduledAt: new Date(spec.startedAt).toISOString(),
    startedAt: new Date(spec.startedAt).toISOString(),
    rtoTargetMs: spec.targetMs,
    rtoMet: spec.rtoMs !== undefined && spec.rtoMs <= spec.targetMs,
    strategyVersion: 3,
    evidenceKey: `runs/${TENANT}/${testId}/evidence.json`,
  };
  if (spec.rtoMs !== undefined) {
    s.rtoMs = spec.rtoMs;
    s.achievedRpoMs = 6 * HOUR + (spec.startedAt % (5 * HOUR));
    s.recoveryPointId = `${spec.resourceId}:rp-${new Date(spec.startedAt - 6 * HOUR).toISOString().slice(0, 10)}`;
  }
  if (spec.auditSeq !== undefined) s.auditSeq = spec.auditSeq;
  return s;
}

/** 2026-07-01T00:00 Europe/Paris (UTC+2). */
export const Q3_START = Date.UTC(2026, 5, 30, 22);

export function realisticTests(): RestoreTestSummary[] {
  const tests: RestoreTestSummary[] = [];
  let seq = 10;
  // Customer DB: weekly on Mondays 02:00 Paris from 6 July; test 7 (17 August) failed over target.
  for (let i = 0; i < 13; i++) {
    const startedAt = Q3_START + 5 * DAY + 2 * HOUR + i * 7 * DAY;
    const failed = i === 6;
    tests.push(
      summary({
        resourceId: DB,
        policyName: 'nightly-db',
        runner: 'aws-backup',
        startedAt,
        rtoMs: failed ? 75 * MIN : (22 + ((i * 7) % 15)) * MIN,
        targetMs: HOUR,
        outcome: failed ? 'FAILED' : 'PASSED',
        ...(failed ? { reason: 'rto: restored and validated in 4500000 ms; target 1h (3600000 ms)' } : {}),
        auditSeq: seq++,
      }),
    );
  }
  // File server: fortnightly from 3 July; the latest (25 September) errored before restoring.
  for (let i = 0; i < 6; i++) {
    const startedAt = Q3_START + 2 * DAY + 3 * HOUR + i * 14 * DAY;
    const last = i === 5;
    tests.push(
      summary({
        resourceId: FILES,
        policyName: 'files',
        runner: 'restic',
        startedAt,
        ...(last ? {} : { rtoMs: (95 + i * 9) * MIN }),
        targetMs: 4 * HOUR,
        outcome: last ? 'ERROR' : 'PASSED',
        ...(last ? { reason: 'RepositoryLocked: restic repository is locked by another process' } : {}),
        auditSeq: seq++,
      }),
    );
  }
  // Invoices archive: monthly on the 10th; the target tightened from 45 min to 30 min in August.
  for (let i = 0; i < 3; i++) {
    const startedAt = Q3_START + 9 * DAY + 4 * HOUR + i * 31 * DAY;
    tests.push(
      summary({
        resourceId: INVOICES,
        policyName: 's3-archives',
        runner: 's3-archive',
        startedAt,
        rtoMs: (12 + i * 4) * MIN,
        targetMs: i === 0 ? 45 * MIN : 30 * MIN,
        outcome: 'PASSED',
        auditSeq: seq++,
      }),
    );
  }
  return tests;
}

export function realisticFindings(tests: readonly RestoreTestSummary[]): RestoreFinding[] {
  const failedDb = tests.find((t) => t.resourceId === DB && t.outcome === 'FAILED')!;
  const erroredFiles = tests.find((t) => t.resourceId === FILES && t.outcome === 'ERROR')!;
  return [
    {
      tenantId: TENANT,
      findingId: `f-${failedDb.testId}`,
      testId: failedDb.testId,
      resourceId: DB,
      outcome: 'FAILED',
      summary: failedDb.reason,
      openedAt: failedDb.startedAt,
      status: 'CLOSED',
      rootCause: 'WAL archive on a throttled volume: replay took 40 minutes longer than usual.',
      correctiveAction: 'Moved the WAL archive to a provisioned-IOPS volume; re-tested on 24 August within target.',
      closedAt: '2026-08-24T09:30:00.000Z',
      updatedBy: 'ops@provider.example',
      updatedAt: '2026-08-24T09:30:00.000Z',
    },
    {
      tenantId: TENANT,
      findingId: `f-${erroredFiles.testId}`,
      testId: erroredFiles.testId,
      resourceId: FILES,
      outcome: 'ERROR',
      summary: erroredFiles.reason,
      openedAt: erroredFiles.startedAt,
      status: 'OPEN',
    },
  ];
}

export function realisticInput(overrides: Partial<AuditorReportInput> = {}): AuditorReportInput {
  const tests = realisticTests();
  return {
    tenantId: TENANT,
    tenantName: 'ACME Industries SAS',
    period: parsePeriod('2026-Q3', TZ),
    generatedAt: Date.UTC(2026, 9, 2, 7, 15),
    strategy: { version: 3, contentSha256: 'a3f1c9e0b7d5e2f4a6c8b0d2e4f6a8c0b2d4e6f8a0c2e4b6d8f0a2c4e6b8d0f2' },
    declaredResources: DECLARED,
    tests,
    findings: realisticFindings(tests),
    audit: AUDIT_OK,
    latestVerification: { compliancePercent: 96.4, evaluatedAt: '2026-10-02T06:00:00.000Z' },
    ...overrides,
  };
}
