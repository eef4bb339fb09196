/**
 * The shapes that flow through the restore-test workflow: the execution input, the plan Prepare
 * writes, the small state passed between states, and the artefacts each step leaves under
 * runs/<tenant>/<testId>/ for Record to build the evidence from.
 */
import type {
  CheckResult,
  CleanupProof,
  EvidenceInput,
  RestoreRunner,
  RestoreTestEvidence,
  RunError,
  Span,
} from '../../restore/evidence.ts';
import type { Sample } from '../../restore/selection.ts';
import type { RestorePolicyDeclaration } from '../../strategy/schema.ts';
import type { AwsRestoreStatus } from '../restore-aws-backup.ts';

/** The execution input (a schedule firing through the dispatcher, or `reversa restore-test run`). */
export interface RestoreTestInput {
  tenantId: string;
  resourceId: string;
  policyName: string;
  /** ISO-8601 schedule slot: part of the test identity. */
  scheduledAt: string;
  /** Why it runs: `schedule`, `manual`… (for humans; not part of the identity). */
  reason: string;
}

/** What Prepare writes to runs/<tenant>/<testId>/plan.json. */
export interface RestorePlan {
  planVersion: 1;
  tenantId: string;
  testId: string;
  resourceId: string;
  policyName: string;
  runner: RestoreRunner;
  /** Epoch ms of the slot. */
  scheduledAt: number;
  timeZone: string;
  strategyVersion: { version: number; contentSha256: string };
  /** aws-backup also needs the point's vault (`location`), account and resource type to restore it. */
  recoveryPoint?: { id: string; createdAt: number; location?: string; accountId?: string; resourceType?: string };
  sample: Sample;
  seed: string;
  /** As declared; undefined: the runner's defaults. */
  validators?: string[];
  maxRto: { ms: number; text: string };
  sandbox: NonNullable<RestorePolicyDeclaration['sandbox']>;
  archive?: NonNullable<RestorePolicyDeclaration['archive']>;
  restic?: NonNullable<RestorePolicyDeclaration['restic']>;
  /** Set when the test cannot run at all (no eligible recovery point…): recorded as ERROR, never skipped. */
  error?: RunError;
}

/** The small state that flows between the workflow's states. */
export interface RestoreTestState {
  tenantId: string;
  testId: string;
  resourceId: string;
  policyName: string;
  scheduledAt: string;
  reason?: string;
  planKey?: string;
  /** The Choice's branch: a runner, or `none` when the plan carries an error. */
  runner?: RestoreRunner | 'none';
  /** aws-backup: how many DescribeRestoreJob polls before giving up. */
  maxPolls?: number;
  restoreJob?: { restoreJobId: string; status?: AwsRestoreStatus; polls: number };
  /** Set by Catch (`ResultPath: $.failure`): the error name and cause. */
  failure?: { Error?: string; Cause?: string };
  cleanupFailure?: { Error?: string; Cause?: string };
  cleanup?: { result: string };
}

export interface PrepareInput {
  input: RestoreTestInput;
  executionName?: string;
}

/** What a runner returns: the shape of restoreAndVerifyArchive / restoreAndVerifyRestic results. */
export interface RunnerOutcome {
  restore?: Span;
  validation?: Span;
  checks: CheckResult[];
  cleanup: CleanupProof;
  error?: RunError;
  sample: EvidenceInput['sample'];
  sandbox?: string;
}

/** restore.json: what the restore step produced (runner checks and cleanup included for s3-archive and restic). */
export interface RunnerArtefact extends Omit<RunnerOutcome, 'cleanup'> {
  runner: RestoreRunner;
  cleanup?: CleanupProof;
  createdResourceArn?: string;
  restoreJobId?: string;
}

export interface ValidateArtefact {
  checks: CheckResult[];
  validation?: Span;
}

export interface RecordOutput {
  tenantId: string;
  testId: string;
  outcome: RestoreTestEvidence['outcome'];
  reason: string;
  evidenceKey: string;
  auditSeq: number;
  findingId?: string;
}
