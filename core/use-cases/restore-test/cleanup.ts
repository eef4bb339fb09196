/** Step 4 of the restore-test workflow: Cleanup, on every path. */
import { ReversaError } from '../../errors.ts';
import type { CleanupProof } from '../../restore/evidence.ts';
import { cleanupSandbox } from '../../restore/s3-archive.ts';
import { putJson, readOptional } from './artefacts.ts';
import { artefactKey, restorePlanKey } from './keys.ts';
import type { RestoreTestDeps } from './ports.ts';
import type { RestorePlan, RestoreTestState, RunnerArtefact } from './shapes.ts';
import { identityOf } from './state.ts';

/** The proof of a cleanup that found nothing to do (no plan, no restored resource). */
export function nothingToClean(at: number): CleanupProof {
  return { target: 'none', startedAt: at, endedAt: at, removed: 0, remaining: 0, result: 'NOTHING_TO_CLEAN' };
}

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
    proof = nothingToClean(deps.clock.now());
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
  if (!restored?.restoreJobId || !arn) return nothingToClean(startedAt);
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
