import type { RpoSeries, SlaFacts, SlaIncident, SlaInput } from '#core/sla/types.ts';
import type { ContractSection } from '#core/strategy/contract-schema.ts';

export const HOUR = 3_600_000;
export const MINUTE = 60_000;
export const NOV_FROM = Date.parse('2026-11-01T00:00:00Z');
export const NOV_TO = Date.parse('2026-12-01T00:00:00Z');

export function contract(levels: ContractSection['levels'], extra: Partial<ContractSection> = {}): ContractSection {
  return {
    reference: 'MSA-1',
    start: '2026-01-01',
    currency: 'EUR',
    monthlyFee: 10000,
    measurementPeriod: 'month',
    levels,
    ...extra,
  };
}

/** One observation per tuple: [at, lastGoodAt, deadline]; NaN for "no good backup". */
export function series(resourceId: string, obs: [number, number, number][], runOffset = 0): RpoSeries {
  return {
    resourceId,
    at: obs.map((o) => o[0]),
    lastGoodAt: obs.map((o) => o[1]),
    deadline: obs.map((o) => o[2]),
    run: obs.map((_, i) => i + runOffset),
  };
}

export function facts(partial: Partial<SlaFacts> = {}): SlaFacts {
  return {
    rpo: { runIds: [], resources: [] },
    restoreTests: [],
    scheduledTests: [],
    coverage: [],
    resourceSources: {},
    incidents: [],
    dossier: { versions: [], changes: [] },
    ...partial,
  };
}

export function input(c: ContractSection, f: SlaFacts, overrides: Partial<SlaInput> = {}): SlaInput {
  return {
    tenantId: 'acme',
    contract: c,
    timeZone: 'UTC',
    period: { label: '2026-11', from: NOV_FROM, to: NOV_TO },
    asOf: NOV_TO,
    facts: f,
    ...overrides,
  };
}

/** A resource verified just before the period, always compliant except one miss of `breachMs` at `at`. */
export function oneMiss(resourceId: string, at: number, breachMs: number): RpoSeries {
  const before = NOV_FROM - HOUR;
  // Good backup at `before`, deadline at `at` (1 h RPO stretched); the run at at+breach sees the next good backup.
  return series(resourceId, [
    [before, before, at],
    [at + breachMs, at + breachMs, NOV_TO + 10 * HOUR],
  ]);
}

export function incident(partial: Partial<SlaIncident> & { incidentId: string; openedAt: string }): SlaIncident {
  return {
    tenantId: 'acme',
    source: 'restore-test',
    sourceRef: 'rt-1',
    resourceId: 'db',
    severity: 'critical',
    summary: 'restore test FAILED',
    state: 'OPEN',
    reopenings: [],
    recurring: false,
    auditSeqs: [7],
    ...partial,
  };
}
