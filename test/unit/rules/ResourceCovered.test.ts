import { describe, expect, it } from 'vitest';
import { rule } from '#core/rules/ResourceCovered.ts';
import { AT, DAY, declared, facts, job, nonCompliant, point, UTC } from './fixtures.ts';

describe('ResourceCovered', () => {
  it('is compliant when a job from the declared source is inside the lookback', () => {
    const v = rule.evaluate({ resource: declared(), facts: facts([job(AT - 2 * DAY)]), at: AT, timezone: UTC });
    expect(v.status).toBe('COMPLIANT');
  });

  it('is compliant when only a recovery point names the resource', () => {
    const v = rule.evaluate({ resource: declared(), facts: facts([], [point(AT - DAY)]), at: AT, timezone: UTC });
    expect(v.status).toBe('COMPLIANT');
  });

  it('flags a resource no source has ever reported', () => {
    const v = nonCompliant(rule.evaluate({ resource: declared(), facts: facts(), at: AT, timezone: UTC }));
    expect(v.summary).toContain('no aws-backup job or recovery point has ever named this resource');
    expect(v.severity).toBe('high');
  });

  it('flags a resource last seen before the lookback window, with the last sighting as evidence', () => {
    const v = nonCompliant(
      rule.evaluate({ resource: declared(), facts: facts([job(AT - 40 * DAY)]), at: AT, timezone: UTC }),
    );
    expect(v.evidence.lastSeenAt).toBe(new Date(AT - 40 * DAY).toISOString());
  });

  it('ignores facts from another source than the declared one', () => {
    const v = rule.evaluate({
      resource: declared({}, 'restic'),
      facts: facts([job(AT - DAY)], [point(AT - DAY)]),
      at: AT,
      timezone: UTC,
    });
    expect(v.status).toBe('NON_COMPLIANT');
  });

  it('ignores facts after the evaluation time', () => {
    const v = rule.evaluate({ resource: declared(), facts: facts([job(AT + DAY)]), at: AT, timezone: UTC });
    expect(v.status).toBe('NON_COMPLIANT');
  });
});
