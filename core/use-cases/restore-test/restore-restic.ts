/** Step 2, restic runner (in AWS, the Fargate task's entry calls it). */
import { InternalError } from '../../errors.ts';
import { loadPlan } from './artefacts.ts';
import type { RestoreTestDeps } from './ports.ts';
import { storeRunnerOutcome } from './runner-artefact.ts';
import type { RestoreTestState, RunnerArtefact } from './shapes.ts';

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
  await storeRunnerOutcome(deps, plan, artefact, outcome);
  return { ok: true };
}
