/**
 * The evaluation engine: runs every rule over one declared resource's facts at a given time.
 * Pure (time and zone are parameters). Built for sweeps of millions of records: facts are checked
 * for order once (sorted only when they are not), rules scan them in place.
 */
import { InternalError } from '../errors.ts';
import type { BackupJob, RecoveryPoint, ResourceFacts, SeenResource } from '../model.ts';
import { ALL_RULES, DRIFT_RULES } from '../rules/index.ts';
import { lastGood } from '../rules/support.ts';
import type { RuleResult, VerdictStatus } from '../rules/types.ts';
import type { DeclaredResource } from '../strategy/policy.ts';
import { addDuration, subtractDuration } from '../time.ts';

/** One resource's verdicts plus what the report needs to schedule the next sweep. */
export interface ResourceEvaluation {
  resourceId: string;
  results: RuleResult[];
  /**
   * Epoch ms at which the RPO will be missed if no new good backup arrives: last good data time
   * + rpo in the tenant's calendar. Undefined when there has never been a good backup (already
   * overdue, nothing to wait for).
   */
  rpoDeadline?: number;
}

function jobsSorted(jobs: readonly BackupJob[]): boolean {
  for (let i = 1; i < jobs.length; i++) if (jobs[i]!.startedAt < jobs[i - 1]!.startedAt) return false;
  return true;
}

function pointsSorted(points: readonly RecoveryPoint[]): boolean {
  for (let i = 1; i < points.length; i++) if (points[i]!.createdAt < points[i - 1]!.createdAt) return false;
  return true;
}

/** The facts in ascending time order: the same object when already sorted (the usual case). */
export function sortedFacts(facts: ResourceFacts): ResourceFacts {
  const jobsOk = jobsSorted(facts.jobs);
  const pointsOk = pointsSorted(facts.recoveryPoints);
  if (jobsOk && pointsOk) return facts;
  return {
    jobs: jobsOk ? facts.jobs : [...facts.jobs].sort((a, b) => a.startedAt - b.startedAt),
    recoveryPoints: pointsOk
      ? facts.recoveryPoints
      : [...facts.recoveryPoints].sort((a, b) => a.createdAt - b.createdAt),
  };
}

/** Runs ALL_RULES in catalogue order. A rule that throws is a bug: InternalError naming rule and resource. */
export function evaluateResource(
  resource: DeclaredResource,
  facts: ResourceFacts,
  at: number,
  timeZone: string,
): RuleResult[] {
  const input = { resource, facts: sortedFacts(facts), at, timezone: timeZone };
  const results: RuleResult[] = new Array(ALL_RULES.length);
  for (let i = 0; i < ALL_RULES.length; i++) {
    const rule = ALL_RULES[i]!;
    try {
      results[i] = { ruleId: rule.id, resourceId: resource.resourceId, verdict: rule.evaluate(input) };
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new InternalError('RuleFailed', `rule ${rule.id} failed on resource ${resource.resourceId}: ${message}`, {
        cause,
      });
    }
  }
  return results;
}

/** The time the resource's RPO runs out if no new good backup arrives (see ResourceEvaluation). */
export function rpoDeadline(
  resource: DeclaredResource,
  facts: ResourceFacts,
  at: number,
  timeZone: string,
): number | undefined {
  const last = lastGood({ resource, facts: sortedFacts(facts), at, timezone: timeZone });
  return last === undefined ? undefined : addDuration(last.time, resource.policy.rpo, timeZone);
}

/** evaluateResource plus the RPO deadline, which buildReport turns into nextDeadline. */
export function evaluateResourceWithDeadline(
  resource: DeclaredResource,
  facts: ResourceFacts,
  at: number,
  timeZone: string,
): ResourceEvaluation {
  const sorted = sortedFacts(facts);
  const results = evaluateResource(resource, sorted, at, timeZone);
  const deadline = rpoDeadline(resource, sorted, at, timeZone);
  return deadline === undefined
    ? { resourceId: resource.resourceId, results }
    : { resourceId: resource.resourceId, results, rpoDeadline: deadline };
}

/**
 * Drift findings for resources the sources report that the strategy neither declares nor excludes
 * (the caller filters). Only NON_COMPLIANT results are returned, ordered by resource id.
 */
export function evaluateUndeclared(seen: readonly SeenResource[], at: number): RuleResult[] {
  const out: RuleResult[] = [];
  const ordered = [...seen].sort((a, b) => (a.resourceId < b.resourceId ? -1 : a.resourceId > b.resourceId ? 1 : 0));
  for (const s of ordered) {
    for (const rule of DRIFT_RULES) {
      let verdict: RuleResult['verdict'];
      try {
        verdict = rule.evaluate({ seen: s, at });
      } catch (cause) {
        const message = cause instanceof Error ? cause.message : String(cause);
        throw new InternalError('RuleFailed', `rule ${rule.id} failed on resource ${s.resourceId}: ${message}`, {
          cause,
        });
      }
      if (verdict.status === 'NON_COMPLIANT') out.push({ ruleId: rule.id, resourceId: s.resourceId, verdict });
    }
  }
  return out;
}

/**
 * Earliest time whose facts the rules need for this resource: the lookback window, the retention
 * window plus one RPO of tolerance, then one more RPO and a day of margin so that "is there
 * history older than the window?" (young-resource tests) can be answered.
 */
export function factsSince(resource: DeclaredResource, at: number, timeZone: string): number {
  const { lookback, retention, rpo, copies } = resource.policy;
  const lookbackStart = subtractDuration(at, lookback, timeZone);
  const retentionStart = subtractDuration(subtractDuration(at, retention, timeZone), rpo, timeZone);
  const copiesStart = subtractDuration(subtractDuration(at, copies.within, timeZone), rpo, timeZone);
  let earliest = Math.min(lookbackStart, retentionStart, copiesStart);
  earliest = subtractDuration(earliest, rpo, timeZone);
  return subtractDuration(earliest, { amount: 1, unit: 'd' }, timeZone);
}

/** Worst verdict: NON_COMPLIANT beats COMPLIANT beats NOT_APPLICABLE. */
export function resourceStatus(results: readonly RuleResult[]): VerdictStatus {
  let status: VerdictStatus = 'NOT_APPLICABLE';
  for (const r of results) {
    if (r.verdict.status === 'NON_COMPLIANT') return 'NON_COMPLIANT';
    if (r.verdict.status === 'COMPLIANT') status = 'COMPLIANT';
  }
  return status;
}
