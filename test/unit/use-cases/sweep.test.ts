import { describe, expect, it } from 'vitest';
import type { TenantState, VerifyStarter } from '#core/ports.ts';
import { DEFAULT_STALE_AFTER_MS, dueReason, slotStamp, sweep, sweepExecutionName } from '#core/use-cases/sweep.ts';

const NOW = Date.parse('2026-03-11T02:07:42Z');
const HOUR = 3_600_000;

/** Refuses a name it has already seen, like Step Functions. */
function recordingStarter(): VerifyStarter & {
  runs: { name: string; tenantId: string; at?: string; reason: string }[];
} {
  const names = new Set<string>();
  const runs: { name: string; tenantId: string; at?: string; reason: string }[] = [];
  return {
    runs,
    async start(input, name) {
      if (names.has(name)) return { started: false };
      names.add(name);
      runs.push({ name, ...input });
      return { started: true };
    },
  };
}

function deps(states: Record<string, TenantState | undefined>, now: number, starter: VerifyStarter) {
  return {
    strategies: { listTenants: async () => Object.keys(states) },
    tenants: { get: async (id: string) => states[id] },
    starter,
    clock: { now: () => now },
  };
}

describe('sweep', () => {
  it('starts a verification once the RPO deadline has passed, not before', async () => {
    const deadline = Date.parse('2026-03-11T02:02:30Z');
    const state: TenantState = { tenantId: 'acme', lastVerifiedAt: deadline - 20 * HOUR, nextDeadline: deadline };
    const before = recordingStarter();
    const after = recordingStarter();

    await sweep(deps({ acme: state }, deadline - 1, before));
    const result = await sweep(deps({ acme: state }, deadline, after));

    expect(before.runs).toEqual([]);
    expect(result.started).toEqual([
      { tenantId: 'acme', name: 'verify-acme-20260311T0200', reason: 'deadline-passed' },
    ]);
    expect(after.runs[0]?.at).toBe(new Date(deadline).toISOString());
  });

  it('starts one execution when the schedule delivers the same sweep twice', async () => {
    const starter = recordingStarter();
    const states = { acme: { tenantId: 'acme', dirtySince: NOW - HOUR, lastVerifiedAt: NOW - 2 * HOUR } };

    const first = await sweep(deps(states, NOW, starter));
    const second = await sweep(deps(states, NOW + 60_000, starter));

    expect(starter.runs).toHaveLength(1);
    expect(first.started.map((s) => s.name)).toEqual(['verify-acme-20260311T0205']);
    expect(second.started).toEqual([]);
    expect(second.alreadyStarted.map((s) => s.name)).toEqual(['verify-acme-20260311T0205']);
  });

  it('verifies tenants never verified, with new facts, or not verified for a day, and leaves the others alone', async () => {
    const starter = recordingStarter();
    const states: Record<string, TenantState | undefined> = {
      fresh: undefined,
      dirty: { tenantId: 'dirty', dirtySince: NOW - 60_000, lastVerifiedAt: NOW - HOUR, nextDeadline: NOW + HOUR },
      stale: { tenantId: 'stale', lastVerifiedAt: NOW - DEFAULT_STALE_AFTER_MS, nextDeadline: NOW + HOUR },
      quiet: { tenantId: 'quiet', lastVerifiedAt: NOW - HOUR, nextDeadline: NOW + HOUR },
    };

    const result = await sweep(deps(states, NOW, starter));

    expect(result.started.map((s) => [s.tenantId, s.reason])).toEqual([
      ['fresh', 'never-verified'],
      ['dirty', 'new-facts'],
      ['stale', 'stale'],
    ]);
    expect(result.tenants).toBe(4);
  });

  it('gives priority to a passed deadline over new facts when naming the reason', () => {
    expect(dueReason({ tenantId: 't', dirtySince: NOW - 1, lastVerifiedAt: NOW - HOUR, nextDeadline: NOW }, NOW)).toBe(
      'deadline-passed',
    );
  });

  it('verifies new facts at most once an hour, but a passed deadline at once', async () => {
    const starter = recordingStarter();
    const verifiedAt = NOW - 20 * 60_000;
    const states: Record<string, TenantState | undefined> = {
      recent: { tenantId: 'recent', dirtySince: NOW - 60_000, lastVerifiedAt: verifiedAt, nextDeadline: NOW + HOUR },
      due: { tenantId: 'due', dirtySince: NOW - 60_000, lastVerifiedAt: verifiedAt, nextDeadline: NOW - 1 },
    };

    const now = await sweep(deps(states, NOW, starter));
    const anHourAfter = await sweep(deps(states, verifiedAt + HOUR, starter));
    const everySlot = await sweep(deps(states, NOW, recordingStarter()), { newFactsEveryMs: 0 });

    expect(now.started.map((s) => [s.tenantId, s.reason])).toEqual([['due', 'deadline-passed']]);
    expect(anHourAfter.started.map((s) => [s.tenantId, s.reason])).toEqual([
      ['recent', 'new-facts'],
      ['due', 'deadline-passed'],
    ]);
    expect(everySlot.started.map((s) => s.tenantId)).toEqual(['recent', 'due']);
  });

  it('names executions after the UTC start of the 5-minute slot', () => {
    expect(slotStamp(Date.parse('2026-12-31T23:59:59.999Z'))).toBe('20261231T2355');
    expect(sweepExecutionName('acme', Date.parse('2026-01-02T03:05:00Z'))).toBe('verify-acme-20260102T0305');
    expect(sweepExecutionName('acme', Date.parse('2026-01-02T03:09:59Z'))).toBe('verify-acme-20260102T0305');
  });

  it('keeps execution names within 80 characters and distinct for long tenant ids', () => {
    const a = sweepExecutionName(`${'a'.repeat(62)}b`, NOW);
    const b = sweepExecutionName(`${'a'.repeat(62)}c`, NOW);

    expect(a.length).toBeLessThanOrEqual(80);
    expect(b.length).toBeLessThanOrEqual(80);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^verify-a+-[0-9a-f]{8}-20260311T0205$/);
  });
});
