import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rule } from '#core/rules/RpoMet.ts';
import { addDuration, toIso, wallClockToEpoch } from '#core/time.ts';
import { AT, DAY, declared, dur, facts, HOUR, job, MINUTE, nonCompliant, point, UTC } from './fixtures.ts';

const ZONES = ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];

describe('RpoMet', () => {
  it('flags a missed backup one minute after the RPO deadline', () => {
    const last = AT - DAY - MINUTE;
    const v = nonCompliant(
      rule.evaluate({
        resource: declared({ rpo: dur('24h') }),
        facts: facts([job(last)], [point(last)]),
        at: AT,
        timezone: UTC,
      }),
    );
    expect(v.evidence.deadline).toBe(toIso(AT - MINUTE));
    expect(v.evidence.overdueMinutes).toBe(1);
    expect(v.evidence.lastGoodAt).toBe(toIso(last));
    expect(v.severity).toBe('high');
  });

  it('is compliant one minute before the RPO deadline', () => {
    const last = AT - DAY + MINUTE;
    const v = rule.evaluate({
      resource: declared({ rpo: dur('24h') }),
      facts: facts([job(last)], [point(last)]),
      at: AT,
      timezone: UTC,
    });
    expect(v.status).toBe('COMPLIANT');
  });

  it('is compliant exactly at the deadline', () => {
    const v = rule.evaluate({ resource: declared(), facts: facts([], [point(AT - DAY)]), at: AT, timezone: UTC });
    expect(v.status).toBe('COMPLIANT');
  });

  it('flags a backup that never ran as critical', () => {
    const v = nonCompliant(rule.evaluate({ resource: declared(), facts: facts(), at: AT, timezone: UTC }));
    expect(v.severity).toBe('critical');
    expect(v.evidence.lastGoodAt).toBeNull();
  });

  it('does not count failed or deleted recovery points, nor copies', () => {
    const v = rule.evaluate({
      resource: declared(),
      facts: facts(
        [],
        [point(AT - 3 * DAY), point(AT - HOUR, { status: 'DELETED' }), point(AT - HOUR, { copyOf: 'rp-x' })],
      ),
      at: AT,
      timezone: UTC,
    });
    expect(nonCompliant(v).evidence.overdueMinutes).toBe(2 * 24 * 60);
  });

  it('uses completed backup jobs when the source reports no recovery points', () => {
    const ok = rule.evaluate({
      resource: declared(),
      facts: facts([job(AT - 2 * HOUR), job(AT - HOUR, { state: 'FAILED' })]),
      at: AT,
      timezone: UTC,
    });
    expect(ok.status).toBe('COMPLIANT');
    const failedOnly = rule.evaluate({
      resource: declared(),
      facts: facts([job(AT - HOUR, { state: 'FAILED' })]),
      at: AT,
      timezone: UTC,
    });
    expect(nonCompliant(failedOnly).severity).toBe('critical');
  });

  it('measures a 1d RPO in local calendar days across the spring DST change', () => {
    // Paris 2026-03-28 02:30 local (+01:00) → next local 02:30 does not exist, moves to 03:30 (+02:00) = 01:30Z
    const last = Date.parse('2026-03-28T01:30:00Z');
    const resource = declared({ rpo: dur('1d') });
    const justBefore = Date.parse('2026-03-29T01:29:00Z');
    const justAfter = Date.parse('2026-03-29T01:31:00Z');
    expect(
      rule.evaluate({ resource, facts: facts([], [point(last)]), at: justBefore, timezone: 'Europe/Paris' }).status,
    ).toBe('COMPLIANT');
    expect(
      rule.evaluate({ resource, facts: facts([], [point(last)]), at: justAfter, timezone: 'Europe/Paris' }).status,
    ).toBe('NON_COMPLIANT');
  });

  it('property: daily backups at a fixed local time always meet a 1d RPO, in every zone and across DST', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: 0, max: 364 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 24 * 60 }),
        (zone, dayOffset, hour, minute, minutesAfter) => {
          const wall = Date.UTC(2026, 0, 1 + dayOffset, hour, minute);
          const last = wallClockToEpoch(wall, zone);
          const next = addDuration(last, dur('1d'), zone);
          // Evaluate anywhere between the backup and the next day's same wall time.
          const at = Math.min(last + minutesAfter * MINUTE, next);
          const v = rule.evaluate({
            resource: declared({ rpo: dur('1d') }),
            facts: facts([], [point(last)]),
            at,
            timezone: zone,
          });
          return v.status === 'COMPLIANT';
        },
      ),
      { numRuns: 400 },
    );
  });

  it('property: the verdict flips exactly at last + rpo (one minute either side)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') }),
        fc.constantFrom('15m', '1h', '24h', '1d', '2d', '1w'),
        (zone, rawLast, rpoText) => {
          const last = Math.floor(rawLast / MINUTE) * MINUTE;
          const rpo = dur(rpoText);
          const deadline = addDuration(last, rpo, zone);
          const input = { resource: declared({ rpo }), facts: facts([], [point(last)]), timezone: zone };
          return (
            rule.evaluate({ ...input, at: deadline - MINUTE }).status === 'COMPLIANT' &&
            rule.evaluate({ ...input, at: deadline + MINUTE }).status === 'NON_COMPLIANT'
          );
        },
      ),
      { numRuns: 400 },
    );
  });
});
