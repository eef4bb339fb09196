/**
 * Reading and writing the run's JSON artefacts (plan, restore, validate, cleanup, recorded). They are
 * ours, but stored where an operator can touch them, so reads are size-bounded and the plan is
 * checked to belong to the test asking for it.
 */
import { InternalError } from '../../errors.ts';
import type { BlobStore } from '../../ports.ts';
import { restorePlanKey } from './keys.ts';
import type { RestoreTestDeps } from './ports.ts';
import type { RestorePlan, RestoreTestState } from './shapes.ts';
import { identityOf } from './state.ts';

const MAX_ARTEFACT_BYTES = 16 * 1024 * 1024;

export async function readJson<T>(blobs: BlobStore, key: string): Promise<T> {
  return JSON.parse(await blobs.getText(key, MAX_ARTEFACT_BYTES)) as T;
}

export async function readOptional<T>(blobs: BlobStore, key: string): Promise<T | undefined> {
  return (await blobs.exists(key)) ? readJson<T>(blobs, key) : undefined;
}

export async function putJson(blobs: BlobStore, key: string, value: unknown): Promise<void> {
  await blobs.putText(key, JSON.stringify(value), 'application/json');
}

export async function loadPlan(deps: RestoreTestDeps, state: RestoreTestState): Promise<RestorePlan> {
  const id = identityOf(state);
  const plan = await readJson<RestorePlan>(deps.blobs, restorePlanKey(id.tenantId, id.testId));
  if (plan.testId !== id.testId) throw new InternalError('PlanMismatch', `plan of ${id.testId} names another test`);
  return plan;
}
