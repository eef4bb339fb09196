/** Step 3 of the restore-test workflow: Validate. */
import { InternalError } from '../../errors.ts';
import type { CheckResult } from '../../restore/evidence.ts';
import { loadPlan, putJson, readJson } from './artefacts.ts';
import { artefactKey } from './keys.ts';
import type { RestoreTestDeps } from './ports.ts';
import type { RestoreTestState, RunnerArtefact, ValidateArtefact } from './shapes.ts';

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
