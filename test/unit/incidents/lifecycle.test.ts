import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { incidentOf, lifecycleOf, transition } from '#core/incidents/lifecycle.ts';
import type { IncidentRecord, IncidentState } from '#core/incidents/model.ts';
import { INCIDENT_STATES } from '#core/incidents/model.ts';
import { incidentPolicyOf } from '#core/incidents/policy.ts';

const opened: IncidentRecord = {
  tenantId: 'acme',
  findingId: 'finding-t1',
  testId: 't1',
  resourceId: 'nas://filer/projects',
  outcome: 'FAILED',
  summary: 'restore test FAILED: 1 changed',
  openedAt: '2026-11-02T03:00:00.000Z',
  status: 'OPEN',
  rootCause: '',
  correctiveAction: '',
};
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const T0 = Date.parse(opened.openedAt);
const window30d = incidentPolicyOf({ recurrenceWindow: '30d' }, 'Europe/Paris').recurrence;

describe('the incident lifecycle', () => {
  it('reads a finding stored before the lifecycle as an open incident at revision 0', () => {
    expect(lifecycleOf(opened)).toEqual({
      state: 'OPEN',
      severity: 'high',
      reopenings: [],
      recurring: false,
      revision: 0,
    });
    expect(lifecycleOf({ ...opened, status: 'CLOSED' }).state).toBe('CLOSED');
  });

  it('stamps who moved it and when, and a resolution without acknowledgement counts as acknowledged then', () => {
    const { next, change } = transition(opened, { to: 'RESOLVED', at: iso(T0 + 3_600_000), by: 'ops@provider' });

    expect(next).toMatchObject({
      state: 'RESOLVED',
      status: 'OPEN',
      acknowledgedAt: iso(T0 + 3_600_000),
      resolvedAt: iso(T0 + 3_600_000),
      updatedBy: 'ops@provider',
      revision: 1,
    });
    expect(change).toBe('resolved');
  });

  it('refuses to close without a root cause and a corrective action, naming the missing field', () => {
    const resolved = transition(opened, { to: 'RESOLVED', at: iso(T0 + 1000), by: 'ops' }).next;

    expect(() => transition(resolved, { to: 'CLOSED', at: iso(T0 + 2000), by: 'ops' })).toThrow(/rootCause/);
    expect(() =>
      transition(resolved, { to: 'CLOSED', at: iso(T0 + 2000), by: 'ops', rootCause: 'firmware bug' }),
    ).toThrow(/correctiveAction/);
    const closed = transition(resolved, {
      to: 'CLOSED',
      at: iso(T0 + 2000),
      by: 'ops',
      rootCause: 'firmware bug',
      correctiveAction: 'firmware 7.2.1 on every filer',
    }).next;
    expect(closed).toMatchObject({ state: 'CLOSED', status: 'CLOSED', closedAt: iso(T0 + 2000) });
  });

  it('refuses going backwards and standing still, but lets a resolved or closed incident reopen', () => {
    const acked = transition(opened, { to: 'ACKNOWLEDGED', at: iso(T0 + 1000), by: 'ops' }).next;

    expect(() => transition(acked, { to: 'ACKNOWLEDGED', at: iso(T0 + 2000), by: 'ops' })).toThrow(/already/);
    expect(() => transition(acked, { to: 'OPEN', at: iso(T0 + 2000), by: 'ops' })).toThrow(/only a resolved or closed/);
    const resolved = transition(acked, { to: 'RESOLVED', at: iso(T0 + 3000), by: 'ops' }).next;
    expect(() => transition(resolved, { to: 'ACKNOWLEDGED', at: iso(T0 + 4000), by: 'ops' })).toThrow(/forward/);
  });

  it('marks a reopening within the window recurring, and one after it not', () => {
    const resolved = transition(opened, { to: 'RESOLVED', at: iso(T0), by: 'ops' }).next;

    const soon = transition(resolved, { to: 'OPEN', at: iso(T0 + 29 * DAY), by: 'reversa' }, window30d);
    const late = transition(resolved, { to: 'OPEN', at: iso(T0 + 31 * DAY), by: 'reversa' }, window30d);

    expect(soon.recurring).toBe(true);
    expect(soon.next).toMatchObject({ state: 'OPEN', recurring: true, reopenings: [{ recurring: true }] });
    expect(soon.next).not.toHaveProperty('resolvedAt');
    expect(late.recurring).toBe(false);
    expect(late.next.recurring).toBe(false);
  });

  it('counts the window in calendar days of the tenant timezone across the DST change', () => {
    // 2026-10-25 is 25 hours long in Paris: 1d after 2026-10-24T12:00 Paris is 25 h later in UTC.
    const resolvedAt = Date.parse('2026-10-24T10:00:00.000Z');
    const resolved = { ...transition(opened, { to: 'RESOLVED', at: iso(resolvedAt), by: 'ops' }).next };
    const oneDay = incidentPolicyOf({ recurrenceWindow: '1d' }, 'Europe/Paris').recurrence;

    const at24h30 = transition(resolved, { to: 'OPEN', at: iso(resolvedAt + 24.5 * 3_600_000), by: 'x' }, oneDay);
    const at25h30 = transition(resolved, { to: 'OPEN', at: iso(resolvedAt + 25.5 * 3_600_000), by: 'x' }, oneDay);

    expect(at24h30.recurring).toBe(true);
    expect(at25h30.recurring).toBe(false);
  });

  it('gives the SLA its view: source, reference, stamps, recurrence', () => {
    const resolved = transition(opened, { to: 'RESOLVED', at: iso(T0 + 1000), by: 'ops', cause: 'client' }).next;

    expect(incidentOf(resolved)).toMatchObject({
      incidentId: 'finding-t1',
      source: 'restore-test',
      sourceRef: 't1',
      severity: 'high',
      state: 'RESOLVED',
      cause: 'client',
      resolvedAt: iso(T0 + 1000),
    });
    expect(incidentOf(resolved)).not.toHaveProperty('rootCause');
  });

  it('keeps its invariants over any sequence of requests (property)', () => {
    const step = fc.record({
      to: fc.constantFrom<IncidentState>(...INCIDENT_STATES),
      afterMs: fc.integer({ min: 0, max: 40 * DAY }),
      withRootCause: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
        let record: IncidentRecord = opened;
        let at = T0;
        let everRecurring = false;
        for (const s of steps) {
          at += s.afterMs;
          const before = lifecycleOf(record);
          try {
            const result = transition(
              record,
              {
                to: s.to,
                at: iso(at),
                by: 'ops',
                ...(s.withRootCause ? { rootCause: 'cause', correctiveAction: 'action' } : {}),
              },
              window30d,
            );
            record = result.next;
          } catch {
            // A refused transition leaves the record as it was.
            continue;
          }
          const life = lifecycleOf(record);
          expect(life.revision).toBe(before.revision + 1);
          expect(record.status === 'CLOSED').toBe(life.state === 'CLOSED');
          if (life.state === 'CLOSED') expect(record.rootCause && record.correctiveAction).toBeTruthy();
          if (life.state === 'RESOLVED' || life.state === 'CLOSED') {
            expect(life.acknowledgedAt! <= life.resolvedAt!).toBe(true);
          }
          if (life.state === 'CLOSED') expect(life.resolvedAt! <= record.closedAt!).toBe(true);
          if (life.state === 'OPEN') expect(life.resolvedAt).toBeUndefined();
          expect(life.recurring || !everRecurring).toBe(true);
          everRecurring = life.recurring;
        }
      }),
    );
  });
});
