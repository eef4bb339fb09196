import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#core/errors.ts';
import { parsePeriod } from '#core/report/period.ts';

const iso = (ms: number) => new Date(ms).toISOString();

describe('parsePeriod', () => {
  it('starts Q3 at midnight Paris summer time (22:00 UTC the day before) and ends it exclusively at 1 October', () => {
    const p = parsePeriod('2026-Q3', 'Europe/Paris');

    expect(p).toMatchObject({
      label: '2026-Q3',
      kind: 'quarter',
      timeZone: 'Europe/Paris',
      title: 'Q3 2026 (July–September)',
    });
    expect(iso(p.from)).toBe('2026-06-30T22:00:00.000Z');
    expect(iso(p.to)).toBe('2026-09-30T22:00:00.000Z');
  });

  it('ends Q4 in Paris winter time after the October clock change inside the quarter', () => {
    const p = parsePeriod('2026-Q4', 'Europe/Paris');

    expect(iso(p.from)).toBe('2026-09-30T22:00:00.000Z');
    expect(iso(p.to)).toBe('2026-12-31T23:00:00.000Z');
  });

  it('starts Q1 in Paris winter time and ends it in summer time after the March clock change', () => {
    const p = parsePeriod('2026-Q1', 'Europe/Paris');

    expect(iso(p.from)).toBe('2025-12-31T23:00:00.000Z');
    expect(iso(p.to)).toBe('2026-03-31T22:00:00.000Z');
    // 90 days minus the hour lost on 29 March.
    expect(p.to - p.from).toBe(90 * 86_400_000 - 3_600_000);
  });

  it('makes the four Paris quarters of a year tile the year with neither gap nor overlap', () => {
    const year = parsePeriod('2026', 'Europe/Paris');
    const quarters = [1, 2, 3, 4].map((q) => parsePeriod(`2026-Q${q}`, 'Europe/Paris'));

    expect(quarters[0]!.from).toBe(year.from);
    expect(quarters[3]!.to).toBe(year.to);
    for (let i = 1; i < 4; i++) expect(quarters[i]!.from).toBe(quarters[i - 1]!.to);
  });

  it('reads a month and rolls December over into January of the next year', () => {
    const sept = parsePeriod('2026-09', 'UTC');
    const dec = parsePeriod('2026-12', 'Europe/Paris');

    expect(sept).toMatchObject({ label: '2026-09', kind: 'month', title: 'September 2026' });
    expect(iso(sept.from)).toBe('2026-09-01T00:00:00.000Z');
    expect(iso(sept.to)).toBe('2026-10-01T00:00:00.000Z');
    expect(iso(dec.to)).toBe('2026-12-31T23:00:00.000Z');
  });

  it('reads a whole year in the tenant zone', () => {
    const p = parsePeriod('2026', 'America/New_York');

    expect(p).toMatchObject({ label: '2026', kind: 'year', title: '2026' });
    expect(iso(p.from)).toBe('2026-01-01T05:00:00.000Z');
    expect(iso(p.to)).toBe('2027-01-01T05:00:00.000Z');
  });

  it('accepts a lowercase quarter and surrounding spaces, and labels it canonically', () => {
    expect(parsePeriod(' 2026-q2 ', 'UTC').label).toBe('2026-Q2');
  });

  it.each([
    '2026-Q5',
    '2026-Q0',
    '2026-13',
    '2026-00',
    '2026-9',
    '26',
    '2026/09',
    'Q3 2026',
    '2026-09-01',
    '',
    'last quarter',
  ])('rejects %j naming the three accepted forms', (text) => {
    let error: unknown;
    try {
      parsePeriod(text, 'Europe/Paris');
    } catch (e) {
      error = e;
    }

    expect(error).toBeInstanceOf(ValidationError);
    const problem = (error as ValidationError).problems[0]!;
    expect(problem.path).toBe('period');
    expect(problem.message).toContain('YYYY (e.g. 2026), YYYY-Qn (e.g. 2026-Q3) or YYYY-MM (e.g. 2026-09)');
  });

  it('rejects a year outside 1970–2199 and does not echo a long input whole', () => {
    expect(() => parsePeriod('1969', 'UTC')).toThrow(/from 1970 to 2199/);
    const long = `2026${'x'.repeat(5000)}`;
    expect(() => parsePeriod(long, 'UTC')).toThrow(ValidationError);
    try {
      parsePeriod(long, 'UTC');
    } catch (e) {
      expect((e as ValidationError).message.length).toBeLessThan(300);
    }
  });

  it('rejects an unknown time zone with a ValidationError', () => {
    expect(() => parsePeriod('2026', 'Mars/Olympus')).toThrow(ValidationError);
  });

  it('gives every month, in any zone, a start before its end and 28 to 31 days (± a DST hour)', () => {
    const zones = ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];
    fc.assert(
      fc.property(
        fc.integer({ min: 1970, max: 2198 }),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom(...zones),
        (year, month, zone) => {
          const text = `${year}-${String(month).padStart(2, '0')}`;
          const p = parsePeriod(text, zone);
          const days = (p.to - p.from) / 86_400_000;
          expect(days).toBeGreaterThanOrEqual(28 - 1 / 24);
          expect(days).toBeLessThanOrEqual(31 + 1 / 24);
          const next = month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
          expect(parsePeriod(next, zone).from).toBe(p.to);
        },
      ),
    );
  });
});
