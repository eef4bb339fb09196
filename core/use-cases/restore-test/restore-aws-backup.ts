/**
 * Step 2, aws-backup runner: StartRestoreJob once, then one DescribeRestoreJob per turn of the
 * workflow's Wait loop (a restore takes minutes to hours; a Lambda must not wait for it).
 */
import { InternalError } from '../../errors.ts';
import { checkRestoreJobId, restoreJobFailed } from '../restore-aws-backup.ts';
import { loadPlan, putJson, readJson } from './artefacts.ts';
import { artefactKey } from './keys.ts';
import type { RestoreTestDeps } from './ports.ts';
import type { RestorePlan, RestoreTestState, RunnerArtefact } from './shapes.ts';

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
