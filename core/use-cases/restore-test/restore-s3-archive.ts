/** Step 2, s3-archive runner. */
import { InternalError } from '../../errors.ts';
import { restoreAndVerifyArchive } from '../../restore/s3-archive.ts';
import { loadPlan } from './artefacts.ts';
import type { RestoreTestDeps } from './ports.ts';
import { storeRunnerOutcome } from './runner-artefact.ts';
import type { RestoreTestState, RunnerArtefact } from './shapes.ts';

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
  await storeRunnerOutcome(deps, plan, artefact, outcome);
  return { ok: true };
}
