/**
 * Ports of the restore-test capability. DynamoDB + S3 in AWS and on the local cloud
 * (adapters/aws/dynamo-restore-test-store.ts, dynamo-finding-store.ts).
 */
import type { RestoreOutcome, RestoreTestEvidence } from './evidence.ts';

/** The index row of one restore test; the full evidence is a JSON object at `evidenceKey`. */
export interface RestoreTestSummary {
  tenantId: string;
  testId: string;
  resourceId: string;
  policyName: string;
  runner: string;
  outcome: RestoreOutcome;
  reason: string;
  /** ISO-8601. */
  scheduledAt: string;
  startedAt: string;
  /** End-to-end RTO achieved (ms), when the restore started. */
  rtoMs?: number;
  rtoTargetMs: number;
  rtoMet: boolean;
  /** Age of the restored recovery point at test time (ms). */
  achievedRpoMs?: number;
  recoveryPointId?: string;
  strategyVersion: number;
  /** BlobStore key of the full RestoreTestEvidence JSON. */
  evidenceKey: string;
  /** Audit-log entry that recorded it. */
  auditSeq?: number;
}

export interface RestoreTestStore {
  /** Idempotent per (tenantId, testId): a test delivered twice is stored once. */
  put(summary: RestoreTestSummary): Promise<void>;
  get(tenantId: string, testId: string): Promise<RestoreTestSummary | undefined>;
  /** Newest first, optionally for one resource and a time range on startedAt (ISO, inclusive). */
  list(
    tenantId: string,
    options?: { resourceId?: string; from?: string; to?: string; limit?: number },
  ): Promise<RestoreTestSummary[]>;
  /**
   * One page, newest first, filtered; `cursor` is the opaque `nextCursor` of the previous page. Reads
   * only about a page from the store, however many tests the tenant has.
   */
  page(
    tenantId: string,
    options: RestoreTestPageOptions,
  ): Promise<{ items: RestoreTestSummary[]; nextCursor?: string }>;
  /** Outcome and start of every test since `from` (ISO), newest first: counting reads only these two fields. */
  outcomesSince(tenantId: string, from: string): Promise<Pick<RestoreTestSummary, 'outcome' | 'startedAt'>[]>;
}

export interface RestoreTestPageOptions {
  resourceId?: string;
  outcome?: RestoreOutcome;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

export type FindingStatus = 'OPEN' | 'CLOSED';

/** A failed restore test opens one; the provider fills in root cause and corrective action. */
export interface RestoreFinding {
  tenantId: string;
  findingId: string;
  testId: string;
  resourceId: string;
  outcome: RestoreOutcome;
  summary: string;
  /** ISO-8601. */
  openedAt: string;
  status: FindingStatus;
  rootCause?: string;
  correctiveAction?: string;
  closedAt?: string;
  updatedBy?: string;
  updatedAt?: string;
}

export interface FindingStore {
  /** Idempotent: opening the same findingId twice keeps the first. */
  open(finding: RestoreFinding): Promise<void>;
  get(tenantId: string, findingId: string): Promise<RestoreFinding | undefined>;
  update(
    tenantId: string,
    findingId: string,
    patch: {
      rootCause?: string;
      correctiveAction?: string;
      status?: FindingStatus;
      updatedBy: string;
      updatedAt: string;
    },
  ): Promise<RestoreFinding>;
  list(tenantId: string, options?: { status?: FindingStatus }): Promise<RestoreFinding[]>;
  /** Appends to the finding's timeline (comments, changes); entries are never edited or removed. */
  addTimelineEntry(tenantId: string, findingId: string, entry: FindingTimelineEntry): Promise<void>;
  /** Oldest first. */
  timeline(tenantId: string, findingId: string): Promise<FindingTimelineEntry[]>;
}

/** One event in a finding's life: a comment by a client or provider, a change of its fields or status. */
export interface FindingTimelineEntry {
  /** ISO-8601. */
  at: string;
  /** The authenticated principal (e-mail, IAM identity, OS user). */
  by: string;
  kind: 'comment' | 'change';
  /** Comment text, or a one-line description of the change. */
  text: string;
}

export type { RestoreTestEvidence };
