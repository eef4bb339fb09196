import { formatSpan } from '../time.ts';
import { isFailedJob, iso, jobsEndAt, MAX_LISTED } from './support.ts';
import type { Rule, RuleInput, Verdict } from './types.ts';

/**
 * The last N finished backup jobs all failed (FAILED, ABORTED, EXPIRED or PARTIAL). Jobs still
 * running are skipped: they have no verdict yet.
 */
export const rule: Rule = {
  id: 'FailureStreak',
  title: 'No streak of failed backup jobs',
  why: 'Repeated failures mean the backup is broken rather than unlucky, and someone has to fix it before the RPO and the retention erode.',
  evaluate(input: RuleInput): Verdict {
    const { resource, facts, at } = input;
    const n = resource.policy.failureStreak;
    if (n <= 0) return { status: 'NOT_APPLICABLE', summary: 'failure streak detection is off (failureStreak 0)' };
    const jobs = facts.jobs;
    let finished = 0;
    let streak = 0;
    let lastFailure: number | undefined;
    let firstFailure = 0;
    const listed: Array<{ jobId: string; state: string; startedAt: string | undefined; message?: string }> = [];
    for (let i = jobsEndAt(jobs, at) - 1; i >= 0; i--) {
      const j = jobs[i]!;
      if (
        j.kind !== 'backup' ||
        j.state === 'CREATED' ||
        j.state === 'PENDING' ||
        j.state === 'RUNNING' ||
        j.state === 'ABORTING'
      ) {
        continue;
      }
      finished++;
      if (!isFailedJob(j)) break;
      streak++;
      lastFailure ??= j.startedAt;
      firstFailure = j.startedAt;
      if (listed.length < MAX_LISTED) {
        listed.push({
          jobId: j.jobId,
          state: j.state,
          startedAt: iso(j.startedAt),
          ...(j.statusMessage === undefined ? {} : { message: j.statusMessage.slice(0, 200) }),
        });
      }
    }
    if (finished === 0) return { status: 'NOT_APPLICABLE', summary: 'no finished backup job to judge' };
    if (streak < n) {
      return {
        status: 'COMPLIANT',
        summary: streak === 0 ? 'the last backup job succeeded' : `${streak} failed job(s) in a row, below ${n}`,
      };
    }
    return {
      status: 'NON_COMPLIANT',
      severity: streak >= 2 * n ? 'critical' : 'high',
      summary: `the last ${streak} backup jobs failed (threshold ${n}), failing for ${formatSpan(lastFailure! - firstFailure)}`,
      evidence: {
        streak,
        threshold: n,
        firstFailureAt: iso(firstFailure),
        lastFailureAt: iso(lastFailure),
        latestJobs: listed,
      },
    };
  },
};

export default rule;
