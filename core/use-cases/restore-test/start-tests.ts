/**
 * Starting restore tests: `reversa restore-test run` (now, for every resource of every policy, or
 * one) and a schedule firing through the dispatcher (one policy at its slot). Each test starts one
 * execution named after its deterministic test id, so a slot never runs twice.
 */
import { NotFoundError } from '../../errors.ts';
import type { FactStore, StrategyStore } from '../../ports.ts';
import { policyResources } from '../../restore/coverage.ts';
import { restoreTestId } from '../../restore/ids.ts';
import { resolveResources } from '../../strategy/resolve.ts';
import { appliedStrategy, findPolicy } from './policy.ts';
import type { RestoreTestStarter } from './ports.ts';
import { bad, checkTenantId, checkText, checkTime } from './state.ts';

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
  const { document } = await appliedStrategy(deps.strategies, tenantId);
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
