import { formatSpan } from '../time.ts';
import { iso, jobsEndAt, lookbackStart, pointsEndAt } from './support.ts';
import type { Rule, RuleInput, Verdict } from './types.ts';

/** Some job or recovery point from the resource's declared source falls inside the lookback window. */
export const rule: Rule = {
  id: 'ResourceCovered',
  title: 'A backup source knows the resource',
  why: 'A declared resource that no backup tool reports is almost certainly not backed up at all.',
  evaluate(input: RuleInput): Verdict {
    const { resource, facts, at } = input;
    const start = lookbackStart(input);
    let lastSeen: number | undefined;
    let inWindow = 0;
    for (let i = jobsEndAt(facts.jobs, at) - 1; i >= 0; i--) {
      const j = facts.jobs[i]!;
      if (j.source !== resource.source) continue;
      lastSeen = j.startedAt;
      if (j.startedAt >= start) inWindow++;
      break;
    }
    for (let i = pointsEndAt(facts.recoveryPoints, at) - 1; i >= 0; i--) {
      const p = facts.recoveryPoints[i]!;
      if (p.source !== resource.source) continue;
      if (lastSeen === undefined || p.createdAt > lastSeen) lastSeen = p.createdAt;
      if (p.createdAt >= start) inWindow++;
      break;
    }
    if (inWindow > 0) {
      return {
        status: 'COMPLIANT',
        summary: `${resource.source} reported the resource ${formatSpan(at - lastSeen!)} ago`,
      };
    }
    const lastSeenIso = iso(lastSeen);
    return {
      status: 'NON_COMPLIANT',
      severity: 'high',
      summary:
        lastSeen === undefined
          ? `no ${resource.source} job or recovery point has ever named this resource`
          : `no ${resource.source} job or recovery point in the last ${resource.policy.lookback.text} (last seen ${formatSpan(at - lastSeen)} ago)`,
      evidence: {
        source: resource.source,
        lookback: resource.policy.lookback.text,
        windowStart: iso(start),
        ...(lastSeenIso === undefined ? {} : { lastSeenAt: lastSeenIso }),
      },
    };
  },
};

export default rule;
