/** Step 1 of the restore-test workflow: Prepare (the plan every later step reads). */
import { policyResources } from '../../restore/coverage.ts';
import { testSeed } from '../../restore/ids.ts';
import { selectRecoveryPoint } from '../../restore/selection.ts';
import { parseDuration } from '../../strategy/duration.ts';
import { resolveResources } from '../../strategy/resolve.ts';
import { subtractDuration } from '../../time.ts';
import { putJson } from './artefacts.ts';
import { restorePlanKey } from './keys.ts';
import { appliedStrategy, findPolicy, lengthMs } from './policy.ts';
import type { RestoreTestDeps } from './ports.ts';
import type { PrepareInput, RestorePlan, RestoreTestState } from './shapes.ts';
import { checkText, identityOf } from './state.ts';

/** Polling interval of the aws-backup loop (the ASL Wait state's Seconds) and the poll budget's bounds. */
export const AWS_RESTORE_POLL_SECONDS = 60;
const MIN_POLLS = 10;
const MAX_POLLS = 1440;

/**
 * Step 1: load the strategy, the policy and the resource's recovery points, choose the recovery
 * point (latest, or seeded-random within the window), write the plan. A resource with no eligible
 * recovery point gets a plan carrying that error: the workflow records an ERROR result for it.
 */
export async function prepare(deps: RestoreTestDeps, event: PrepareInput): Promise<RestoreTestState> {
  const input = event?.input;
  const id = identityOf(input);
  const policyName = checkText(input.policyName, 'policyName', 128);
  const { stored, document } = await appliedStrategy(deps.strategies, id.tenantId);
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
