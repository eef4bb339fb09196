import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RecoveryPoint } from '#core/model.ts';
import { rule } from '#core/rules/RetentionMet.ts';
import { addDuration, subtractDuration, toIso, wallClockToEpoch } from '#core/time.ts';
import { AT, DAY, daily, declared, dur, facts, HOUR, job, MINUTE, nonCompliant, point, UTC } from './fixtures.ts';

const ZONES = ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];

describe('RetentionMet', () => {
  it('is compliant when restorable points reach back past the retention', () => {
    const points = daily(AT - HOUR, 40).map((t) => point(t));
    const v = rule.evaluate({ resource: declared(), facts: facts([], points), at: AT, timezone: UTC });
    expect(v.status).toBe('COMPLIANT');
  });

  it('flags history older than the retention whose old points are already gone', () => {
    const points = daily(AT - HOUR, 60).map((t, i) => point(t, i < 40 ? { status: 'DELETED' } : {}));
    const v = nonCompliant(rule.evaluate({ resource: declared(), facts: facts([], points), at: AT, timezone: UTC }));
    expect(v.severity).toBe('high');
    expect(v.evidence.oldestRestorableAt).toBe(toIso(AT - HOUR - 19 * DAY));
    expect(v.summary).toContain('retention 35d requires 35d');
  });

  it('tolerates an oldest point up to one RPO younger than the retention', () => {
    const retentionStart = AT - 35 * DAY;
    const old = point(AT - 60 * DAY, { status: 'EXPIRED' });
    const justInside = rule.evaluate({
      resource: declared(),
      facts: facts([], [old, point(retentionStart + DAY - MINUTE)]),
      at: AT,
      timezone: UTC,
    });
    expect(justInside.status).toBe('COMPLIANT');
    const justOutside = rule.evaluate({
      resource: declared(),
      facts: facts([], [old, point(retentionStart + DAY + MINUTE)]),
      at: AT,
      timezone: UTC,
    });
    expect(justOutside.status).toBe('NON_COMPLIANT');
  });

  it('flags points whose lifecycle deletes them before the retention ends, listing them', () => {
    const points = daily(AT - HOUR, 40).map((t) => point(t, { deleteAt: t + 30 * DAY }));
    const v = nonCompliant(rule.evaluate({ resource: declared(), facts: facts([], points), at: AT, timezone: UTC }));
    expect(v.severity).toBe('medium');
    expect(v.evidence.earlyLifecycles).toBe(40);
    expect(v.evidence.earlyLifecycleExamples).toHaveLength(5);
  });

  it('accepts a lifecycle counted in UTC days across the autumn DST change', () => {
    const created = Date.parse('2026-10-01T08:00:00Z');
    const p = point(created, { deleteAt: created + 35 * DAY });
    const v = rule.evaluate({
      resource: declared(),
      facts: facts([], [p]),
      at: created + 2 * DAY,
      timezone: 'Europe/Paris',
    });
    expect(v.status).toBe('NOT_APPLICABLE');
  });

  it('is not applicable while the history is younger than the retention', () => {
    const points = daily(AT - HOUR, 10).map((t) => point(t, { deleteAt: t + 35 * DAY }));
    const v = rule.evaluate({ resource: declared(), facts: facts([], points), at: AT, timezone: UTC });
    expect(v.status).toBe('NOT_APPLICABLE');
  });

  it('still flags early lifecycles on a young resource', () => {
    const points = daily(AT - HOUR, 10).map((t) => point(t, { deleteAt: t + 7 * DAY }));
    expect(rule.evaluate({ resource: declared(), facts: facts([], points), at: AT, timezone: UTC }).status).toBe(
      'NON_COMPLIANT',
    );
  });

  it('is not applicable when the source reports no recovery points', () => {
    const jobs = daily(AT - HOUR, 60).map((t) => job(t));
    expect(rule.evaluate({ resource: declared(), facts: facts(jobs), at: AT, timezone: UTC }).status).toBe(
      'NOT_APPLICABLE',
    );
  });

  /** Daily points at a fixed local time for 60 days; those older than `keptFor` are deleted. */
  function history(zone: string, firstWall: number, keptFor: number, at: number): RecoveryPoint[] {
    const keepFrom = subtractDuration(at, { amount: keptFor, unit: 'd' }, zone);
    const out: RecoveryPoint[] = [];
    for (let i = 0; i < 60; i++) {
      const t = wallClockToEpoch(firstWall + i * DAY, zone);
      if (t > at) break;
      out.push(
        point(t, {
          status: t >= keepFrom ? 'AVAILABLE' : 'DELETED',
          deleteAt: addDuration(t, dur(`${keptFor}d`), zone),
        }),
      );
    }
    return out;
  }

  it('property: points kept exactly as long as the retention are compliant in every zone, DST included', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: 0, max: 700 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 1, max: 23 * 60 }),
        (zone, day, hour, minutesAfter) => {
          const firstWall = Date.UTC(2025, 0, 1 + day, hour, 0);
          const lastT = wallClockToEpoch(firstWall + 59 * DAY, zone);
          const at = lastT + minutesAfter * MINUTE;
          const points = history(zone, firstWall, 35, at);
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

  it('property: points kept two days less than the retention are always flagged', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: 0, max: 700 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 1, max: 23 * 60 }),
        (zone, day, hour, minutesAfter) => {
          const firstWall = Date.UTC(2025, 0, 1 + day, hour, 0);
          const at = wallClockToEpoch(firstWall + 59 * DAY, zone) + minutesAfter * MINUTE;
          const points = history(zone, firstWall, 33, at);
          const v = rule.evaluate({
            resource: declared({ rpo: dur('1d') }),
            facts: facts([], points),
            at,
            timezone: zone,
          });
          return v.status === 'NON_COMPLIANT';
        },
      ),
      { numRuns: 300 },
    );
  });
});
