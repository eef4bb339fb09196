import { addDuration } from '../time.ts';
import { firstPointFrom, iso, lookbackStart, MAX_LISTED, pointsEndAt } from './support.ts';
import type { Rule, RuleInput, Verdict } from './types.ts';

const HOUR = 3_600_000;

/**
 * Every good recovery point in the lookback is locked (vault lock or object lock, as declared)
 * until at least `minDays` after its creation. Days count in the tenant's calendar or in UTC days,
 * whichever is shorter, so a lock set in UTC days is not flagged for a DST hour.
 */
export const rule: Rule = {
  id: 'ImmutabilityMet',
  title: 'Recovery points immutable',
  why: 'Ransomware and malicious insiders delete backups first; only a lock that nobody, not even an administrator, can lift keeps a copy to restore from.',
  evaluate(input: RuleInput): Verdict {
    const { resource, facts, at, timezone } = input;
    const policy = resource.policy.immutability;
    if (!policy.required) return { status: 'NOT_APPLICABLE', summary: 'the policy does not require immutability' };
    const minDays = { amount: policy.minDays, unit: 'd' as const };
    const quick = policy.minDays * 24 * HOUR + 3 * HOUR;
    const points = facts.recoveryPoints;
    const end = pointsEndAt(points, at);
    let checked = 0;
    let unlocked = 0;
    let wrongMode = 0;
    let tooShort = 0;
    const listed: Array<{ recoveryPointId: string; createdAt: string | undefined; problem: string }> = [];
    for (let i = firstPointFrom(points, lookbackStart(input)); i < end; i++) {
      const p = points[i]!;
      if (p.status !== 'AVAILABLE') continue;
      checked++;
      let problem: string | undefined;
      if (p.lockMode === undefined || p.immutableUntil === undefined) {
        unlocked++;
        problem = 'not locked';
      } else if (policy.mode !== 'any' && p.lockMode !== policy.mode) {
        wrongMode++;
        problem = `locked by ${p.lockMode}, ${policy.mode} required`;
      } else if (p.immutableUntil - p.createdAt < quick) {
        const local = addDuration(p.createdAt, minDays, timezone);
        const utc = addDuration(p.createdAt, minDays, 'UTC');
        if (p.immutableUntil < Math.min(local, utc)) {
          tooShort++;
          problem = `locked only until ${iso(p.immutableUntil)}`;
        }
      }
      if (problem !== undefined && listed.length < MAX_LISTED) {
        listed.push({ recoveryPointId: p.recoveryPointId, createdAt: iso(p.createdAt), problem });
      }
    }
    if (checked === 0) {
      return {
        status: 'NOT_APPLICABLE',
        summary: `no good recovery point in the last ${resource.policy.lookback.text}`,
      };
    }
    const bad = unlocked + wrongMode + tooShort;
    if (bad === 0) {
      return {
        status: 'COMPLIANT',
        summary: `${checked} good points locked for at least ${policy.minDays}d (${policy.mode})`,
      };
    }
    const parts: string[] = [];
    if (unlocked > 0) parts.push(`${unlocked} not locked`);
    if (wrongMode > 0) parts.push(`${wrongMode} with the wrong lock mode`);
    if (tooShort > 0) parts.push(`${tooShort} locked for less than ${policy.minDays}d`);
    return {
      status: 'NON_COMPLIANT',
      severity: unlocked > 0 ? 'high' : 'medium',
      summary: `${bad} of ${checked} good points: ${parts.join(', ')}`,
      evidence: {
        checked,
        unlocked,
        wrongMode,
        tooShort,
        mode: policy.mode,
        minDays: policy.minDays,
        offenders: listed,
      },
    };
  },
};

export default rule;
