/**
 * The rule catalogue. Order is stable (results and reports follow it): presence first, then
 * freshness, history, protection properties, and the health signals last.
 */
import { rule as CopiesMet } from './CopiesMet.ts';
import { rule as DurationAnomaly } from './DurationAnomaly.ts';
import { rule as EncryptionMet } from './EncryptionMet.ts';
import { rule as FailureStreak } from './FailureStreak.ts';
import { rule as FrequencyGaps } from './FrequencyGaps.ts';
import { rule as ImmutabilityMet } from './ImmutabilityMet.ts';
import { rule as ResourceCovered } from './ResourceCovered.ts';
import { rule as RetentionMet } from './RetentionMet.ts';
import { rule as RpoMet } from './RpoMet.ts';
import { rule as SizeAnomaly } from './SizeAnomaly.ts';
import type { DriftRule, Rule } from './types.ts';
import { rule as UndeclaredResource } from './UndeclaredResource.ts';

/** Every per-resource rule, run by evaluateResource in this order. */
export const ALL_RULES: readonly Rule[] = [
  ResourceCovered,
  RpoMet,
  FrequencyGaps,
  RetentionMet,
  CopiesMet,
  EncryptionMet,
  ImmutabilityMet,
  FailureStreak,
  SizeAnomaly,
  DurationAnomaly,
];

/** Rules about the inventory as a whole, run by evaluateUndeclared. */
export const DRIFT_RULES: readonly DriftRule[] = [UndeclaredResource];

/** id → title and why, for every rule of both kinds (reports and docs look rules up here). */
export const RULE_CATALOGUE: ReadonlyMap<string, { id: string; title: string; why: string }> = new Map(
  [...ALL_RULES, ...DRIFT_RULES].map((r) => [r.id, { id: r.id, title: r.title, why: r.why }]),
);

export {
  CopiesMet,
  DurationAnomaly,
  EncryptionMet,
  FailureStreak,
  FrequencyGaps,
  ImmutabilityMet,
  ResourceCovered,
  RetentionMet,
  RpoMet,
  SizeAnomaly,
  UndeclaredResource,
};
