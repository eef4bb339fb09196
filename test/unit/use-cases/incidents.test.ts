import { describe, expect, it } from 'vitest';
import type { ReversaEvent } from '#core/events/catalogue.ts';
import type { IncidentRecord } from '#core/incidents/model.ts';
import { incidentPolicyOf } from '#core/incidents/policy.ts';
import {
  changeIncident,
  restoreIncidentFor,
  syncVerificationIncidents,
  verificationIncidentId,
} from '#core/use-cases/incidents.ts';
import type { Finding } from '#core/verify/report-types.ts';
import { MemoryFindingStore } from '../../support/memory-findings.ts';
import { memoryDeps } from '../audit/support.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-02T03:00:00.000Z');
const policy = incidentPolicyOf({ recurrenceWindow: '30d', fromVerification: 'high' }, 'Europe/Paris');

async function world() {
  const findings = new MemoryFindingStore();
  const audit = await memoryDeps();
  const store = audit.store;
  const events: ReversaEvent[] = [];
  const deps = {
    findings,
    audit,
    events: { emit: async (e: ReversaEvent) => void events.push(e) },
  };
  const entries = async () => {
    const out = [];
    for await (const e of store.listEntries('acme', 1)) out.push(JSON.parse(e.body));
    return out;
  };
  return { findings, deps, events, entries };
}

const rpoMissed: Finding = {
  findingId: 'db:orders#RpoMet',
  resourceId: 'db:orders',
  ruleId: 'RpoMet',
  severity: 'critical',
  summary: 'last good backup 30 h ago, RPO 24h',
  why: 'RPO',
  evidence: {},
  openedAt: new Date(T0).toISOString(),
};
const lowFinding: Finding = { ...rpoMissed, findingId: 'db:orders#CopiesMet', ruleId: 'CopiesMet', severity: 'low' };

const restoreFinding: IncidentRecord = {
  tenantId: 'acme',
  findingId: 'finding-t1',
  testId: 't1',
  resourceId: 'nas://filer/projects',
  outcome: 'FAILED',
  summary: 'restore test FAILED: 1 changed',
  openedAt: new Date(T0).toISOString(),
  status: 'OPEN',
  rootCause: '',
  correctiveAction: '',
};

describe('incidents changed by people', () => {
  it('records each change on the timeline and in the audit log with who made it', async () => {
    const { findings, deps, entries, events } = await world();
    await findings.open(restoreFinding);

    await changeIncident(
      deps,
      'acme',
      'finding-t1',
      { to: 'ACKNOWLEDGED', by: 'ops@provider', at: T0 + 600_000 },
      policy.recurrence,
    );
    const closed = await changeIncident(
      deps,
      'acme',
      'finding-t1',
      {
        to: 'CLOSED',
        rootCause: 'filer firmware',
        correctiveAction: 'firmware 7.2.1',
        by: 'lead@provider',
        at: T0 + DAY,
      },
      policy.recurrence,
    );

    expect(closed).toMatchObject({
      state: 'CLOSED',
      revision: 2,
      acknowledgedAt: new Date(T0 + 600_000).toISOString(),
    });
    expect((await findings.timeline('acme', 'finding-t1')).map((e) => [e.by, e.text])).toEqual([
      ['ops@provider', 'acknowledged'],
      ['lead@provider', 'closed; set root cause, corrective action'],
    ]);
    expect((await entries()).map((e) => [e.type, e.summary.from, e.summary.to, e.summary.updatedBy])).toEqual([
      ['finding-update', 'OPEN', 'ACKNOWLEDGED', 'ops@provider'],
      ['finding-update', 'ACKNOWLEDGED', 'CLOSED', 'lead@provider'],
    ]);
    expect(events.map((e) => e.type)).toEqual(['reversa.incident.acknowledged', 'reversa.finding.resolved']);
  });

  it('leaves the incident, the timeline and the log untouched when a transition is refused', async () => {
    const { findings, deps, entries } = await world();
    await findings.open(restoreFinding);

    const refused = changeIncident(
      deps,
      'acme',
      'finding-t1',
      { to: 'CLOSED', by: 'ops', at: T0 + 1 },
      policy.recurrence,
    );

    await expect(refused).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(/rootCause/),
    });
    expect(await findings.get('acme', 'finding-t1')).toEqual(restoreFinding);
    expect(await findings.timeline('acme', 'finding-t1')).toEqual([]);
    expect(await entries()).toEqual([]);
  });

  it('names the tenant and the listing command for an unknown incident, and refuses an empty change', async () => {
    const { deps, findings } = await world();
    await findings.open(restoreFinding);

    await expect(
      changeIncident(deps, 'acme', 'nope', { to: 'ACKNOWLEDGED', by: 'ops', at: T0 }, policy.recurrence),
    ).rejects.toThrow(/no finding 'nope' for tenant 'acme' \(see reversa incident list --tenant acme\)/);
    await expect(changeIncident(deps, 'acme', 'finding-t1', { by: 'ops', at: T0 }, policy.recurrence)).rejects.toThrow(
      /nothing to change/,
    );
  });

  it('re-reads and re-applies when someone saved the incident in between', async () => {
    const { findings, deps } = await world();
    await findings.open(restoreFinding);
    // Another engineer's edit lands between our read and our save.
    const racing = Object.create(findings) as MemoryFindingStore;
    let raced = false;
    racing.save = async (record, expected) => {
      if (!raced) {
        raced = true;
        const theirs = (await findings.get('acme', 'finding-t1'))!;
        await findings.save({ ...theirs, rootCause: 'theirs', revision: 1 }, 0);
      }
      return findings.save(record, expected);
    };

    const mine = await changeIncident(
      { ...deps, findings: racing },
      'acme',
      'finding-t1',
      { correctiveAction: 'mine', by: 'me', at: T0 + 1 },
      policy.recurrence,
    );

    expect(mine).toMatchObject({ rootCause: 'theirs', correctiveAction: 'mine', revision: 2 });
  });
});

describe('incidents from the verify workflow', () => {
  const run = (runId: string, at: number, newFindings: Finding[], resolved: string[] = []) => ({
    runId,
    at,
    newFindings,
    resolvedFindingIds: resolved,
  });

  it('opens one incident per serious new finding, once however often the step runs', async () => {
    const { findings, deps, entries, events } = await world();

    const first = await syncVerificationIncidents(deps, 'acme', run('r1', T0, [rpoMissed, lowFinding]), policy);
    const again = await syncVerificationIncidents(deps, 'acme', run('r1', T0, [rpoMissed, lowFinding]), policy);

    const id = verificationIncidentId('db:orders#RpoMet');
    expect(first.opened).toEqual([id]);
    expect(again).toEqual({ opened: [], reopened: [], resolved: [] });
    expect(await findings.list('acme')).toHaveLength(1);
    expect(await findings.get('acme', id)).toMatchObject({
      source: 'verification',
      ruleId: 'RpoMet',
      severity: 'critical',
      state: 'OPEN',
    });
    expect(await findings.timeline('acme', id)).toHaveLength(1);
    expect((await entries()).map((e) => e.type)).toEqual(['finding-update']);
    expect(events.map((e) => e.type)).toEqual(['reversa.finding.opened']);
  });

  it('resolves the incident when a run no longer finds the problem, and marks its return within the window recurring', async () => {
    const { findings, deps, events } = await world();
    const id = verificationIncidentId(rpoMissed.findingId);
    await syncVerificationIncidents(deps, 'acme', run('r1', T0, [rpoMissed]), policy);

    const resolved = await syncVerificationIncidents(
      deps,
      'acme',
      run('r2', T0 + DAY, [], [rpoMissed.findingId]),
      policy,
    );
    const back = await syncVerificationIncidents(deps, 'acme', run('r3', T0 + 10 * DAY, [rpoMissed]), policy);

    expect(resolved.resolved).toEqual([id]);
    expect(back.reopened).toEqual([id]);
    expect(await findings.get('acme', id)).toMatchObject({
      state: 'OPEN',
      recurring: true,
      runId: 'r3',
      reopenings: [{ by: 'reversa (verification)', recurring: true }],
    });
    expect(events.map((e) => e.type)).toEqual([
      'reversa.finding.opened',
      'reversa.finding.resolved',
      'reversa.incident.recurring',
    ]);
  });

  it('does not call a return after the window recurring', async () => {
    const { findings, deps } = await world();
    const id = verificationIncidentId(rpoMissed.findingId);
    await syncVerificationIncidents(deps, 'acme', run('r1', T0, [rpoMissed]), policy);
    await syncVerificationIncidents(deps, 'acme', run('r2', T0 + DAY, [], [rpoMissed.findingId]), policy);

    await syncVerificationIncidents(deps, 'acme', run('r3', T0 + 45 * DAY, [rpoMissed]), policy);

    expect(await findings.get('acme', id)).toMatchObject({ state: 'OPEN', recurring: false });
  });

  it('opens nothing when the strategy turns verification incidents off', async () => {
    const { findings, deps } = await world();

    await syncVerificationIncidents(
      deps,
      'acme',
      run('r1', T0, [rpoMissed]),
      incidentPolicyOf({ fromVerification: 'off' }, 'UTC'),
    );

    expect(await findings.list('acme')).toEqual([]);
  });
});

describe('incidents from failed restore tests', () => {
  it('marks a failure of a resource whose last incident was resolved within the window as recurring', async () => {
    const { findings } = await world();
    await findings.open({ ...restoreFinding, state: 'RESOLVED', resolvedAt: new Date(T0 + DAY).toISOString() });
    const next = {
      ...restoreFinding,
      findingId: 'finding-t2',
      testId: 't2',
      openedAt: new Date(T0 + 20 * DAY).toISOString(),
    };
    const elsewhere = { ...next, findingId: 'finding-t3', resourceId: 'other' };

    expect(await restoreIncidentFor({ findings }, next, policy.recurrence)).toMatchObject({
      recurring: true,
      recurrenceOf: 'finding-t1',
      state: 'OPEN',
      severity: 'high',
    });
    expect(await restoreIncidentFor({ findings }, elsewhere, policy.recurrence)).toMatchObject({ recurring: false });
  });
});
