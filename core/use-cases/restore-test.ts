/**
 * The steps of the restore-test workflow (statemachines/restore-test.asl.json), as plain functions
 * over ports. Each Lambda handler (functions/restore/*.ts) calls one of them; the local runner
 * (local/restore-runner.ts) calls the same ones.
 *
 *   Prepare → ChooseRunner → RestoreS3Archive | RestoreRestic | aws-backup polling loop
 *           → Validate → Cleanup (ALWAYS, also after any failure) → Record (ALWAYS) → Recorded
 *
 * Payloads carry keys, never data: every step writes its artefact under runs/<tenant>/<testId>/
 * (plan.json, restore.json, validate.json, cleanup.json) and Record builds the evidence from them.
 * The test id is deterministic (tenant, resource, scheduled slot), so a retried step rewrites the
 * same keys, and a schedule delivered twice names one execution.
 */
import type { AuditDeps } from '../audit/ports.ts';
import { InternalError, NotFoundError, ReversaError, TransientError, ValidationError } from '../errors.ts';
import type { BlobStore, Clock, FactStore, StrategyStore } from '../ports.ts';
import { policyResources } from '../restore/coverage.ts';
import {
  buildEvidence,
  type CheckResult,
  type CleanupProof,
  type EvidenceInput,
  type RestoreRunner,
  type RestoreTestEvidence,
  type RunError,
  type Span,
  truncateMessage,
} from '../restore/evidence.ts';
import { restoreTestId, testSeed } from '../restore/ids.ts';
import type { FindingStore, RestoreFinding, RestoreTestStore, RestoreTestSummary } from '../restore/ports.ts';
import type { SecretProvider } from '../restore/restic.ts';
import { cleanupSandbox, restoreAndVerifyArchive } from '../restore/s3-archive.ts';
import type { Sandbox } from '../restore/sandbox.ts';
import { type Sample, selectRecoveryPoint } from '../restore/selection.ts';
import { parseDuration } from '../strategy/duration.ts';
import { parseStrategy } from '../strategy/parse.ts';
import { resolveResources } from '../strategy/resolve.ts';
import { type RestorePolicyDeclaration, type StrategyDocument, TENANT_ID_PATTERN } from '../strategy/schema.ts';
import { addDuration, subtractDuration } from '../time.ts';
import { recordInAuditLog } from './audit-trail.ts';
import {
  type AwsBackupRestorePort,
  type AwsRestoreStatus,
  checkRestoreJobId,
  restoreJobFailed,
} from './restore-aws-backup.ts';

/* ------------------------------------------------------------------------------------------ ports */

/** Where a test restores to. Deterministic from the plan: Cleanup finds what Restore made, even after a crash. */
export interface SandboxProvider {
  /** The whole sandbox of one test (s3-archive restores into it; Cleanup empties it for every runner). */
  forTest(plan: RestorePlan): Sandbox;
  /** restic: the directory the restic runner creates its restore directory in (inside forTest's sandbox). */
  directoryFor(plan: RestorePlan): string;
}

/** s3-archive: opens the archive and manifest of one recovery point (adapters/aws/s3-archive-source.ts). */
export interface ArchiveOpeners {
  openers(
    location: NonNullable<RestorePolicyDeclaration['archive']>,
    ref: { tenantId: string; resourceId: string; recoveryPointId: string },
  ): {
    openArchive: () => Promise<AsyncIterable<Uint8Array>>;
    openManifest: () => Promise<AsyncIterable<Uint8Array>>;
  };
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

/** restic: adapters/host/restic-runner.ts restoreAndVerifyRestic (a child process; an ECS task in AWS). */
export interface ResticRestorer {
  restoreAndVerify(input: {
    repository: string;
    passwordSecret: string;
    secrets: SecretProvider;
    snapshotId: string;
    sample: Sample;
    seed: string;
    clock: Clock;
    sandboxParent: string;
    sandboxName: string;
    readDataSubset?: number;
    validators?: readonly string[];
  }): Promise<RunnerOutcome>;
}

/** Starts one restore-test execution; `name` is the test id, so a second start with it is refused. */
export interface RestoreTestStarter {
  start(input: RestoreTestInput, name: string): Promise<{ started: boolean }>;
}

export interface RestoreTestDeps {
  strategies: Pick<StrategyStore, 'getCurrent'>;
  facts: Pick<FactStore, 'getFacts' | 'listSeenResources'>;
  blobs: BlobStore;
  clock: Clock;
  audit: AuditDeps;
  restoreTests: RestoreTestStore;
  findings: FindingStore;
  sandboxes: SandboxProvider;
  archives: ArchiveOpeners;
  restic: ResticRestorer;
  awsBackup: AwsBackupRestorePort;
  /** The restic password provider of a tenant (by secret NAME; values never leave it except into restic's env). */
  secretsFor(tenantId: string): SecretProvider;
}

/* ---------------------------------------------------------------------------------------- shapes */

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

/* ------------------------------------------------------------------------------------------- keys */

export const restoreRunPrefix = (tenantId: string, testId: string) => `runs/${tenantId}/${testId}/`;
export const restorePlanKey = (tenantId: string, testId: string) => `${restoreRunPrefix(tenantId, testId)}plan.json`;
const artefactKey = (tenantId: string, testId: string, name: 'restore' | 'validate' | 'cleanup' | 'recorded') =>
  `${restoreRunPrefix(tenantId, testId)}${name}.json`;
/** Where the evidence record of a test is stored (JSON, times in epoch ms as RestoreTestEvidence defines). */
export const evidenceKeyOf = (tenantId: string, testId: string) => `restore-tests/${tenantId}/${testId}.json`;
/** One finding per failed test. */
export const findingIdOf = (testId: string) => `finding-${testId}`;

/** Polling interval of the aws-backup loop (the ASL Wait state's Seconds) and the poll budget's bounds. */
export const AWS_RESTORE_POLL_SECONDS = 60;
const MIN_POLLS = 10;
const MAX_POLLS = 1440;
const MAX_ARTEFACT_BYTES = 16 * 1024 * 1024;
const TEST_ID = /^rt-[0-9a-f]{40}$/;

/* -------------------------------------------------------------------------------------- checking */

function bad(path: string, message: string): ValidationError {
  return new ValidationError('BadRestoreTestInput', [{ file: '<restore-test input>', path, message }]);
}

function checkTenantId(value: unknown): string {
  if (typeof value !== 'string' || !TENANT_ID_PATTERN.test(value)) {
    throw bad('tenantId', 'expected a tenant id matching ^[a-z0-9][a-z0-9-]{0,62}$');
  }
  return value;
}

function checkText(value: unknown, path: string, max = 2048): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max)
    throw bad(path, `expected 1-${max} characters`);
  return value;
}

function checkTime(value: unknown, path: string): number {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw bad(path, 'expected an ISO-8601 date-time like 2026-03-01T03:00:00Z');
  return ms;
}

/** The state's identity, re-derived: a forged testId cannot point a step at another test's keys. */
function identityOf(state: Pick<RestoreTestState, 'tenantId' | 'resourceId' | 'scheduledAt'>) {
  const tenantId = checkTenantId(state?.tenantId);
  const resourceId = checkText(state.resourceId, 'resourceId');
  const scheduledAt = checkTime(state.scheduledAt, 'scheduledAt');
  return { tenantId, resourceId, scheduledAt, testId: restoreTestId({ tenantId, resourceId, scheduledAt }) };
}

async function readJson<T>(blobs: BlobStore, key: string): Promise<T> {
  return JSON.parse(await blobs.getText(key, MAX_ARTEFACT_BYTES)) as T;
}

async function readOptional<T>(blobs: BlobStore, key: string): Promise<T | undefined> {
  return (await blobs.exists(key)) ? readJson<T>(blobs, key) : undefined;
}

async function putJson(blobs: BlobStore, key: string, value: unknown): Promise<void> {
  await blobs.putText(key, JSON.stringify(value), 'application/json');
}

async function loadPlan(deps: RestoreTestDeps, state: RestoreTestState): Promise<RestorePlan> {
  const id = identityOf(state);
  const plan = await readJson<RestorePlan>(deps.blobs, restorePlanKey(id.tenantId, id.testId));
  if (plan.testId !== id.testId) throw new InternalError('PlanMismatch', `plan of ${id.testId} names another test`);
  return plan;
}

/* ----------------------------------------------------------------------------------- durations */

/** A duration's length starting at `from` in the strategy zone (calendar units follow DST). */
function lengthMs(text: string, from: number, timeZone: string): number {
  return addDuration(from, parseDuration(text), timeZone) - from;
}

function findPolicy(doc: StrategyDocument, policyName: string): RestorePolicyDeclaration {
  const policy = doc.restoreTests?.policies?.find((p) => p.name === policyName);
  if (!policy)
    throw new NotFoundError('NoRestorePolicy', `the strategy has no restore-test policy named ${policyName}`);
  return policy;
}

/* -------------------------------------------------------------------------------------- Prepare */

/**
 * Step 1: load the strategy, the policy and the resource's recovery points, choose the recovery
 * point (latest, or seeded-random within the window), write the plan. A resource with no eligible
 * recovery point gets a plan carrying that error: the workflow records an ERROR result for it.
 */
export async function prepare(deps: RestoreTestDeps, event: PrepareInput): Promise<RestoreTestState> {
  const input = event?.input;
  const id = identityOf(input);
  const policyName = checkText(input.policyName, 'policyName', 128);
  const stored = await deps.strategies.getCurrent(id.tenantId);
  if (!stored) throw new NotFoundError('NoStrategy', `tenant ${id.tenantId} has no applied strategy`);
  const { document } = parseStrategy(stored.source, stored.fileName);
  const policy = findPolicy(document, policyName);
  const tz = document.timezone;

  const plan: RestorePlan = {
    planVersion: 1,
    tenantId: id.tenantId,
    testId: id.testId,
    resourceId: id.resourceId,
    policyName,
    runner: policy.runner,
    scheduledAt: id.scheduledAt,
    timeZone: tz,
    strategyVersion: { version: stored.version, contentSha256: stored.contentSha256 },
    sample: policy.sample ?? 'all',
    seed: testSeed(id),
    maxRto: { ms: lengthMs(policy.maxRto, id.scheduledAt, tz), text: policy.maxRto },
    sandbox: { ...(policy.sandbox ?? {}) },
  };
  if (policy.validators !== undefined) plan.validators = [...policy.validators];
  if (policy.archive !== undefined) plan.archive = { ...policy.archive };
  if (policy.restic !== undefined) plan.restic = { ...policy.restic };

  const seen = await deps.facts.listSeenResources(id.tenantId);
  const { declared } = resolveResources(document, seen);
  const selected = policyResources(policy, declared).some((r) => r.resourceId === id.resourceId);
  const selection = policy.recoveryPoint ?? { select: 'latest' as const };
  const windowStart =
    selection.window === undefined ? undefined : subtractDuration(id.scheduledAt, parseDuration(selection.window), tz);
  if (!selected) {
    plan.error = {
      name: 'ResourceNotInPolicy',
      message: `policy ${policyName} does not select resource ${id.resourceId}`,
    };
  } else {
    const facts = await deps.facts.getFacts(id.tenantId, [id.resourceId], windowStart ?? 0);
    const points = facts.get(id.resourceId)?.recoveryPoints ?? [];
    const point = selectRecoveryPoint(
      points,
      { select: selection.select, ...(windowStart === undefined ? {} : { windowStart }) },
      id.scheduledAt,
      plan.seed,
    );
    if (point) {
      plan.recoveryPoint = { id: point.recoveryPointId, createdAt: point.createdAt };
      if (point.location !== undefined) plan.recoveryPoint.location = point.location;
      if (point.accountId !== undefined) plan.recoveryPoint.accountId = point.accountId;
      if (point.resourceType !== undefined) plan.recoveryPoint.resourceType = point.resourceType;
    } else
      plan.error = {
        name: 'NoEligibleRecoveryPoint',
        message: `no eligible recovery point in the window${selection.window ? ` (${selection.window})` : ''}: ${points.length} recovery point(s) known, none AVAILABLE and created at or before the test`,
      };
  }
  const planKey = restorePlanKey(id.tenantId, id.testId);
  await putJson(deps.blobs, planKey, plan);
  const polls = Math.ceil(plan.maxRto.ms / (AWS_RESTORE_POLL_SECONDS * 1000)) + MIN_POLLS;
  return {
    tenantId: id.tenantId,
    testId: id.testId,
    resourceId: id.resourceId,
    policyName,
    scheduledAt: new Date(id.scheduledAt).toISOString(),
    reason: typeof input.reason === 'string' ? input.reason.slice(0, 256) : 'unspecified',
    planKey,
    runner: plan.error === undefined ? plan.runner : 'none',
    maxPolls: Math.min(MAX_POLLS, polls),
  };
}

/* -------------------------------------------------------------------------------------- Restore */

/** A retryable runner error is thrown so the workflow's Retry tries again (the runner already cleaned up). */
function rethrowTransient(outcome: RunnerOutcome): void {
  if (outcome.error?.name === 'TransientError') throw new TransientError('RestoreTransient', outcome.error.message);
}

function withoutUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Step 2 (s3-archive): stream-restore the archive into the sandbox, read every file back, compare. */
export async function restoreS3Archive(deps: RestoreTestDeps, state: RestoreTestState): Promise<{ ok: true }> {
  const plan = await loadPlan(deps, state);
  if (plan.runner !== 's3-archive' || !plan.archive || !plan.recoveryPoint)
    throw new InternalError('WrongRunner', `test ${plan.testId} is not a runnable s3-archive test`);
  const { openArchive, openManifest } = deps.archives.openers(plan.archive, {
    tenantId: plan.tenantId,
    resourceId: plan.resourceId,
    recoveryPointId: plan.recoveryPoint.id,
  });
  const sandbox = deps.sandboxes.forTest(plan);
  const outcome = await restoreAndVerifyArchive({
    openArchive,
    openManifest,
    sandbox,
    sample: plan.sample,
    seed: plan.seed,
    clock: deps.clock,
    ...(plan.validators === undefined ? {} : { validators: plan.validators }),
  });
  const artefact: RunnerArtefact = { runner: 's3-archive', ...outcome, sandbox: sandbox.location };
  await putJson(deps.blobs, artefactKey(plan.tenantId, plan.testId, 'restore'), withoutUndefined(artefact));
  rethrowTransient(outcome);
  return { ok: true };
}

/** Step 2 (restic): `restic restore --verify` of the snapshot (or a sample) into the sandbox, read back, check. */
export async function restoreRestic(deps: RestoreTestDeps, state: RestoreTestState): Promise<{ ok: true }> {
  const plan = await loadPlan(deps, state);
  if (plan.runner !== 'restic' || !plan.restic || !plan.recoveryPoint)
    throw new InternalError('WrongRunner', `test ${plan.testId} is not a runnable restic test`);
  const outcome = await deps.restic.restoreAndVerify({
    repository: plan.restic.repository,
    passwordSecret: plan.restic.passwordSecret,
    secrets: deps.secretsFor(plan.tenantId),
    snapshotId: plan.recoveryPoint.id,
    sample: plan.sample,
    seed: plan.seed,
    clock: deps.clock,
    sandboxParent: deps.sandboxes.directoryFor(plan),
    sandboxName: 'restic',
    ...(plan.restic.readDataSubset === undefined ? {} : { readDataSubset: plan.restic.readDataSubset }),
    ...(plan.validators === undefined ? {} : { validators: plan.validators }),
  });
  const artefact: RunnerArtefact = { runner: 'restic', ...outcome };
  await putJson(deps.blobs, artefactKey(plan.tenantId, plan.testId, 'restore'), withoutUndefined(artefact));
  rethrowTransient(outcome);
  return { ok: true };
}

/** Step 2a (aws-backup): StartRestoreJob, idempotent on the test id. */
export async function startAwsBackupRestore(
  deps: RestoreTestDeps,
  state: RestoreTestState,
): Promise<NonNullable<RestoreTestState['restoreJob']>> {
  const plan = await loadPlan(deps, state);
  if (plan.runner !== 'aws-backup' || !plan.recoveryPoint)
    throw new InternalError('WrongRunner', `test ${plan.testId} is not a runnable aws-backup test`);
  const startedAt = deps.clock.now();
  const { restoreJobId } = await deps.awsBackup.start({
    tenantId: plan.tenantId,
    testId: plan.testId,
    resourceId: plan.resourceId,
    recoveryPointArn: plan.recoveryPoint.id,
    overrides: plan.sandbox.overrides ?? {},
    idempotencyToken: plan.testId,
    ...awsPointOf(plan),
  });
  const artefact: RunnerArtefact = {
    runner: 'aws-backup',
    restoreJobId,
    restore: { startedAt, endedAt: startedAt },
    checks: [],
    sample: { mode: 'all', selected: 0, of: 0 },
  };
  await putJson(deps.blobs, artefactKey(plan.tenantId, plan.testId, 'restore'), artefact);
  return { restoreJobId, polls: 0 };
}

/** The recovery point's vault, account and type, as StartRestoreJob's metadata lookup needs them. */
function awsPointOf(plan: RestorePlan): {
  backupVaultName?: string;
  backupVaultAccountId?: string;
  resourceType?: string;
} {
  const point = plan.recoveryPoint;
  return {
    ...(point?.location === undefined ? {} : { backupVaultName: point.location }),
    ...(point?.accountId === undefined ? {} : { backupVaultAccountId: point.accountId }),
    ...(point?.resourceType === undefined ? {} : { resourceType: point.resourceType }),
  };
}

/** Step 2b (aws-backup, once per poll): DescribeRestoreJob; a FAILED/ABORTED job throws (→ Cleanup → Record). */
export async function describeAwsBackupRestore(
  deps: RestoreTestDeps,
  state: RestoreTestState,
): Promise<NonNullable<RestoreTestState['restoreJob']>> {
  const plan = await loadPlan(deps, state);
  const restoreJobId = checkRestoreJobId(state.restoreJob?.restoreJobId);
  const polls = (state.restoreJob?.polls ?? 0) + 1;
  const job = await deps.awsBackup.describe(restoreJobId, { testId: plan.testId });
  if (job.status === 'FAILED' || job.status === 'ABORTED') throw restoreJobFailed(job.status, restoreJobId);
  if (job.status === 'COMPLETED') {
    const key = artefactKey(plan.tenantId, plan.testId, 'restore');
    const artefact = await readJson<RunnerArtefact>(deps.blobs, key);
    const endedAt = deps.clock.now();
    artefact.restore = { startedAt: artefact.restore?.startedAt ?? endedAt, endedAt };
    if (job.createdResourceArn !== undefined) artefact.createdResourceArn = job.createdResourceArn;
    await putJson(deps.blobs, key, artefact);
  }
  return { restoreJobId, status: job.status, polls };
}

/* ------------------------------------------------------------------------------------- Validate */

/** Provider validators (lambda:<arn>) run in a later version: reported as ERROR, never as a silent pass. */
function lambdaValidatorChecks(validators: readonly string[] | undefined): CheckResult[] {
  return (validators ?? [])
    .filter((v) => v.startsWith('lambda:'))
    .map((name) => ({
      name,
      status: 'ERROR' as const,
      message: 'provider validator Lambdas are not invoked by this version: the check did not run',
      counts: { compared: 0 },
    }));
}

/** Step 3: the checks on the restored data (the file runners already read everything back in step 2). */
export async function validate(deps: RestoreTestDeps, state: RestoreTestState): Promise<{ checks: number }> {
  const plan = await loadPlan(deps, state);
  const restored = await readJson<RunnerArtefact>(deps.blobs, artefactKey(plan.tenantId, plan.testId, 'restore'));
  let out: ValidateArtefact;
  if (plan.runner === 'aws-backup') {
    if (!restored.restoreJobId || !restored.createdResourceArn)
      throw new InternalError('NoRestoredResource', `test ${plan.testId}: the restore job created no resource`);
    const r = await deps.awsBackup.validate({
      tenantId: plan.tenantId,
      resourceId: plan.resourceId,
      restoreJobId: restored.restoreJobId,
      createdResourceArn: restored.createdResourceArn,
      validators: plan.validators ?? ['table-present', 'item-count', 'sample-reads'],
      validatorsDeclared: plan.validators !== undefined,
      testId: plan.testId,
      sample: plan.sample,
      seed: plan.seed,
      ...(plan.recoveryPoint === undefined ? {} : { recoveryPointArn: plan.recoveryPoint.id }),
      ...(plan.recoveryPoint?.resourceType === undefined ? {} : { resourceType: plan.recoveryPoint.resourceType }),
    });
    out = { checks: [...r.checks, ...lambdaValidatorChecks(plan.validators)], validation: r.validation };
  } else {
    out = { checks: [...restored.checks, ...lambdaValidatorChecks(plan.validators)] };
    if (restored.validation !== undefined) out.validation = restored.validation;
  }
  await putJson(deps.blobs, artefactKey(plan.tenantId, plan.testId, 'validate'), out);
  return { checks: out.checks.length };
}

/* -------------------------------------------------------------------------------------- Cleanup */

/** Combines the runner's own cleanup with the workflow's second pass over the same sandbox. */
function mergeCleanup(first: CleanupProof | undefined, second: CleanupProof): CleanupProof {
  if (first === undefined || second.result === 'FAILED') {
    return first === undefined ? second : { ...second, removed: first.removed + second.removed };
  }
  const removed = first.removed + second.removed;
  const proof: CleanupProof = {
    target: first.target === 'none' ? second.target : first.target,
    startedAt: first.startedAt,
    endedAt: second.endedAt,
    removed,
    remaining: second.remaining,
    result: removed > 0 ? 'CLEANED' : 'NOTHING_TO_CLEAN',
  };
  if (first.result === 'FAILED') proof.message = `first cleanup failed (${first.message ?? 'unknown'}); retried`;
  return proof;
}

/**
 * Step 4, ALWAYS (also after any failure): empties the test's sandbox — a second pass after the runner's
 * own cleanup, which also covers a runner that crashed mid-restore — and, for aws-backup, deletes the
 * restored resource. Sandbox errors become a FAILED proof, not an exception.
 */
export async function cleanup(deps: RestoreTestDeps, state: RestoreTestState): Promise<{ result: string }> {
  const id = identityOf(state);
  const plan = await readOptional<RestorePlan>(deps.blobs, restorePlanKey(id.tenantId, id.testId));
  const restored = await readOptional<RunnerArtefact>(deps.blobs, artefactKey(id.tenantId, id.testId, 'restore'));
  let proof: CleanupProof;
  if (plan === undefined) {
    const now = deps.clock.now();
    proof = { target: 'none', startedAt: now, endedAt: now, removed: 0, remaining: 0, result: 'NOTHING_TO_CLEAN' };
  } else if (plan.runner === 'aws-backup') {
    proof = await cleanupAwsBackup(deps, restored, plan);
  } else {
    proof = mergeCleanup(restored?.cleanup, await cleanupSandbox(deps.sandboxes.forTest(plan), deps.clock));
  }
  await putJson(deps.blobs, artefactKey(id.tenantId, id.testId, 'cleanup'), proof);
  return { result: proof.result };
}

async function cleanupAwsBackup(
  deps: RestoreTestDeps,
  restored: RunnerArtefact | undefined,
  plan: RestorePlan,
): Promise<CleanupProof> {
  const startedAt = deps.clock.now();
  const arn = restored?.createdResourceArn;
  if (!restored?.restoreJobId || !arn)
    return { target: 'none', startedAt, endedAt: startedAt, removed: 0, remaining: 0, result: 'NOTHING_TO_CLEAN' };
  try {
    const { removed, remaining } = await deps.awsBackup.cleanup({
      restoreJobId: restored.restoreJobId,
      createdResourceArn: arn,
      testId: plan.testId,
      ...(plan.recoveryPoint?.resourceType === undefined ? {} : { resourceType: plan.recoveryPoint.resourceType }),
    });
    return {
      target: arn,
      startedAt,
      endedAt: deps.clock.now(),
      removed,
      remaining,
      result: remaining > 0 ? 'FAILED' : removed > 0 ? 'CLEANED' : 'NOTHING_TO_CLEAN',
      ...(remaining > 0 ? { message: 'the restored resource still exists after deletion' } : {}),
    };
  } catch (error) {
    const name = error instanceof ReversaError ? `${error.name}: ${error.code}` : 'deletion failed';
    return {
      target: arn,
      startedAt,
      endedAt: deps.clock.now(),
      removed: 0,
      remaining: -1,
      result: 'FAILED',
      message: name,
    };
  }
}

/* --------------------------------------------------------------------------------------- Record */

/** A Catch's `{Error, Cause}` as a RunError. AWS wraps a Lambda error's message in a JSON Cause. */
export function failureToRunError(failure: { Error?: string; Cause?: string }): RunError {
  const name = typeof failure.Error === 'string' && failure.Error ? failure.Error : 'States.TaskFailed';
  let message = typeof failure.Cause === 'string' ? failure.Cause : '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    // A plain-text cause (local runner, States.* errors).
  }
  return { name, message: truncateMessage(message || 'no cause given') };
}

/**
 * Step 5, ALWAYS: build the evidence from the artefacts (and the failure that brought us here, if
 * any), store it, index it, log it in the tenant's audit log, and open a finding when the test did
 * not pass. Idempotent: a retried Record returns what the first one recorded.
 */
export async function record(deps: RestoreTestDeps, state: RestoreTestState): Promise<RecordOutput> {
  const id = identityOf(state);
  const recordedKey = artefactKey(id.tenantId, id.testId, 'recorded');
  const already = await readOptional<RecordOutput>(deps.blobs, recordedKey);
  if (already) return already;

  const plan = await readOptional<RestorePlan>(deps.blobs, restorePlanKey(id.tenantId, id.testId));
  const restored = await readOptional<RunnerArtefact>(deps.blobs, artefactKey(id.tenantId, id.testId, 'restore'));
  const validated = await readOptional<ValidateArtefact>(deps.blobs, artefactKey(id.tenantId, id.testId, 'validate'));
  let cleanupProof = await readOptional<CleanupProof>(deps.blobs, artefactKey(id.tenantId, id.testId, 'cleanup'));
  const now = deps.clock.now();
  if (state.cleanupFailure) {
    const e = failureToRunError(state.cleanupFailure);
    cleanupProof = {
      target: cleanupProof?.target ?? restored?.sandbox ?? 'unknown',
      startedAt: now,
      endedAt: now,
      removed: 0,
      remaining: -1,
      result: 'FAILED',
      message: truncateMessage(`cleanup step failed: ${e.name}: ${e.message}`),
    };
  }
  cleanupProof ??= {
    target: 'none',
    startedAt: now,
    endedAt: now,
    removed: 0,
    remaining: 0,
    result: 'NOTHING_TO_CLEAN',
  };

  const error: RunError | undefined = state.failure
    ? failureToRunError(state.failure)
    : (plan?.error ??
      (plan === undefined ? { name: 'NoPlan', message: 'the test was never prepared' } : restored?.error));
  const input: EvidenceInput = {
    tenantId: id.tenantId,
    resourceId: id.resourceId,
    scheduledAt: id.scheduledAt,
    policyName: plan?.policyName ?? checkText(state.policyName, 'policyName', 128),
    // Without a plan the runner is unknown; the record says so rather than guessing.
    runner: plan?.runner ?? ('unknown' as RestoreRunner),
    strategyVersion: plan?.strategyVersion ?? { version: 0, contentSha256: '' },
    sample: restored?.sample ?? { mode: 'all', selected: 0, of: 0 },
    sandbox: restored?.sandbox ?? cleanupProof.target,
    maxRto: plan?.maxRto ?? { ms: 0, text: 'unknown' },
    checks: validated?.checks ?? restored?.checks ?? [],
    cleanup: cleanupProof,
  };
  if (plan?.recoveryPoint) input.recoveryPoint = plan.recoveryPoint;
  if (restored?.restore) input.restore = restored.restore;
  const validation = validated?.validation ?? restored?.validation;
  if (validation) input.validation = validation;
  if (error) input.error = error;
  const evidence = buildEvidence(input);

  const evidenceKey = evidenceKeyOf(id.tenantId, id.testId);
  await putJson(deps.blobs, evidenceKey, evidence);
  const logged = await recordInAuditLog(deps.audit, id.tenantId, {
    type: 'restore-test',
    record: evidence,
    summary: auditSummary(evidence, evidenceKey),
    time: now,
  });
  const summary = summaryOf(evidence, evidenceKey, logged.seq, now);
  await deps.restoreTests.put(summary);

  const out: RecordOutput = {
    tenantId: id.tenantId,
    testId: id.testId,
    outcome: evidence.outcome,
    reason: evidence.reason,
    evidenceKey,
    auditSeq: logged.seq,
  };
  if (evidence.outcome !== 'PASSED') {
    const finding: RestoreFinding = {
      tenantId: id.tenantId,
      findingId: findingIdOf(id.testId),
      testId: id.testId,
      resourceId: id.resourceId,
      outcome: evidence.outcome,
      summary: truncateMessage(`restore test ${evidence.outcome}: ${evidence.reason}`),
      openedAt: new Date(now).toISOString(),
      status: 'OPEN',
      // Filled in by the provider (`reversa finding update`): empty until then.
      rootCause: '',
      correctiveAction: '',
    };
    await deps.findings.open(finding);
    out.findingId = finding.findingId;
  }
  await putJson(deps.blobs, recordedKey, out);
  return out;
}

function auditSummary(e: RestoreTestEvidence, evidenceKey: string) {
  return {
    testId: e.testId,
    resourceId: e.resourceId,
    policyName: e.policyName,
    runner: e.runner,
    outcome: e.outcome,
    reason: e.reason.slice(0, 500),
    recoveryPointId: e.recoveryPoint?.id ?? null,
    rtoMs: e.rto.achievedMs ?? null,
    rtoMet: e.rto.met,
    cleanup: e.cleanup.result,
    evidenceKey,
  };
}

function summaryOf(e: RestoreTestEvidence, evidenceKey: string, auditSeq: number, now: number): RestoreTestSummary {
  const s: RestoreTestSummary = {
    tenantId: e.tenantId,
    testId: e.testId,
    resourceId: e.resourceId,
    policyName: e.policyName,
    runner: e.runner,
    outcome: e.outcome,
    reason: e.reason,
    scheduledAt: new Date(e.scheduledAt).toISOString(),
    startedAt: new Date(e.restore?.startedAt ?? now).toISOString(),
    rtoTargetMs: e.rto.targetMs,
    rtoMet: e.rto.met,
    strategyVersion: e.strategyVersion.version,
    evidenceKey,
    auditSeq,
  };
  if (e.rto.achievedMs !== undefined) s.rtoMs = e.rto.achievedMs;
  if (e.recoveryPoint) {
    s.achievedRpoMs = e.recoveryPoint.achievedRpoMs;
    s.recoveryPointId = e.recoveryPoint.id;
  }
  return s;
}

/* ---------------------------------------------------------------------- starting tests (CLI, schedule) */

export interface StartedTest {
  testId: string;
  resourceId: string;
  policyName: string;
  started: boolean;
}

interface StartDeps {
  strategies: Pick<StrategyStore, 'getCurrent'>;
  facts: Pick<FactStore, 'listSeenResources'>;
  starter: RestoreTestStarter;
}

async function startFor(
  deps: StartDeps,
  tenantId: string,
  at: number,
  reason: string,
  filter: { resourceId?: string; policyName?: string },
): Promise<StartedTest[]> {
  checkTenantId(tenantId);
  if (!Number.isFinite(at)) throw bad('at', 'expected a time');
  const stored = await deps.strategies.getCurrent(tenantId);
  if (!stored) throw new NotFoundError('NoStrategy', `tenant ${tenantId} has no applied strategy`);
  const { document } = parseStrategy(stored.source, stored.fileName);
  const policies = document.restoreTests?.policies ?? [];
  if (filter.policyName !== undefined) findPolicy(document, filter.policyName);
  const { declared } = resolveResources(document, await deps.facts.listSeenResources(tenantId));
  const scheduledAt = new Date(at).toISOString();
  const out: StartedTest[] = [];
  const seen = new Set<string>();
  for (const policy of policies) {
    if (filter.policyName !== undefined && policy.name !== filter.policyName) continue;
    for (const { resourceId } of policyResources(policy, declared)) {
      if (filter.resourceId !== undefined && resourceId !== filter.resourceId) continue;
      const testId = restoreTestId({ tenantId, resourceId, scheduledAt: at });
      // One test per (resource, slot): a resource two policies select is tested by the first.
      if (seen.has(testId)) continue;
      seen.add(testId);
      const { started } = await deps.starter.start(
        { tenantId, resourceId, policyName: policy.name, scheduledAt, reason },
        testId,
      );
      out.push({ testId, resourceId, policyName: policy.name, started });
    }
  }
  if (filter.resourceId !== undefined && out.length === 0) {
    throw new NotFoundError('NoRestorePolicyForResource', `no restore-test policy selects ${filter.resourceId}`);
  }
  return out;
}

/**
 * `reversa restore-test run`: starts a test now for every resource of every policy (or one
 * resource). `at` is the slot: the same `at` twice starts nothing new.
 */
export async function runRestoreTestsNow(
  deps: StartDeps,
  input: { tenantId: string; resourceId?: string; at: number },
): Promise<StartedTest[]> {
  return startFor(
    deps,
    input.tenantId,
    input.at,
    'manual',
    input.resourceId === undefined ? {} : { resourceId: input.resourceId },
  );
}

/** A schedule firing (functions/restore/dispatch.ts): one test per resource of the policy at that slot. */
export async function dispatchScheduledTests(
  deps: StartDeps,
  input: { tenantId: string; policyName: string; scheduledAt: string },
): Promise<StartedTest[]> {
  const at = checkTime(input?.scheduledAt, 'scheduledAt');
  return startFor(deps, input.tenantId, at, 'schedule', { policyName: checkText(input.policyName, 'policyName', 128) });
}

export { TEST_ID as TEST_ID_PATTERN };

/**
 * The restic step's state from the container command the workflow passes to the ECS task
 * (`States.Array($.tenantId, $.resourceId, $.policyName, $.scheduledAt)`): the Fargate entry and the
 * local override both rebuild the state from it.
 */
export function restoreStateFromCommand(command: unknown): RestoreTestState {
  if (!Array.isArray(command) || command.length !== 4 || !command.every((c) => typeof c === 'string')) {
    throw bad('command', 'expected [tenantId, resourceId, policyName, scheduledAt]');
  }
  const [tenantId, resourceId, policyName, scheduledAt] = command as [string, string, string, string];
  const id = identityOf({ tenantId, resourceId, scheduledAt });
  return { tenantId: id.tenantId, testId: id.testId, resourceId: id.resourceId, policyName, scheduledAt };
}
