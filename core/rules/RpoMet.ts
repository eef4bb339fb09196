import { addDuration, formatSpan } from '../time.ts';
import { earliestFact, iso, lastGood } from './support.ts';
import type { Rule, RuleInput, Verdict } from './types.ts';

/**
 * The last good recovery point is no older than the RPO. The deadline is computed in the tenant's
 * calendar: a `1d` RPO after a 02:00 backup expires at 02:00 the next local day, DST or not.
 */
export const rule: Rule = {
  id: 'RpoMet',
  title: 'Recovery point objective met',
  why: 'Data written since the last good recovery point is lost if the resource fails now; the RPO is the most that may be lost.',
  evaluate(input: RuleInput): Verdict {
    const { resource, at, timezone } = input;
    const rpo = resource.policy.rpo;
    const last = lastGood(input);
    if (last === undefined) {
      const first = earliestFact(input);
      return {
        status: 'NON_COMPLIANT',
        severity: 'critical',
        summary: `no good backup exists (RPO ${rpo.text})`,
        evidence: {
          rpo: rpo.text,
          lastGoodAt: null,
          ...(Number.isFinite(first) ? { firstFactAt: iso(first) } : {}),
          jobs: input.facts.jobs.length,
          recoveryPoints: input.facts.recoveryPoints.length,
        },
      };
    }
    const deadline = addDuration(last.time, rpo, timezone);
    if (at <= deadline) {
      return {
        status: 'COMPLIANT',
        summary: `last good backup ${formatSpan(at - last.time)} ago, within RPO ${rpo.text}`,
        evidence: { lastGoodAt: iso(last.time), deadline: iso(deadline) },
      };
    }
    return {
      status: 'NON_COMPLIANT',
      severity: at - deadline > deadline - last.time ? 'critical' : 'high',
      summary: `last good backup ${formatSpan(at - last.time)} ago exceeds RPO ${rpo.text} by ${formatSpan(at - deadline)}`,
      evidence: {
        rpo: rpo.text,
        lastGoodAt: iso(last.time),
        lastGoodId: last.id,
        lastGoodKind: last.kind,
        deadline: iso(deadline),
        overdueMinutes: Math.round((at - deadline) / 60_000),
      },
    };
  },
};

export default rule;
