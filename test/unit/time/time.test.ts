import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#core/errors.ts';
import type { DurationUnit } from '#core/strategy/policy.ts';
import { addDuration, formatSpan, subtractDuration, toIso, utcOffsetAt, wallClockToEpoch } from '#core/time.ts';

const ZONES = ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const d = (amount: number, unit: DurationUnit) => ({ amount, unit });
const instant = fc.integer({ min: Date.parse('2020-01-01T00:00:00Z'), max: Date.parse('2035-01-01T00:00:00Z') });

/** Offset the same way Intl reports it, the slow way, as an oracle. */
function intlOffset(ms: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(ms);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(ms / 1000) * 1000;
}

describe('addDuration', () => {
  it('keeps the local wall-clock time across the Paris spring change (23 h day)', () => {
    const t = Date.parse('2026-03-28T09:00:00Z'); // 10:00 CET
    expect(toIso(addDuration(t, d(1, 'd'), 'Europe/Paris'))).toBe('2026-03-29T08:00:00.000Z'); // 10:00 CEST
  });

  it('keeps the local wall-clock time across the New York autumn change (25 h day)', () => {
    const t = Date.parse('2026-10-31T14:00:00Z'); // 10:00 EDT
    expect(toIso(addDuration(t, d(1, 'd'), 'America/New_York'))).toBe('2026-11-01T15:00:00.000Z'); // 10:00 EST
  });

  it('moves a wall time that does not exist forward by the gap', () => {
    const t = Date.parse('2026-03-28T01:30:00Z'); // 02:30 CET; 2026-03-29 02:30 does not exist in Paris
    expect(toIso(addDuration(t, d(1, 'd'), 'Europe/Paris'))).toBe('2026-03-29T01:30:00.000Z'); // 03:30 CEST
  });

  it('picks the earlier instant of an ambiguous wall time', () => {
    const t = Date.parse('2026-10-24T00:30:00Z'); // 02:30 CEST; 2026-10-25 02:30 happens twice
    expect(toIso(addDuration(t, d(1, 'd'), 'Europe/Paris'))).toBe('2026-10-25T00:30:00.000Z');
  });

  it('handles Lord Howe’s 30-minute shift', () => {
    expect(utcOffsetAt(Date.parse('2026-10-03T15:29:59Z'), 'Australia/Lord_Howe')).toBe(10.5 * HOUR);
    expect(utcOffsetAt(Date.parse('2026-10-03T15:30:00Z'), 'Australia/Lord_Howe')).toBe(11 * HOUR);
  });

  it('adds years in the calendar, clamping 29 February', () => {
    expect(toIso(addDuration(Date.parse('2024-02-29T10:00:00Z'), d(1, 'y'), 'UTC'))).toBe('2025-02-28T10:00:00.000Z');
    expect(toIso(addDuration(Date.parse('2026-01-15T10:00:00Z'), d(1, 'y'), 'Asia/Kolkata'))).toBe(
      '2027-01-15T10:00:00.000Z',
    );
  });

  it('adds weeks as seven calendar days', () => {
    const t = Date.parse('2026-10-20T08:00:00Z');
    expect(addDuration(t, d(1, 'w'), 'Europe/Paris')).toBe(addDuration(t, d(7, 'd'), 'Europe/Paris'));
  });

  it('rejects an unknown time zone with a ValidationError', () => {
    expect(() => addDuration(0, d(1, 'd'), 'Mars/Olympus')).toThrow(ValidationError);
  });

  it('property: the cached offset equals what Intl reports', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), instant, (zone, t) => utcOffsetAt(t, zone) === intlOffset(t, zone)),
      { numRuns: 500 },
    );
  });

  it('property: minutes and hours are exactly absolute', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), instant, fc.integer({ min: -10_000, max: 10_000 }), (zone, t, n) => {
        return addDuration(t, d(n, 'm'), zone) === t + n * 60_000 && addDuration(t, d(n, 'h'), zone) === t + n * HOUR;
      }),
    );
  });

  it('property: adding a calendar duration is monotonic', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        instant,
        fc.integer({ min: 0, max: 3 * DAY }),
        fc.constantFrom<DurationUnit>('d', 'w', 'y'),
        fc.integer({ min: 1, max: 40 }),
        (zone, t, delta, unit, n) => {
          // 29 February + 1y is 28 February (the calendar clamp, see docs/strategy.md): the one place where a later
          // start can give an earlier end. Everything else must be monotonic.
          const isFeb29 = (ms: number) => {
            const local = new Date(ms + utcOffsetAt(ms, zone));
            return local.getUTCMonth() === 1 && local.getUTCDate() === 29;
          };
          fc.pre(!(unit === 'y' && (isFeb29(t) || isFeb29(t + delta))));
          return addDuration(t, d(n, unit), zone) <= addDuration(t + delta, d(n, unit), zone);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('property: a calendar day lasts 23 to 25 hours, and the local time of day is kept when it exists', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), instant, (zone, t) => {
        const next = addDuration(t, d(1, 'd'), zone);
        const wallBefore = t + utcOffsetAt(t, zone);
        const wallAfter = next + utcOffsetAt(next, zone);
        const keptOrShiftedByGap = (wallAfter - wallBefore - DAY) % (30 * 60_000) === 0;
        return next - t >= 23 * HOUR && next - t <= 25 * HOUR && keptOrShiftedByGap;
      }),
      { numRuns: 500 },
    );
  });

  it('property: add then subtract returns the start for unambiguous wall times', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        instant,
        fc.constantFrom<DurationUnit>('d', 'w'),
        fc.integer({ min: 1, max: 400 }),
        (zone, t, unit, n) => {
          const there = addDuration(t, d(n, unit), zone);
          const wallStart = t + utcOffsetAt(t, zone);
          const wallThere = there + utcOffsetAt(there, zone);
          // Only wall times that exist exactly once, at both ends, round-trip.
          const unique = (wall: number) =>
            wallClockToEpoch(wall, zone) + utcOffsetAt(wallClockToEpoch(wall, zone), zone) === wall &&
            utcOffsetAt(wall - utcOffsetAt(wall - DAY, zone), zone) ===
              utcOffsetAt(wall - utcOffsetAt(wall + DAY, zone), zone);
          fc.pre(unique(wallStart) && unique(wallThere) && wallClockToEpoch(wallStart, zone) === t);
          return subtractDuration(there, d(n, unit), zone) === t;
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('formatSpan', () => {
  it('writes days, hours and minutes', () => {
    expect(formatSpan(25 * HOUR)).toBe('1d 1h');
    expect(formatSpan(90 * 60_000)).toBe('1h 30m');
    expect(formatSpan(0)).toBe('0m');
  });
});
