import { describe, expect, it } from 'vitest';
import { parseDuration } from '#core/strategy/duration.ts';
import { addDuration, subtractDuration } from '#core/time.ts';

const PARIS = 'Europe/Paris';
const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;

describe('duration semantics documented in docs/strategy.md (implemented by core/time.ts)', () => {
  it('counts a calendar day across the spring DST change as 23 hours in Paris', () => {
    const saturdayNoon = at('2025-03-29T12:00:00+01:00');

    const next = addDuration(saturdayNoon, parseDuration('1d'), PARIS);

    expect(new Date(next).toISOString()).toBe('2025-03-30T10:00:00.000Z'); // 12:00 CEST
    expect(next - saturdayNoon).toBe(23 * HOUR);
  });

  it('counts 24h as 24 absolute hours across the same change', () => {
    const saturdayNoon = at('2025-03-29T12:00:00+01:00');

    expect(addDuration(saturdayNoon, parseDuration('24h'), PARIS) - saturdayNoon).toBe(24 * HOUR);
  });

  it('counts a calendar day across the autumn DST change as 25 hours in Paris', () => {
    const saturdayNoon = at('2025-10-25T12:00:00+02:00');

    expect(addDuration(saturdayNoon, parseDuration('1d'), PARIS) - saturdayNoon).toBe(25 * HOUR);
  });

  it('subtracts weeks and years on the calendar, keeping 29 February inside February', () => {
    const leapDay = at('2024-02-29T08:30:00Z');

    expect(new Date(subtractDuration(leapDay, parseDuration('2w'), 'UTC')).toISOString()).toBe(
      '2024-02-15T08:30:00.000Z',
    );
    expect(new Date(addDuration(leapDay, parseDuration('1y'), 'UTC')).toISOString()).toBe('2025-02-28T08:30:00.000Z');
    expect(subtractDuration(leapDay, parseDuration('90m'), 'UTC')).toBe(leapDay - 1.5 * HOUR);
  });

  it('gives back the start instant when a calendar shift is undone on an ordinary day', () => {
    const start = at('2025-06-10T23:45:12.345Z');
    const d = parseDuration('35d');

    expect(subtractDuration(addDuration(start, d, PARIS), d, PARIS)).toBe(start);
  });
});
