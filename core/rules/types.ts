import type { ResourceFacts, SeenResource } from '../model.ts';
import type { DeclaredResource } from '../strategy/policy.ts';

export type VerdictStatus = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';

export type Verdict =
  | { status: 'COMPLIANT'; summary: string; evidence?: Record<string, unknown> }
  | {
      status: 'NON_COMPLIANT';
      /** One line a provider engineer reads in a table: what is wrong, with numbers. */
      summary: string;
      /** Facts that prove it: ids, times (ISO), counts. Small: it is stored with every report. */
      evidence: Record<string, unknown>;
      severity: 'low' | 'medium' | 'high' | 'critical';
    }
  | { status: 'NOT_APPLICABLE'; summary: string };

export interface RuleInput {
  resource: DeclaredResource;
  facts: ResourceFacts;
  /** Evaluation time, epoch ms. Rules never read the clock. */
  at: number;
  /** IANA timezone of the tenant, for calendar durations. */
  timezone: string;
}

/** A pure check: no I/O, no clock, no randomness. One per file; the file name is the id. */
export interface Rule {
  id: string;
  title: string;
  /** Why it matters, in one sentence: shown with every NON_COMPLIANT verdict. */
  why: string;
  evaluate(input: RuleInput): Verdict;
}

export interface RuleResult {
  ruleId: string;
  resourceId: string;
  verdict: Verdict;
}

/** Input of a drift rule: a resource a source reported that the strategy neither declares nor excludes. */
export interface DriftRuleInput {
  seen: SeenResource;
  /** Evaluation time, epoch ms. */
  at: number;
}

/** A rule about the inventory rather than one declared resource (pure, like Rule). */
export interface DriftRule {
  id: string;
  title: string;
  why: string;
  evaluate(input: DriftRuleInput): Verdict;
}
