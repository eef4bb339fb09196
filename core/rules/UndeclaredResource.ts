import { formatSpan } from '../time.ts';
import { iso } from './support.ts';
import type { DriftRule, DriftRuleInput, Verdict } from './types.ts';

/** Resources older than this without any sighting are reported with low severity: probably gone. */
const STALE_AFTER_MS = 35 * 86_400_000;

/**
 * Drift: a backup source reports a resource the strategy neither declares nor excludes. The
 * caller passes only such resources (the strategy helper decides what is declared or excluded).
 */
export const rule: DriftRule = {
  id: 'UndeclaredResource',
  title: 'Every backed-up resource is declared',
  why: 'A resource outside the declared strategy has no agreed RPO or retention, so nobody is checking that its backups are sufficient or that they keep running.',
  evaluate({ seen, at }: DriftRuleInput): Verdict {
    if (seen.firstSeenAt > at) {
      return { status: 'NOT_APPLICABLE', summary: 'first reported after the evaluation time' };
    }
    const stale = at - seen.lastSeenAt > STALE_AFTER_MS;
    return {
      status: 'NON_COMPLIANT',
      severity: stale ? 'low' : 'medium',
      summary: `${seen.source} reports ${seen.resourceType ?? 'a resource'} not declared in the strategy (last seen ${formatSpan(Math.max(0, at - seen.lastSeenAt))} ago)`,
      evidence: {
        source: seen.source,
        ...(seen.resourceType === undefined ? {} : { resourceType: seen.resourceType }),
        firstSeenAt: iso(seen.firstSeenAt),
        lastSeenAt: iso(seen.lastSeenAt),
        ...(seen.tags === undefined ? {} : { tags: seen.tags }),
      },
    };
  },
};

export default rule;
