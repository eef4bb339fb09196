/**
 * The auditor report's data shapes: its input, its sections and the control verdicts it carries.
 * They live apart from the code that builds them (auditor.ts and its section modules) and from the
 * code that judges the controls (controls.ts), so both can depend on the shapes without depending on
 * each other: the report builder calls the controls, and the controls read the report's sections.
 */
import type { AuditVerification } from '../audit/types.ts';
import type { RestoreOutcome } from '../restore/evidence.ts';
import type { RestoreFinding, RestoreTestSummary } from '../restore/ports.ts';

export interface DeclaredResourceRef {
  resourceId: string;
  name: string;
  /** The restore-test policy covering it; undefined when no policy tests it. */
  policyName?: string;
  /** The policy's maxRto in ms. */
  rtoTargetMs?: number;
}

export interface AuditorReportInput {
  tenantId: string;
  tenantName: string;
  /** From parsePeriod; `timeZone` and `title` are optional so callers may build one by hand. */
  period: { label: string; from: number; to: number; timeZone?: string; title?: string };
  /** Epoch ms. */
  generatedAt: number;
  strategy: { version: number; contentSha256: string };
  declaredResources: readonly DeclaredResourceRef[];
  /** Restore tests of the period (tests whose startedAt falls outside [from, to) are ignored). */
  tests: readonly RestoreTestSummary[];
  /** The tenant's findings; those opened after the period, or closed before it, are ignored. */
  findings: readonly RestoreFinding[];
  /** Verification of the tenant's audit log (core/audit/verify.ts). */
  audit: AuditVerification;
  /** The latest backup verification (core/verify), for context. evaluatedAt is ISO-8601. */
  latestVerification?: { compliancePercent: number; evaluatedAt: string };
}

export interface RtoStats {
  /** Tests with a measured RTO. */
  measured: number;
  /** Tests whose restore never started (no RTO). */
  unmeasured: number;
  withinTarget: number;
  overTarget: number;
  medianMs?: number;
  /** The longest RTO. */
  worst?: RtoExtreme;
  /** The RTO furthest above (or least below) its own target: the highest RTO / target ratio. */
  worstVsTarget?: RtoExtreme;
}

export interface RtoExtreme {
  rtoMs: number;
  targetMs: number;
  resourceId: string;
  testId: string;
}

export interface ReportSummary {
  testsRun: number;
  passed: number;
  failed: number;
  error: number;
  /** passed / testsRun, 0..100 with one decimal; undefined without tests. */
  passRatePercent?: number;
  rto: RtoStats;
  /** Median and worst achieved RPO (age of the restored recovery point). */
  rpo: { medianMs?: number; worstMs?: number };
  resourcesDeclared: number;
  /** Declared resources with at least one test in the period. */
  resourcesCovered: number;
  resourcesNeverTested: number;
  /** covered / declared, 0..100 with one decimal; undefined without declared resources. */
  coveragePercent?: number;
  findingsOpen: number;
  findingsClosed: number;
  /** Tests whose summary names no audit-log entry. */
  testsWithoutAuditEntry: number;
}

export interface TestRow {
  testId: string;
  /** ISO-8601 UTC. */
  startedAt: string;
  runner: string;
  policyName: string;
  outcome: RestoreOutcome;
  reason: string;
  rtoMs?: number;
  rtoTargetMs: number;
  rtoMet: boolean;
  achievedRpoMs?: number;
  recoveryPointId?: string;
  strategyVersion: number;
  auditSeq?: number;
}

export interface TrendPoint {
  /** ISO-8601 UTC. */
  at: string;
  rtoMs: number;
  targetMs: number;
  outcome: RestoreOutcome;
}

export type ResourceStatus = 'PASSING' | 'FAILING' | 'NEVER_TESTED';

export interface ResourceSection {
  resourceId: string;
  name: string;
  /** False for a resource tested in the period but no longer declared by the strategy. */
  declared: boolean;
  policyName?: string;
  rtoTargetMs?: number;
  /** From the latest test: PASSING when it PASSED. */
  status: ResourceStatus;
  tests: number;
  passed: number;
  failed: number;
  error: number;
  medianRtoMs?: number;
  worstRtoMs?: number;
  /** Newest first, at most LAST_TESTS_PER_RESOURCE. */
  lastTests: TestRow[];
  /** Oldest first: every test with a measured RTO (the most recent MAX_TREND_POINTS). */
  trend: TrendPoint[];
}

export interface FindingRef {
  findingId: string;
  status: 'OPEN' | 'CLOSED';
  /** ISO-8601. */
  openedAt: string;
  closedAt?: string;
  rootCause?: string;
  correctiveAction?: string;
  updatedBy?: string;
}

export interface FailureRow {
  resourceId: string;
  resourceName: string;
  /** The test when it ran in the period; a finding carried over from earlier has only its testId. */
  testId: string;
  startedAt?: string;
  outcome: RestoreOutcome;
  reason: string;
  /** Undefined when the failed test opened no finding (itself worth an auditor's question). */
  finding?: FindingRef;
  /** An open finding from a test before the period. */
  carriedOver: boolean;
}

export interface CoverageSection {
  /** Declared resources with no test in the period, in declaration order. */
  neverTested: { resourceId: string; name: string; policyName?: string }[];
  /** Declared resources no restore-test policy selects: they cannot be tested at all. */
  withoutPolicy: { resourceId: string; name: string }[];
}

export interface AuditSection {
  ok: boolean;
  entries: number;
  digests: number;
  headSeq: number;
  headHash: string;
  unsealed: number;
  firstBad?: { seq: number; reason: string };
  firstBadDigest?: { digestSeq: number; reason: string };
  problems: string[];
  problemsOmitted: number;
}

export interface AuditorReport {
  reportVersion: 1;
  tenantId: string;
  tenantName: string;
  period: { label: string; title: string; from: string; to: string; timeZone: string };
  generatedAt: string;
  strategy: { version: number; contentSha256: string };
  latestVerification?: { compliancePercent: number; evaluatedAt: string };
  summary: ReportSummary;
  resources: ResourceSection[];
  failures: FailureRow[];
  failuresOmitted: number;
  coverage: CoverageSection;
  controls: ControlResult[];
  audit: AuditSection;
}

export type ControlStatus = 'MET' | 'PARTIALLY_MET' | 'NOT_MET';

export interface ControlResult {
  id: string;
  /** e.g. ISO/IEC 27001:2022 */
  framework: string;
  /** e.g. A.8.13 */
  reference: string;
  name: string;
  /** The requirement, in one sentence. */
  requirement: string;
  /** The report sections that answer it. */
  evidence: string[];
  status: ControlStatus;
  /** Why this status: the gaps, or what satisfied the control. */
  reasons: string[];
}
