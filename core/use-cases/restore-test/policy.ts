/** The tenant's applied strategy, its restore-test policies, and their durations in the strategy's zone. */

import { NotFoundError } from '../../errors.ts';
import type { StoredStrategyVersion, StrategyStore } from '../../ports.ts';
import { parseDuration } from '../../strategy/duration.ts';
import type { RestorePolicyDeclaration, StrategyDocument } from '../../strategy/schema.ts';
import { parseStoredStrategy } from '../../strategy/stored.ts';
import { addDuration } from '../../time.ts';

/** A duration's length starting at `from` in the strategy zone (calendar units follow DST). */
export function lengthMs(text: string, from: number, timeZone: string): number {
  return addDuration(from, parseDuration(text), timeZone) - from;
}

export function findPolicy(doc: StrategyDocument, policyName: string): RestorePolicyDeclaration {
  const policy = doc.restoreTests?.policies?.find((p) => p.name === policyName);
  if (!policy)
    throw new NotFoundError('NoRestorePolicy', `the strategy has no restore-test policy named ${policyName}`);
  return policy;
}

/** The strategy the tenant applied last, parsed; a tenant without one cannot be tested. */
export async function appliedStrategy(
  strategies: Pick<StrategyStore, 'getCurrent'>,
  tenantId: string,
): Promise<{ stored: StoredStrategyVersion; document: StrategyDocument }> {
  const stored = await strategies.getCurrent(tenantId);
  if (!stored) throw new NotFoundError('NoStrategy', `tenant ${tenantId} has no applied strategy`);
  return { stored, document: parseStoredStrategy(stored).document };
}
