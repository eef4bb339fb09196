import { addDuration, formatSpan } from '../time.ts';
import { earliestFact, firstJobFrom, firstPointFrom, iso, jobsEndAt, lookbackStart, pointsEndAt } from './support.ts';
import type { Rule, RuleInput, Verdict } from './types.ts';

/**
 * Over the lookback window, no two consecutive good backups (nor the window start and the first
 * one, nor the last one and `at`) are further apart than the RPO. RpoMet only sees the present;
 * this rule shows the RPO was also kept in the past, which is what an auditor asks for.
 */
export const rule: Rule = {
  id: 'FrequencyGaps',
  title: 'No gap longer than the RPO in the lookback window',
  why: 'A gap longer than the RPO is a period during which a failure would have lost more data than promised, even if backups run again now.',
  evaluate(input: RuleInput): Verdict {
    const { resource, facts, at, timezone } = input;
    const rpo = resource.policy.rpo;
    const start = lookbackStart(input);
    // A resource younger than the window has no leading gap: it did not exist before its first fact.
    const young = earliestFact(input) >= start;
    let prev = young ? Number.NaN : start;
    let gaps = 0;
    let worst = -1;
    let worstFrom = 0;
    let worstTo = 0;
    let checked = 0;

    const step = (t: number): void => {
      if (!Number.isNaN(prev) && t > addDuration(prev, rpo, timezone)) {
        gaps++;
        if (t - prev > worst) {
          worst = t - prev;
          worstFrom = prev;
          worstTo = t;
        }
      }
      prev = t;
      checked++;
    };

    const points = facts.recoveryPoints;
    if (points.length > 0) {
      const end = pointsEndAt(points, at);
      for (let i = firstPointFrom(points, start); i < end; i++) {
        const p = points[i]!;
        if (p.status === 'AVAILABLE' && p.copyOf === undefined) step(p.createdAt);
      }
    } else {
      const jobs = facts.jobs;
      const end = jobsEndAt(jobs, at);
      for (let i = firstJobFrom(jobs, start); i < end; i++) {
        const j = jobs[i]!;
        if (j.kind === 'backup' && j.state === 'COMPLETED') step(j.startedAt);
      }
    }

    if (Number.isNaN(prev)) {
      return {
        status: 'NOT_APPLICABLE',
        summary: 'resource younger than the lookback window and without a good backup yet (RpoMet reports it)',
      };
    }
    let open = false;
    if (at > addDuration(prev, rpo, timezone)) {
      gaps++;
      if (at - prev > worst) {
        worst = at - prev;
        worstFrom = prev;
        worstTo = at;
        open = true;
      }
    }
    if (gaps === 0) {
      return {
        status: 'COMPLIANT',
        summary: `${checked} good backups in the last ${resource.policy.lookback.text}, no gap over RPO ${rpo.text}`,
      };
    }
    return {
      status: 'NON_COMPLIANT',
      severity: 'medium',
      summary: `${gaps} gap${gaps === 1 ? '' : 's'} over RPO ${rpo.text} in the last ${resource.policy.lookback.text}; worst ${formatSpan(worst)} from ${iso(worstFrom)}`,
      evidence: {
        rpo: rpo.text,
        lookback: resource.policy.lookback.text,
        gaps,
        worstGapFrom: iso(worstFrom),
        worstGapTo: iso(worstTo),
        worstGapHours: Math.round((worst / 3_600_000) * 10) / 10,
        worstGapStillOpen: open,
        goodBackupsInWindow: checked,
      },
    };
  },
};

export default rule;
