import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RecoveryPoint } from '#core/model.ts';
import { rule } from '#core/rules/FrequencyGaps.ts';
import { subtractDuration, toIso, wallClockToEpoch } from '#core/time.ts';
import { AT, DAY, daily, declared, dur, facts, HOUR, job, MINUTE, nonCompliant, point, UTC } from './fixtures.ts';

const ZONES = ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];

/** Daily points at a fixed local wall-clock time, `count` days from `firstWall` (wall ms as if UTC). */
function localDaily(firstWall: number, count: number, zone: string): RecoveryPoint[] {
  const out: RecoveryPoint[] = [];
  for (let i = 0; i < count; i++) out.push(point(wallClockToEpoch(firstWall + i * DAY, zone)));
  return out;
}

describe('FrequencyGaps', () => {
  it('is compliant with one good backup a day over the whole window', () => {
    const points = daily(AT - HOUR, 40).map((t) => point(t));
    const v = rule.evaluate({ resource: declared(), facts: facts([], points), at: AT, timezone: UTC });
    expect(v.status).toBe('COMPLIANT');
  });

  it('flags a missing day inside the window with the count and the worst gap', () => {
    const times = daily(AT - HOUR, 40).filter((t) => t !== AT - HOUR - 10 * DAY);
    const v = nonCompliant(
      rule.evaluate({
        resource: declared(),
        facts: facts(
          [],
          times.map((t) => point(t)),
        ),
        at: AT,
        timezone: UTC,
      }),
    );
    expect(v.evidence.gaps).toBe(1);
    expect(v.evidence.worstGapHours).toBe(48);
    expect(v.evidence.worstGapFrom).toBe(toIso(AT - HOUR - 11 * DAY));
    expect(v.summary).toMatch(/^1 gap over RPO 24h/);
  });

  it('counts failed recovery points as missing', () => {
    const times = daily(AT - HOUR, 40);
    const points = times.map((t, i) => point(t, i === 30 || i === 31 ? { status: 'ERROR' } : {}));
    const v = nonCompliant(rule.evaluate({ resource: declared(), facts: facts([], points), at: AT, timezone: UTC }));
    expect(v.evidence.worstGapHours).toBe(72);
  });

  it('reports the open gap up to the evaluation time', () => {
    const times = daily(AT - 3 * DAY, 40);
    const v = nonCompliant(
      rule.evaluate({
        resource: declared(),
        facts: facts(
          [],
          times.map((t) => point(t)),
        ),
        at: AT,
        timezone: UTC,
      }),
    );
    expect(v.evidence.worstGapStillOpen).toBe(true);
    expect(v.evidence.worstGapTo).toBe(toIso(AT));
  });

  it('does not count a leading gap for a resource younger than the window', () => {
    const times = daily(AT - HOUR, 3);
    const v = rule.evaluate({
      resource: declared(),
      facts: facts(
        [],
        times.map((t) => point(t)),
      ),
      at: AT,
      timezone: UTC,
    });
    expect(v.status).toBe('COMPLIANT');
  });

  it('counts the leading gap when older history shows the resource existed', () => {
    const v = nonCompliant(
      rule.evaluate({
        resource: declared(),
        facts: facts(
          [job(AT - 40 * DAY, { state: 'FAILED' })],
          daily(AT - HOUR, 3).map((t) => point(t)),
        ),
        at: AT,
        timezone: UTC,
      }),
    );
    expect(v.evidence.worstGapFrom).toBe(toIso(AT - 35 * DAY));
  });

  it('is not applicable to a young resource without any good backup yet', () => {
    const v = rule.evaluate({
      resource: declared(),
      facts: facts([job(AT - DAY, { state: 'FAILED' })]),
      at: AT,
      timezone: UTC,
    });
    expect(v.status).toBe('NOT_APPLICABLE');
  });

  it('uses completed jobs when the source reports no recovery points', () => {
    const jobs = daily(AT - HOUR, 40).map((t, i) => job(t, i === 20 ? { state: 'FAILED' } : {}));
    const v = nonCompliant(rule.evaluate({ resource: declared(), facts: facts(jobs), at: AT, timezone: UTC }));
    expect(v.evidence.gaps).toBe(1);
  });

  it('accepts the 25 h autumn night under RPO 1d but flags it under RPO 24h (Paris)', () => {
    const zone = 'Europe/Paris';
    const points = localDaily(Date.UTC(2026, 9, 1, 10, 0), 40, zone);
    const at = points.at(-1)!.createdAt + HOUR;
    const daily1d = rule.evaluate({
      resource: declared({ rpo: dur('1d') }),
      facts: facts([], points),
      at,
      timezone: zone,
    });
    expect(daily1d.status).toBe('COMPLIANT');
    const v = nonCompliant(
      rule.evaluate({ resource: declared({ rpo: dur('24h') }), facts: facts([], points), at, timezone: zone }),
    );
    expect(v.evidence.gaps).toBe(1);
    expect(v.evidence.worstGapHours).toBe(25);
    expect(v.evidence.worstGapTo).toBe('2026-10-25T09:00:00.000Z');
  });

  it('sees Lord Howe’s half-hour autumn shift as a 24.5 h gap under RPO 24h', () => {
    const zone = 'Australia/Lord_Howe';
    const points = localDaily(Date.UTC(2026, 2, 20, 10, 0), 40, zone);
    const at = points.at(-1)!.createdAt + HOUR;
    const v = nonCompliant(
      rule.evaluate({ resource: declared({ rpo: dur('24h') }), facts: facts([], points), at, timezone: zone }),
    );
    expect(v.evidence.worstGapHours).toBe(24.5);
  });

  it('property: daily backups at a fixed local time never leave a gap over RPO 1d', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: 0, max: 700 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 1, max: 23 * 60 }),
        (zone, day, hour, minute, minutesAfter) => {
          const points = localDaily(Date.UTC(2025, 0, 1 + day, hour, minute), 40, zone);
          const at = points.at(-1)!.createdAt + minutesAfter * MINUTE;
          const v = rule.evaluate({
            resource: declared({ rpo: dur('1d') }),
            facts: facts([], points),
            at,
            timezone: zone,
          });
          return v.status === 'COMPLIANT';
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: under RPO 24h the verdict matches a plain gap computation (DST nights included)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: 0, max: 700 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 1, max: 23 * 60 }),
        (zone, day, hour, minutesAfter) => {
          const points = localDaily(Date.UTC(2025, 0, 1 + day, hour, 15), 40, zone);
          const at = points.at(-1)!.createdAt + minutesAfter * MINUTE;
          const start = subtractDuration(at, dur('35d'), zone);
          const inWindow = points.map((p) => p.createdAt).filter((t) => t >= start);
          let expectedGap = inWindow[0]! - start > DAY || at - inWindow.at(-1)! > DAY;
          for (let i = 1; i < inWindow.length; i++) if (inWindow[i]! - inWindow[i - 1]! > DAY) expectedGap = true;
          const v = rule.evaluate({
            resource: declared({ rpo: dur('24h') }),
            facts: facts([], points),
            at,
            timezone: zone,
          });
          return v.status === (expectedGap ? 'NON_COMPLIANT' : 'COMPLIANT');
        },
      ),
      { numRuns: 300 },
    );
  });
});
