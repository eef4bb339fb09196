/**
 * The part of the auditor report model (docs/auditor-report.md) the auditor's page shows, mirrored
 * from core/report/auditor-model.ts: the API's OpenAPI schema types the model as an open object.
 * A type test (test/unit/web/mirrors.test.ts) checks that the core model still fits this shape.
 */

export type ControlStatus = 'MET' | 'PARTIALLY_MET' | 'NOT_MET';

export interface AuditorReportView {
  tenantId: string;
  tenantName: string;
  period: { label: string; title: string; from: string; to: string; timeZone: string };
  generatedAt: string;
  strategy: { version: number; contentSha256: string };
  summary: {
    testsRun: number;
    passed: number;
    failed: number;
    error: number;
    passRatePercent?: number;
    rto: { measured: number; withinTarget: number; overTarget: number; medianMs?: number };
    rpo: { medianMs?: number; worstMs?: number };
    resourcesDeclared: number;
    resourcesCovered: number;
    coveragePercent?: number;
    findingsOpen: number;
    findingsClosed: number;
    testsWithoutAuditEntry: number;
  };
  failures: Array<{
    resourceId: string;
    resourceName: string;
    testId: string;
    startedAt?: string;
    outcome: string;
    reason: string;
    carriedOver: boolean;
    finding?: { findingId: string; status: 'OPEN' | 'CLOSED'; rootCause?: string; correctiveAction?: string };
  }>;
  controls: Array<{
    id: string;
    framework: string;
    reference: string;
    name: string;
    requirement: string;
    evidence: string[];
    status: ControlStatus;
    reasons: string[];
  }>;
  audit: { ok: boolean; entries: number; headSeq: number; headHash: string; unsealed: number };
}
