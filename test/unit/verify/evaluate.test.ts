import { describe, expect, it, vi } from 'vitest';
import { InternalError } from '#core/errors.ts';
import { ALL_RULES } from '#core/rules/index.ts';
import {
  evaluateResource,
  evaluateResourceWithDeadline,
  evaluateUndeclared,
  factsSince,
  resourceStatus,
} from '#core/verify/evaluate.ts';
import { AT, DAY, dailyFacts, declared, dur, facts, HOUR, UTC } from '../rules/fixtures.ts';

describe('evaluateResource', () => {
  it('runs every rule in catalogue order for the resource', () => {
    const results = evaluateResource(declared(), dailyFacts(AT - HOUR, 40), AT, UTC);
    expect(results.map((r) => r.ruleId)).toEqual(ALL_RULES.map((r) => r.id));
    expect(results.every((r) => r.resourceId === declared().resourceId)).toBe(true);
    expect(resourceStatus(results)).toBe('COMPLIANT');
  });

  it('gives the same verdicts for facts delivered out of order', () => {
    const sorted = dailyFacts(AT - HOUR, 40);
    const shuffled = { jobs: [...sorted.jobs].reverse(), recoveryPoints: [...sorted.recoveryPoints].reverse() };
    expect(evaluateResource(declared(), shuffled, AT, UTC)).toEqual(evaluateResource(declared(), sorted, AT, UTC));
  });

  it('turns an exception inside a rule into an InternalError naming the rule and the resource', () => {
    const spy = vi.spyOn(ALL_RULES[1]!, 'evaluate').mockImplementation(() => {
      throw new TypeError('boom');
    });
    try {
      expect(() => evaluateResource(declared(), facts(), AT, UTC)).toThrow(InternalError);
      expect(() => evaluateResource(declared(), facts(), AT, UTC)).toThrow(
        `rule RpoMet failed on resource ${declared().resourceId}: boom`,
      );
    } finally {
      spy.mockRestore();
    }
  });

  it('returns the RPO deadline of the last good backup', () => {
    const evaluation = evaluateResourceWithDeadline(declared(), dailyFacts(AT - HOUR, 3), AT, UTC);
    expect(evaluation.rpoDeadline).toBe(AT - HOUR + DAY);
    expect(evaluateResourceWithDeadline(declared(), facts(), AT, UTC).rpoDeadline).toBeUndefined();
  });
});

describe('evaluateUndeclared', () => {
  it('returns one drift finding per undeclared resource, ordered by id', () => {
    const base = { tenantId: 'acme', source: 'restic' as const, firstSeenAt: AT - DAY, lastSeenAt: AT - HOUR };
    const results = evaluateUndeclared(
      [
        { ...base, resourceId: 'restic:b:/x' },
        { ...base, resourceId: 'restic:a:/y' },
      ],
      AT,
    );
    expect(results.map((r) => [r.resourceId, r.ruleId, r.verdict.status])).toEqual([
      ['restic:a:/y', 'UndeclaredResource', 'NON_COMPLIANT'],
      ['restic:b:/x', 'UndeclaredResource', 'NON_COMPLIANT'],
    ]);
  });
});

describe('factsSince', () => {
  it('reaches back past the lookback and the retention plus one RPO, with margin', () => {
    const since = factsSince(declared({ lookback: dur('35d'), retention: dur('90d'), rpo: dur('1d') }), AT, UTC);
    expect(since).toBe(AT - 93 * DAY);
    expect(factsSince(declared({ lookback: dur('60d'), retention: dur('7d') }), AT, UTC)).toBe(AT - 62 * DAY);
  });
});

describe('resourceStatus', () => {
  const r = (status: 'COMPLIANT' | 'NOT_APPLICABLE') => ({
    ruleId: 'X',
    resourceId: 'r',
    verdict: { status, summary: '' },
  });
  it('is NOT_APPLICABLE only when nothing applies', () => {
    expect(resourceStatus([r('NOT_APPLICABLE')])).toBe('NOT_APPLICABLE');
    expect(resourceStatus([r('NOT_APPLICABLE'), r('COMPLIANT')])).toBe('COMPLIANT');
  });
});
