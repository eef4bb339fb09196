import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeStatement } from '#core/sla/statement.ts';
import { contract, facts, HOUR, incident, input, MINUTE, NOV_FROM, NOV_TO, oneMiss, series } from './fixtures.ts';

const PERIOD_MS = NOV_TO - NOV_FROM; // 30 days of 24 h in UTC
const backup = (target: number, penalty = { perStartedHour: 50 }) =>
  contract({ backupCompliance: { target, penalty } });

describe('backup compliance in the SLA statement', () => {
  it('measures protected resource-hours with the RPO met and names the runs and finding behind a miss', () => {
    const s = computeStatement(
      input(
        backup(99.5),
        facts({ rpo: { runIds: ['run-a', 'run-b'], resources: [oneMiss('db', NOV_FROM + 5 * HOUR, 4 * HOUR)] } }),
      ),
    );

    const level = s.levels[0]!;
    expect(level.measured).toMatchObject({ unit: 'resource-hours', total: 720, good: 716 });
    expect(level.achieved).toBe(99.444);
    expect(level.met).toBe(false);
    expect(level.breaches[0]).toMatchObject({
      subject: 'db',
      from: '2026-11-01T05:00:00.000Z',
      to: '2026-11-01T09:00:00.000Z',
      evidence: { findingIds: ['db#RpoMet'] },
    });
    // 4 h missed, 3.6 h allowed by 99.5 % of 720 h: 0.4 h beyond the target is one started hour.
    expect(level.penaltyParts.map((p) => p.formula)).toEqual([
      '1 started hour beyond the target × 50.00 EUR = 50.00 EUR',
    ]);
    expect(s.total).toBe(5000);
  });

  it('cites the verification runs that saw the RPO missed', () => {
    const at = NOV_FROM + 10 * HOUR;
    const s = computeStatement(
      input(
        backup(99.9),
        facts({
          rpo: {
            runIds: ['r0', 'r1', 'r2', 'r3'],
            resources: [
              series('db', [
                [NOV_FROM - HOUR, NOV_FROM - HOUR, at],
                [at + HOUR, NOV_FROM - HOUR, at],
                [at + 2 * HOUR, NOV_FROM - HOUR, at],
                [at + 3 * HOUR, at + 3 * HOUR, NOV_TO + HOUR],
              ]),
            ],
          },
        }),
      ),
    );

    expect(s.levels[0]?.breaches[0]?.evidence.reportIds).toEqual(['r1', 'r2']);
    expect(s.levels[0]?.breaches[0]?.overrunMs).toBe(3 * HOUR);
  });

  it('meets a level whose achieved value is exactly its target, and misses it by one millisecond more', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99_999 }), fc.boolean(), (targetMilli, over) => {
        const target = targetMilli / 1000;
        // 30 days × (100 − target) %, in ms: an integer for every target with 3 decimals.
        const allowed = (PERIOD_MS / 100_000) * (100_000 - targetMilli);
        const miss = allowed + (over ? 1 : 0);
        const s = computeStatement(
          input(backup(target), facts({ rpo: { runIds: [], resources: [oneMiss('db', NOV_FROM, miss)] } })),
        );
        expect(s.levels[0]?.met).toBe(!over);
        if (!over) expect(s.levels[0]?.achieved).toBe(target);
        else expect(s.levels[0]?.achieved).toBeLessThan(target);
      }),
      { numRuns: 200 },
    );
  });

  it('an exclusion window removes exactly the time it covers from both sides of the share', () => {
    const step = 36_000; // 0.01 h: the statement shows resource-hours with 3 decimals
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70_000 }),
        fc.integer({ min: 1, max: 2_000 }),
        fc.integer({ min: 0, max: 70_000 }),
        fc.integer({ min: 1, max: 2_000 }),
        (missAt, missLen, winAt, winLen) => {
          const miss = { from: NOV_FROM + missAt * step, to: NOV_FROM + (missAt + missLen) * step };
          const win = { from: NOV_FROM + winAt * step, to: Math.min(NOV_TO, NOV_FROM + (winAt + winLen) * step) };
          const f = facts({ rpo: { runIds: [], resources: [oneMiss('db', miss.from, miss.to - miss.from)] } });
          const exclusion = {
            from: new Date(win.from).toISOString().replace('.000', ''),
            to: new Date(win.to).toISOString().replace('.000', ''),
            cause: 'client' as const,
            reason: 'client outage',
          };
          const without = computeStatement(input(backup(99), f)).levels[0]!;
          const withIt = computeStatement(input(backup(99, undefined as never), f, {})).levels[0]!;
          const excluded = computeStatement(
            input(contract({ backupCompliance: { target: 99 } }, { exclusions: [exclusion] }), f),
          ).levels[0]!;
          const covered = Math.max(0, Math.min(win.to, NOV_TO) - win.from) / HOUR;
          const overlap = Math.max(0, Math.min(win.to, miss.to, NOV_TO) - Math.max(win.from, miss.from)) / HOUR;
          expect(withIt.measured.total).toBe(without.measured.total);
          expect(excluded.measured.total).toBeCloseTo(without.measured.total - covered, 3);
          expect(excluded.measured.excluded).toBeCloseTo(covered, 3);
          const badBefore = without.measured.total - without.measured.good;
          const badAfter = excluded.measured.total - excluded.measured.good;
          expect(badAfter).toBeCloseTo(badBefore - overlap, 3);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('penalties and the cap', () => {
  it('never owes more than the cap, and owes the subtotal below it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 100 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 600 }), { maxLength: 30 }),
        (capPercent, perBreach, tierPercent, capByAmount, lateMinutes) => {
          const c = contract(
            {
              incidents: {
                critical: { acknowledge: '15m' },
                penalty: { perBreach, perStartedHour: 10, tiers: [{ below: 100, percentOfFee: tierPercent }] },
              },
            },
            { cap: capByAmount ? { amount: capPercent * 100 } : { percentOfFee: capPercent } },
          );
          const incidents = lateMinutes.map((m, i) =>
            incident({
              incidentId: `f-${i}`,
              openedAt: new Date(NOV_FROM + i * HOUR).toISOString(),
              acknowledgedAt: new Date(NOV_FROM + i * HOUR + (15 + m) * MINUTE).toISOString(),
            }),
          );
          const s = computeStatement(input(c, facts({ incidents })));
          const capMinor = s.cap!.amount;
          expect(s.total).toBeLessThanOrEqual(capMinor);
          expect(s.total).toBe(Math.min(s.subtotal, capMinor));
          expect(s.cap!.applied).toBe(s.subtotal > capMinor);
          expect(Number.isInteger(s.total)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('writes out each part: per breach, per started hour, the tier reached and the cap', () => {
    const c = contract(
      {
        incidents: {
          critical: { acknowledge: '15m', resolve: '4h' },
          penalty: {
            perBreach: 150,
            perStartedHour: 25,
            tiers: [
              { below: 90, percentOfFee: 5 },
              { below: 60, percentOfFee: 10 },
            ],
          },
        },
      },
      { cap: { percentOfFee: 2 } },
    );
    const late = incident({
      incidentId: 'rt-9#restore',
      openedAt: '2026-11-03T10:00:00.000Z',
      acknowledgedAt: '2026-11-03T11:20:00.000Z',
      resolvedAt: '2026-11-03T12:00:00.000Z',
    });
    const s = computeStatement(input(c, facts({ incidents: [late] })));

    const ack = s.levels.find((l) => l.id === 'incident-acknowledge')!;
    expect(ack.penaltyParts.map((p) => p.formula)).toEqual([
      '1 breach × 150.00 EUR = 150.00 EUR',
      '2 started hours beyond the target × 25.00 EUR = 50.00 EUR',
      'achieved 0% < 60%: 10% of the period fee 10000.00 EUR = 1000.00 EUR',
    ]);
    expect(ack.breaches[0]?.evidence).toEqual({
      reportIds: [],
      restoreTestIds: ['rt-1'],
      findingIds: ['rt-9#restore'],
      auditSeqs: [7],
    });
    expect(s.levels.find((l) => l.id === 'incident-resolve')?.met).toBe(true);
    expect(s.subtotal).toBe(120_000);
    expect(s.total).toBe(20_000);
    expect(s.formula.at(-1)).toBe(
      'cap 2% of the period fee 10000.00 EUR = 200.00 EUR; total = min(1200.00 EUR, 200.00 EUR) = 200.00 EUR',
    );
  });

  it('does not count incidents whose cause is the client’s, and lists recurring ones', () => {
    const c = contract({ incidents: { high: { acknowledge: '1h' }, penalty: { perBreach: 100 } } });
    const s = computeStatement(
      input(
        c,
        facts({
          incidents: [
            incident({ incidentId: 'a', severity: 'high', openedAt: '2026-11-02T00:00:00Z', cause: 'client' }),
            incident({
              incidentId: 'b',
              severity: 'high',
              openedAt: '2026-10-02T00:00:00Z',
              acknowledgedAt: '2026-10-02T00:10:00Z',
              recurring: true,
              reopenings: [{ at: '2026-11-05T00:00:00Z', by: 'sweep', recurring: true }],
            }),
          ],
        }),
      ),
    );

    expect(s.levels[0]).toMatchObject({ met: true, measured: { total: 0, excluded: 1 } });
    expect(s.recurrences.map((r) => r.incidentId)).toEqual(['b']);
    expect(s.exclusions.some((e) => e.cause === 'client')).toBe(true);
  });
});

describe('restore tests, RTO and the dossier in the statement', () => {
  it('counts a scheduled test that did not run and one that failed, with their ids', () => {
    const at = (d: number) => NOV_FROM + d * 24 * HOUR;
    const c = contract({ restoreTests: { target: 90, penalty: { perBreach: 200 } }, rto: { max: '30m' } });
    const s = computeStatement(
      input(
        c,
        facts({
          scheduledTests: [1, 2, 3].map((d) => ({
            testId: `t${d}`,
            resourceId: 'nas',
            policyName: 'p',
            scheduledAt: at(d),
          })),
          restoreTests: [
            {
              testId: 't1',
              resourceId: 'nas',
              policyName: 'p',
              scheduledAt: at(1),
              startedAt: at(1),
              outcome: 'PASSED',
              rtoMs: 60 * MINUTE,
              auditSeq: 3,
            },
            {
              testId: 't2',
              resourceId: 'nas',
              policyName: 'p',
              scheduledAt: at(2),
              startedAt: at(2),
              outcome: 'FAILED',
              rtoMs: MINUTE,
              auditSeq: 4,
              findingId: 't2#restore',
            },
          ],
        }),
      ),
    );

    const tests = s.levels.find((l) => l.id === 'restore-tests')!;
    expect(tests).toMatchObject({ achieved: 33.333, met: false, penalty: 40_000 });
    expect(tests.breaches.map((b) => [b.evidence.restoreTestIds, b.evidence.auditSeqs, b.summary])).toEqual([
      [['t2'], [4], expect.stringMatching(/FAILED$/)],
      [['t3'], [], expect.stringMatching(/did not run$/)],
    ]);
    const rto = s.levels.find((l) => l.id === 'rto')!;
    expect(rto.breaches[0]).toMatchObject({
      subject: 'nas',
      overrunMs: 30 * MINUTE,
      evidence: { restoreTestIds: ['t1'] },
    });
  });

  it('finds the dossier stale beyond its limit from the first change after a publication to the next', () => {
    const c = contract({ dossier: { maxStale: '7d', penalty: { perStartedDay: 300 } } });
    const day = 24 * HOUR;
    const s = computeStatement(
      input(
        c,
        facts({
          dossier: {
            versions: [
              { version: 1, createdAt: NOV_FROM - day, requestedAt: NOV_FROM - day, auditSeq: 10 },
              { version: 2, createdAt: NOV_FROM + 12 * day + HOUR, requestedAt: NOV_FROM + 12 * day, auditSeq: 30 },
            ],
            changes: [{ at: NOV_FROM + 2 * day, seq: 20, type: 'restore-test' }],
          },
        }),
      ),
    );

    const level = s.levels[0]!;
    expect(level.breaches[0]).toMatchObject({ overrunMs: 3 * day + HOUR, evidence: { auditSeqs: [20, 30] } });
    expect(level.penaltyParts[0]?.formula).toBe('4 started days beyond the target × 300.00 EUR = 1200.00 EUR');
  });
});

describe('the period in the tenant timezone', () => {
  const paris = (label: string, from: string, to: string) => ({ label, from: Date.parse(from), to: Date.parse(to) });
  const always = (from: number) => series('db', [[from - HOUR, from - HOUR, from + 1000 * HOUR]]);

  it.each([
    ['2026-03', 743, 31, 5, '2026-02-28T23:00:00Z', '2026-03-31T22:00:00Z'],
    ['2026-10', 745, 31, 4, '2026-09-30T22:00:00Z', '2026-10-31T23:00:00Z'],
  ] as const)(
    '%s in Europe/Paris lasts %i hours over %i local days, %i Sunday windows excluded',
    (label, hours, days, sundays, from, to) => {
      const period = paris(label, from, to);
      const c = contract(
        { backupCompliance: { target: 99 } },
        { maintenanceWindows: [{ every: 'sunday', at: '02:00', duration: '2h', reason: 'patching' }] },
      );
      const s = computeStatement({
        ...input(c, facts({ rpo: { runIds: [], resources: [always(period.from)] } })),
        timeZone: 'Europe/Paris',
        period,
        asOf: period.to,
      });

      const level = s.levels[0]!;
      expect(level.measured.total + level.measured.excluded).toBe(hours);
      expect(level.measured.excluded).toBe(2 * sundays);
      expect(level.series).toHaveLength(days);
      expect(level.series[0]?.day).toBe(`${label}-01`);
      expect(level.series.at(-1)?.day).toBe(`${label}-31`);
    },
  );

  it('counts the standing so far when asOf is inside the period', () => {
    const c = backup(99);
    const f = facts({ rpo: { runIds: [], resources: [always(NOV_FROM)] } });
    const s = computeStatement(input(c, f, { asOf: NOV_FROM + 36 * HOUR }));

    expect(s.measuredTo).toBe('2026-11-02T12:00:00.000Z');
    expect(s.levels[0]?.measured.total).toBe(36);
    expect(s.levels[0]?.series).toHaveLength(2);
  });
});

describe('determinism', () => {
  it('gives the same statement for the same facts in any order', () => {
    const f = facts({
      rpo: {
        runIds: ['a', 'b'],
        resources: [oneMiss('x', NOV_FROM + HOUR, HOUR), oneMiss('y', NOV_FROM + 9 * HOUR, 2 * HOUR)],
      },
      incidents: [
        incident({ incidentId: 'i1', openedAt: '2026-11-02T00:00:00Z' }),
        incident({ incidentId: 'i2', openedAt: '2026-11-02T00:00:00Z' }),
      ],
    });
    const c = contract({
      backupCompliance: { target: 99.99, penalty: { perBreach: 1 } },
      incidents: { critical: { acknowledge: '1h' } },
    });
    const reversed = {
      ...f,
      rpo: { ...f.rpo, resources: [...f.rpo.resources].reverse() },
      incidents: [...f.incidents].reverse(),
    };

    expect(JSON.stringify(computeStatement(input(c, reversed)))).toBe(JSON.stringify(computeStatement(input(c, f))));
  });
});
