/**
 * What the SLA statement is computed from (the facts Reversa holds, already read from the stores)
 * and what it says. The computation (statement.ts) is pure: the same facts, contract and period
 * give the same statement, byte for byte; money is in integer minor units.
 */
import type { Incident } from '../incidents/model.ts';
import type { RestoreOutcome } from '../restore/evidence.ts';
import type { ContractSection, SlaLevelId } from '../strategy/contract-schema.ts';

/**
 * One resource's RPO as each verification run saw it, oldest first, columnar (a month of 5-minute
 * runs over 1,000 resources is 8.6 M observations). `lastGoodAt` / `deadline` are NaN when the run
 * found no good backup; `run` indexes `RpoHistory.runIds`. The history starts with the last run
 * before the period, when there is one.
 */
export interface RpoSeries {
  resourceId: string;
  at: ArrayLike<number>;
  lastGoodAt: ArrayLike<number>;
  deadline: ArrayLike<number>;
  run: ArrayLike<number>;
}

export interface RpoHistory {
  runIds: readonly string[];
  resources: readonly RpoSeries[];
}

export interface SlaRestoreTest {
  testId: string;
  resourceId: string;
  policyName: string;
  /** Epoch ms. */
  scheduledAt: number;
  startedAt: number;
  outcome: RestoreOutcome;
  rtoMs?: number;
  /** The audit-log entry that recorded it. */
  auditSeq?: number;
  /** The incident (finding) a test that did not pass opened. */
  findingId?: string;
}

/** A scheduled restore test the strategy's policies asked for (whether it ran or not). */
export interface ScheduledTest {
  testId: string;
  resourceId: string;
  policyName: string;
  scheduledAt: number;
}

export interface SlaIncident extends Incident {
  /** Audit-log entries of its transitions (finding-update), ascending. */
  auditSeqs: number[];
}

export interface DossierVersionFact {
  version: number;
  /** Epoch ms the version was published. */
  createdAt: number;
  /** When the export was asked for (epoch ms); the publication time when unknown. */
  requestedAt: number;
  auditSeq?: number;
}

/** An audit entry that changed an input of the dossier (strategy version, restore evidence). */
export interface DossierChange {
  at: number;
  seq: number;
  type: string;
}

export interface SlaFacts {
  rpo: RpoHistory;
  restoreTests: readonly SlaRestoreTest[];
  /** The slots of the period the restore-test policies scheduled. */
  scheduledTests: readonly ScheduledTest[];
  /** (policy, resource) pairs the coverage level judges. */
  coverage: readonly { policyName: string; resourceId: string; source?: string }[];
  /** Sources of declared resources (RTO classes by source). */
  resourceSources: Readonly<Record<string, string>>;
  incidents: readonly SlaIncident[];
  dossier: { versions: readonly DossierVersionFact[]; changes: readonly DossierChange[] };
}

export interface SlaInput {
  tenantId: string;
  contract: ContractSection;
  timeZone: string;
  /** The period (`2026-11`, `2026-Q4`) and its bounds, end exclusive. */
  period: { label: string; from: number; to: number };
  /** Facts up to this instant count (the period's end for a statement, now for the standing so far). */
  asOf: number;
  facts: SlaFacts;
}

export interface Evidence {
  reportIds: string[];
  restoreTestIds: string[];
  findingIds: string[];
  auditSeqs: number[];
}

export interface Breach {
  level: SlaLevelId;
  /** The resource, incident, test or dossier version it is about. */
  subject: string;
  summary: string;
  /** ISO-8601, for breaches that span time. */
  from?: string;
  to?: string;
  /** How far beyond the limit (ms), for time limits. */
  overrunMs?: number;
  evidence: Evidence;
}

export interface PenaltyPart {
  kind: 'perBreach' | 'perStartedHour' | 'perStartedDay' | 'tier';
  /** Minor units. */
  amount: number;
  formula: string;
}

export interface LevelResult {
  id: SlaLevelId;
  title: string;
  /** What is measured, in one line. */
  measures: string;
  /** Percent. */
  target: number;
  /** Percent, 3 decimals; 100 when nothing was measured. */
  achieved: number;
  met: boolean;
  /** Good and total in `unit` (resource-hours with 3 decimals, or counts). */
  measured: { unit: string; good: number; total: number; excluded: number };
  /** Every breach counts; at most MAX_LISTED_BREACHES are listed. */
  breachCount: number;
  breaches: Breach[];
  /** Minor units, before the cap. */
  penalty: number;
  penaltyParts: PenaltyPart[];
  /** Cumulative achieved percent at the end of each local day of the period (for the charts). */
  series: { day: string; achieved: number }[];
}

export interface Recurrence {
  incidentId: string;
  resourceId: string;
  summary: string;
  recurrenceOf?: string;
  reopenings: { at: string; recurring: boolean }[];
}

export interface SlaStatement {
  statementVersion: 1;
  tenantId: string;
  contract: { reference: string; currency: string; measurementPeriod: string };
  period: { label: string; from: string; to: string; timeZone: string };
  /** ISO: facts up to here were counted. Equal to period.to for a closed period. */
  measuredTo: string;
  /** The period's share of the contract fee (a quarter counts three months), minor units. */
  fee: number;
  levels: LevelResult[];
  /** Sum of the levels' penalties, before the cap. */
  subtotal: number;
  cap: { amount: number; formula: string; applied: boolean } | null;
  /** What is owed, minor units: min(subtotal, cap). */
  total: number;
  /** The whole computation in words, one line per step. */
  formula: string[];
  recurrences: Recurrence[];
  exclusions: { reason: string; cause: string; what: string }[];
  breached: boolean;
}

/** A level reduced to what a reader scans first (core/sla/summary.ts builds it). */
export interface LevelSummary {
  id: string;
  title: string;
  target: number;
  achieved: number;
  met: boolean;
  breaches: number;
  /** Minor units of the contract's currency. */
  penalty: number;
}

/** The standing so far in a few numbers: what `status` and the verification report show. */
export interface SlaSoFar {
  period: string;
  measuredTo: string;
  contract: string;
  currency: string;
  levels: LevelSummary[];
  /** Minor units, after the cap. */
  total: number;
  capApplied: boolean;
}
