import { describe, expect, it } from 'vitest';
import { rule } from '#core/rules/FailureStreak.ts';
import { AT, DAY, declared, facts, HOUR, job, nonCompliant, UTC } from './fixtures.ts';

describe('FailureStreak', () => {
  it('flags the last three backup jobs all failed, with the streak length', () => {
    const jobs = [
      job(AT - 5 * DAY),
      job(AT - 4 * DAY, { state: 'FAILED', statusMessage: 'access denied' }),
      job(AT - 3 * DAY, { state: 'EXPIRED' }),
      job(AT - 2 * DAY, { state: 'ABORTED' }),
      job(AT - DAY, { state: 'PARTIAL' }),
    ];
    const v = nonCompliant(rule.evaluate({ resource: declared(), facts: facts(jobs), at: AT, timezone: UTC }));
    expect(v.evidence.streak).toBe(4);
    expect(v.evidence.firstFailureAt).toBe(new Date(AT - 4 * DAY).toISOString());
    expect(v.summary).toContain('the last 4 backup jobs failed (threshold 3)');
  });

  it('is compliant when a success breaks the streak, and skips running jobs and copy jobs', () => {
    const jobs = [
      job(AT - 4 * DAY, { state: 'FAILED' }),
      job(AT - 3 * DAY, { state: 'FAILED' }),
      job(AT - 2 * DAY),
      job(AT - DAY, { state: 'FAILED' }),
      job(AT - 2 * HOUR, { kind: 'copy', state: 'FAILED' }),
      job(AT - HOUR, { state: 'RUNNING' }),
    ];
    const v = rule.evaluate({ resource: declared(), facts: facts(jobs), at: AT, timezone: UTC });
    expect(v.status).toBe('COMPLIANT');
    expect(v.summary).toBe('1 failed job(s) in a row, below 3');
  });

  it('is not applicable without any finished backup job', () => {
    expect(
      rule.evaluate({
        resource: declared(),
        facts: facts([job(AT - HOUR, { state: 'RUNNING' })]),
        at: AT,
        timezone: UTC,
      }).status,
    ).toBe('NOT_APPLICABLE');
  });

  it('is not applicable when the threshold is 0', () => {
    const jobs = [job(AT - HOUR, { state: 'FAILED' })];
    expect(
      rule.evaluate({ resource: declared({ failureStreak: 0 }), facts: facts(jobs), at: AT, timezone: UTC }).status,
    ).toBe('NOT_APPLICABLE');
  });
});
