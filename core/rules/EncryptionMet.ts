import { firstPointFrom, iso, lookbackStart, MAX_LISTED, pointsEndAt } from './support.ts';
import type { Rule, RuleInput, Verdict } from './types.ts';

/** Every good recovery point in the lookback is encrypted, with the declared key when one is named. */
export const rule: Rule = {
  id: 'EncryptionMet',
  title: 'Recovery points encrypted',
  why: 'An unencrypted backup is a full copy of the client data readable by whoever gets the storage, outside every access control of the original.',
  evaluate(input: RuleInput): Verdict {
    const { resource, facts, at } = input;
    const policy = resource.policy.encryption;
    if (!policy.required) return { status: 'NOT_APPLICABLE', summary: 'the policy does not require encryption' };
    const points = facts.recoveryPoints;
    const end = pointsEndAt(points, at);
    let checked = 0;
    let unencrypted = 0;
    let wrongKey = 0;
    const listed: Array<{ recoveryPointId: string; createdAt: string | undefined; problem: string }> = [];
    for (let i = firstPointFrom(points, lookbackStart(input)); i < end; i++) {
      const p = points[i]!;
      if (p.status !== 'AVAILABLE') continue;
      checked++;
      let problem: string | undefined;
      // Unknown (undefined) is not proof of encryption: sources that always encrypt must say so.
      if (p.encrypted !== true) {
        unencrypted++;
        problem = p.encrypted === false ? 'not encrypted' : 'encryption not reported';
      } else if (policy.keyId !== undefined && p.encryptionKeyId !== policy.keyId) {
        wrongKey++;
        problem = `encrypted with ${p.encryptionKeyId ?? 'an unreported key'}`;
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
    if (unencrypted === 0 && wrongKey === 0) {
      return {
        status: 'COMPLIANT',
        summary: `${checked} good points in the last ${resource.policy.lookback.text} are encrypted${policy.keyId === undefined ? '' : ' with the declared key'}`,
      };
    }
    const parts: string[] = [];
    if (unencrypted > 0) parts.push(`${unencrypted} not (provably) encrypted`);
    if (wrongKey > 0) parts.push(`${wrongKey} with another key than ${policy.keyId}`);
    return {
      status: 'NON_COMPLIANT',
      severity: unencrypted > 0 ? 'high' : 'medium',
      summary: `${unencrypted + wrongKey} of ${checked} good points: ${parts.join(', ')}`,
      evidence: {
        checked,
        unencrypted,
        wrongKey,
        ...(policy.keyId === undefined ? {} : { requiredKeyId: policy.keyId }),
        offenders: listed,
      },
    };
  },
};

export default rule;
