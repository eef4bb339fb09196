/** What the file runners (s3-archive, restic) share: storing their outcome as the restore artefact. */
import { TransientError } from '../../errors.ts';
import { putJson } from './artefacts.ts';
import { artefactKey } from './keys.ts';
import type { RestoreTestDeps } from './ports.ts';
import type { RestorePlan, RunnerArtefact, RunnerOutcome } from './shapes.ts';

/** A retryable runner error is thrown so the workflow's Retry tries again (the runner already cleaned up). */
function rethrowTransient(outcome: RunnerOutcome): void {
  if (outcome.error?.name === 'TransientError') throw new TransientError('RestoreTransient', outcome.error.message);
}

function withoutUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Writes the runner's outcome as restore.json (undefined fields dropped, as JSON would), then lets a
 * transient failure reach the workflow's Retry. Written first, so Cleanup and Record see what the
 * attempt did even when it is retried.
 */
export async function storeRunnerOutcome(
  deps: RestoreTestDeps,
  plan: RestorePlan,
  artefact: RunnerArtefact,
  outcome: RunnerOutcome,
): Promise<void> {
  await putJson(deps.blobs, artefactKey(plan.tenantId, plan.testId, 'restore'), withoutUndefined(artefact));
  rethrowTransient(outcome);
}
