import { describe, expect, it } from 'vitest';
import { rule } from '#core/rules/ImmutabilityMet.ts';
import { AT, DAY, declared, facts, HOUR, nonCompliant, point, UTC } from './fixtures.ts';

const required = declared({ immutability: { required: true, mode: 'vault-lock', minDays: 30 } });

describe('ImmutabilityMet', () => {
  it('is compliant when every good point is vault-locked for at least minDays', () => {
    const t = AT - HOUR;
    const v = rule.evaluate({
      resource: required,
      facts: facts([], [point(t, { lockMode: 'vault-lock', immutableUntil: t + 30 * DAY })]),
      at: AT,
      timezone: UTC,
    });
    expect(v.status).toBe('COMPLIANT');
  });

  it('flags unlocked points, wrong lock modes and locks that end too early', () => {
    const t = AT - HOUR;
    const points = [
      point(t - 2 * DAY),
      point(t - DAY, { lockMode: 'object-lock', immutableUntil: t + 40 * DAY }),
      point(t, { lockMode: 'vault-lock', immutableUntil: t + 29 * DAY }),
    ];
    const v = nonCompliant(rule.evaluate({ resource: required, facts: facts([], points), at: AT, timezone: UTC }));
    expect(v.evidence).toMatchObject({ checked: 3, unlocked: 1, wrongMode: 1, tooShort: 1 });
    expect(v.severity).toBe('high');
  });

  it('accepts any lock mechanism when the mode is any', () => {
    const t = AT - HOUR;
    const v = rule.evaluate({
      resource: declared({ immutability: { required: true, mode: 'any', minDays: 1 } }),
      facts: facts([], [point(t, { lockMode: 'object-lock', immutableUntil: t + DAY })]),
      at: AT,
      timezone: UTC,
    });
    expect(v.status).toBe('COMPLIANT');
  });

  it('is not applicable when immutability is not required', () => {
    expect(
      rule.evaluate({ resource: declared(), facts: facts([], [point(AT - HOUR)]), at: AT, timezone: UTC }).status,
    ).toBe('NOT_APPLICABLE');
  });
});
