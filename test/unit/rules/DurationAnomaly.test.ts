import { describe, expect, it } from 'vitest';
import { rule } from '#core/rules/DurationAnomaly.ts';
import { AT, daily, declared, facts, HOUR, job, MINUTE, nonCompliant, UTC } from './fixtures.ts';

/** 20 daily jobs lasting about 30 minutes, then one lasting `latest` ms. */
function history(latest: number) {
  const times = daily(AT - 3 * HOUR, 21);
  return facts(
    times.map((t, i) => job(t, { completedAt: t + (i === 20 ? latest : 30 * MINUTE + ((i % 5) - 2) * MINUTE) })),
  );
}

describe('DurationAnomaly', () => {
  it('is compliant for a duration in line with the history', () => {
    expect(rule.evaluate({ resource: declared(), facts: history(32 * MINUTE), at: AT, timezone: UTC }).status).toBe(
      'COMPLIANT',
    );
  });

  it('flags a backup taking far longer than usual', () => {
    const v = nonCompliant(rule.evaluate({ resource: declared(), facts: history(2 * HOUR), at: AT, timezone: UTC }));
    expect(v.evidence.robustZ).toBeGreaterThan(4);
    expect(v.summary).toContain('latest backup duration 2h is atypical');
  });

  it('flags a backup finishing far faster than usual', () => {
    expect(rule.evaluate({ resource: declared(), facts: history(MINUTE), at: AT, timezone: UTC }).status).toBe(
      'NON_COMPLIANT',
    );
  });

  it('is not applicable when no job reports a completion time', () => {
    const jobs = daily(AT - HOUR, 10).map((t) => job(t));
    for (const j of jobs) delete j.completedAt;
    expect(rule.evaluate({ resource: declared(), facts: facts(jobs), at: AT, timezone: UTC }).status).toBe(
      'NOT_APPLICABLE',
    );
  });
});
