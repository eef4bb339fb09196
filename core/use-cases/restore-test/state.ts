/**
 * The workflow state is untrusted (a forged execution input, a hand-edited retry): every step
 * re-checks it and re-derives the test id from tenant, resource and slot, so no state can point a
 * step at another test's artefacts. Also the restic task's command line, which carries the same
 * identity to the Fargate task.
 */
import { ValidationError } from '../../errors.ts';
import { restoreTestId } from '../../restore/ids.ts';
import { TENANT_ID_PATTERN } from '../../strategy/schema.ts';
import type { RestoreTestState } from './shapes.ts';

/** What a test id looks like: `rt-` and 40 hex digits of its identity's SHA-256 (restore/ids.ts). */
export const TEST_ID_PATTERN = /^rt-[0-9a-f]{40}$/;

export function bad(path: string, message: string): ValidationError {
  return new ValidationError('BadRestoreTestInput', [{ file: '<restore-test input>', path, message }]);
}

export function checkTenantId(value: unknown): string {
  if (typeof value !== 'string' || !TENANT_ID_PATTERN.test(value)) {
    throw bad('tenantId', 'expected a tenant id matching ^[a-z0-9][a-z0-9-]{0,62}$');
  }
  return value;
}

export function checkText(value: unknown, path: string, max = 2048): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max)
    throw bad(path, `expected 1-${max} characters`);
  return value;
}

export function checkTime(value: unknown, path: string): number {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw bad(path, 'expected an ISO-8601 date-time like 2026-03-01T03:00:00Z');
  return ms;
}

/** The state's identity, re-derived: a forged testId cannot point a step at another test's keys. */
export function identityOf(state: Pick<RestoreTestState, 'tenantId' | 'resourceId' | 'scheduledAt'>) {
  const tenantId = checkTenantId(state?.tenantId);
  const resourceId = checkText(state.resourceId, 'resourceId');
  const scheduledAt = checkTime(state.scheduledAt, 'scheduledAt');
  return { tenantId, resourceId, scheduledAt, testId: restoreTestId({ tenantId, resourceId, scheduledAt }) };
}

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
