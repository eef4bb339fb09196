/**
 * The ports core needs from the outside world. adapters/aws and adapters/local implement them;
 * the wiring layer (wiring/) picks which. Core never imports @aws-sdk/*.
 */
import type { BackupJob, FactBatch, RecoveryPoint, ResourceFacts, SeenResource } from './model.ts';

export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

export interface PutFactsResult {
  /** Records written (new, or newer than what was stored). */
  written: number;
  /** Records ignored because the store already held the same or a newer observation. */
  stale: number;
}

export interface FactStore {
  /** Idempotent: the same batch twice, or an older observation after a newer one, changes nothing. */
  putFacts(batch: FactBatch): Promise<PutFactsResult>;
  /** Facts of each resource with startedAt/createdAt >= since, sorted ascending. Missing resources map to empty facts. */
  getFacts(tenantId: string, resourceIds: readonly string[], since: number): Promise<Map<string, ResourceFacts>>;
  listSeenResources(tenantId: string): Promise<SeenResource[]>;
}

export type { BackupJob, RecoveryPoint };

export interface StoredStrategyVersion {
  tenantId: string;
  version: number;
  contentSha256: string;
  appliedAt: number;
  author: string;
  /** The document as written (YAML or JSON text), kept verbatim for audits. */
  source: string;
  fileName: string;
}

export interface StrategyStore {
  /** Stores a new immutable version. Applying identical content again returns the existing version. */
  putVersion(v: Omit<StoredStrategyVersion, 'version'>): Promise<{ version: StoredStrategyVersion; created: boolean }>;
  getCurrent(tenantId: string): Promise<StoredStrategyVersion | undefined>;
  getVersion(tenantId: string, version: number): Promise<StoredStrategyVersion | undefined>;
  listTenants(): Promise<string[]>;
}

/** Objects: reports, run artefacts, inbox and quarantine. Keys, never whole buckets in memory. */
export interface BlobStore {
  putText(key: string, body: string, contentType?: string): Promise<void>;
  getText(key: string, maxBytes?: number): Promise<string>;
  exists(key: string): Promise<boolean>;
  list(prefix: string): Promise<string[]>;
  move(fromKey: string, toKey: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface EventPublisher {
  publish(detailType: string, detail: Record<string, unknown>): Promise<void>;
}

/** The small index row of one verification run; the full report is a JSON object in the BlobStore. */
export interface ReportSummary {
  tenantId: string;
  runId: string;
  /** ISO-8601. */
  evaluatedAt: string;
  strategyVersion: number;
  compliancePercent: number;
  counts: { resources: number; compliant: number; nonCompliant: number; notApplicable: number; findings: number };
  newFindings: number;
  resolvedFindings: number;
  /** BlobStore key of the full VerificationReport JSON. */
  reportKey: string;
  nextDeadline?: string;
  /** Open findings by severity (absent in summaries written before it existed). */
  findingsBySeverity?: Partial<Record<'low' | 'medium' | 'high' | 'critical', number>>;
  /** What is late right now: missed RPOs (RpoMet findings), at most LATE_LISTED of them. */
  late?: { resourceId: string; ruleId: string; summary: string }[];
}

export const LATE_LISTED = 20;

export interface ReportStore {
  /** Idempotent per (tenantId, runId). Also moves the tenant's "latest" pointer if this run is newer. */
  putReport(summary: ReportSummary): Promise<void>;
  getLatest(tenantId: string): Promise<ReportSummary | undefined>;
  /**
   * Newest first, up to `limit` (complete however many store pages that takes). With a range, only
   * runs evaluated in [from, to) (ISO-8601, either end optional): a key-range read, not a scan.
   */
  listReports(tenantId: string, limit: number, range?: ReportRange): Promise<ReportSummary[]>;
}

/** A half-open range of evaluation times, ISO-8601. */
export interface ReportRange {
  from?: string;
  to?: string;
}

/** Per-tenant scheduling state used by the deadline sweep. */
export interface TenantState {
  tenantId: string;
  /** Set by ingestion when new facts arrive (e.g. a failed job): the next sweep verifies the tenant. */
  dirtySince?: number;
  /** Earliest RPO deadline of a currently compliant resource: the sweep verifies the tenant when it passes. */
  nextDeadline?: number;
  lastVerifiedAt?: number;
}

export interface TenantStore {
  get(tenantId: string): Promise<TenantState | undefined>;
  markDirty(tenantId: string, at: number): Promise<void>;
  /** Clears dirtySince only if it is not newer than `verifiedAt` (facts that arrived during the run keep it dirty). */
  markVerified(tenantId: string, verifiedAt: number, nextDeadline: number | undefined): Promise<void>;
  /** AWS account → tenant routing for AWS Backup events, rewritten when a strategy is applied. */
  setAwsAccounts(tenantId: string, accountIds: readonly string[]): Promise<void>;
  tenantForAwsAccount(accountId: string): Promise<string | undefined>;
}

/** Starts the verify workflow (Step Functions in AWS, the in-process ASL runner locally). */
export interface VerifyStarter {
  /** `name` is deterministic so a schedule delivered twice starts one execution. */
  start(input: { tenantId: string; at?: string; reason: string }, name: string): Promise<{ started: boolean }>;
}
