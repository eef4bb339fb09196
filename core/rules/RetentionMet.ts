import type { Duration } from '../strategy/policy.ts';
import { addDuration, formatSpan, MS, subtractDuration } from '../time.ts';
import { earliestFact, iso, MAX_LISTED, pointsEndAt } from './support.ts';
import type { Rule, RuleInput, Verdict } from './types.ts';

/** Longest absolute length a calendar duration can have (DST and leap years included). */
function maxLength(d: Duration): number {
  switch (d.unit) {
    case 'm':
      return d.amount * MS.MINUTE;
    case 'h':
      return d.amount * MS.HOUR;
    case 'd':
      return d.amount * MS.DAY + 3 * MS.HOUR;
    case 'w':
      return d.amount * 7 * MS.DAY + 3 * MS.HOUR;
    case 'y':
      return d.amount * 366 * MS.DAY + 3 * MS.HOUR;
  }
}

/**
 * Restorable points reach back as far as the retention promises, and no lifecycle is set to delete
 * a point before its retention ends. A lifecycle counted in UTC days (as AWS Backup does) is
 * accepted too: it differs from the tenant's calendar only by a DST hour.
 */
export const rule: Rule = {
  id: 'RetentionMet',
  title: 'Retention met',
  why: 'Retention is how far back the client can go to recover from corruption or ransomware noticed late; points deleted early shrink that window silently.',
  evaluate(input: RuleInput): Verdict {
    const { resource, facts, at, timezone } = input;
    const { retention, rpo } = resource.policy;
    const points = facts.recoveryPoints;
    const end = pointsEndAt(points, at);
    const retentionStart = subtractDuration(at, retention, timezone);
    const historyOld = earliestFact(input) <= retentionStart;
    const longest = maxLength(retention);

    let oldest = -1;
    let offenders = 0;
    const listed: Array<{ recoveryPointId: string; createdAt: string | undefined; deleteAt: string | undefined }> = [];
    for (let i = 0; i < end; i++) {
      const p = points[i]!;
      if (p.status !== 'AVAILABLE') continue;
      if (oldest < 0) oldest = i;
      const deleteAt = p.deleteAt;
      if (deleteAt === undefined || deleteAt - p.createdAt >= longest) continue;
      const local = addDuration(p.createdAt, retention, timezone);
      const utc = addDuration(p.createdAt, retention, 'UTC');
      if (deleteAt < Math.min(local, utc)) {
        offenders++;
        if (listed.length < MAX_LISTED) {
          listed.push({ recoveryPointId: p.recoveryPointId, createdAt: iso(p.createdAt), deleteAt: iso(deleteAt) });
        }
      }
    }

    const oldestPoint = oldest >= 0 ? points[oldest]! : undefined;
    const tolerance = addDuration(retentionStart, rpo, timezone);
    const coverageChecked = historyOld && points.length > 0;
    const covers = oldestPoint !== undefined && oldestPoint.createdAt <= tolerance;

    if (coverageChecked && !covers) {
      return {
        status: 'NON_COMPLIANT',
        severity: 'high',
        summary:
          oldestPoint === undefined
            ? `no restorable point at all; retention ${retention.text} requires one from ${iso(retentionStart)}`
            : `oldest restorable point is ${formatSpan(at - oldestPoint.createdAt)} old; retention ${retention.text} requires ${formatSpan(at - retentionStart)}` +
              (offenders > 0 ? `; ${offenders} point(s) set to expire early` : ''),
        evidence: {
          retention: retention.text,
          requiredFrom: iso(retentionStart),
          toleranceUntil: iso(tolerance),
          oldestRestorableAt: oldestPoint === undefined ? null : iso(oldestPoint.createdAt),
          oldestRestorableId: oldestPoint === undefined ? null : oldestPoint.recoveryPointId,
          earlyLifecycles: offenders,
          earlyLifecycleExamples: listed,
        },
      };
    }
    if (offenders > 0) {
      return {
        status: 'NON_COMPLIANT',
        severity: 'medium',
        summary: `${offenders} restorable point(s) have a lifecycle deleting them before retention ${retention.text}`,
        evidence: { retention: retention.text, earlyLifecycles: offenders, earlyLifecycleExamples: listed },
      };
    }
    if (!coverageChecked) {
      return {
        status: 'NOT_APPLICABLE',
        summary:
          points.length === 0
            ? 'the source reports no recovery points whose retention could be checked'
            : `history is younger than retention ${retention.text} and no lifecycle expires early`,
      };
    }
    return {
      status: 'COMPLIANT',
      summary: `oldest restorable point is ${formatSpan(at - oldestPoint!.createdAt)} old, covering retention ${retention.text}`,
      evidence: { oldestRestorableAt: iso(oldestPoint!.createdAt) },
    };
  },
};

export default rule;
