/**
 * An incident: a finding (a failed restore test, a verification finding) with a lifecycle — open,
 * acknowledged, resolved, closed — each transition with its time and who made it. Closing requires
 * a root cause and a corrective action: the contract asks for the origin of an incident to be found
 * so it does not come back, not for the failed part to be swapped. A reopening within the recurrence
 * window marks it recurring ("root cause not fixed"), which the SLA statement lists.
 *
 * One record per finding in the FindingStore: the lifecycle fields are optional because records
 * written before the lifecycle existed have none (`lifecycleOf` derives them).
 */
import type { RestoreOutcome } from '../restore/evidence.ts';

export const INCIDENT_STATES = ['OPEN', 'ACKNOWLEDGED', 'RESOLVED', 'CLOSED'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export const INCIDENT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];

/** Whose side caused it: the SLA excludes incidents caused by the client (contract exclusions). */
export const INCIDENT_CAUSES = ['provider', 'client', 'third-party', 'unknown'] as const;
export type IncidentCause = (typeof INCIDENT_CAUSES)[number];

export type FindingStatus = 'OPEN' | 'CLOSED';
export type IncidentSource = 'restore-test' | 'verification';

export interface Reopening {
  /** ISO-8601. */
  at: string;
  by: string;
  /** Within the recurrence window of the resolution before it. */
  recurring: boolean;
}

/** The lifecycle fields of a finding record. */
export interface IncidentFields {
  state: IncidentState;
  severity: IncidentSeverity;
  /** ISO-8601 times of the first transition into each state since the last (re)opening. */
  acknowledgedAt?: string;
  resolvedAt?: string;
  cause?: IncidentCause;
  reopenings: Reopening[];
  /** True once a reopening fell within the recurrence window, or the finding repeats a resolved one. */
  recurring: boolean;
  /** The earlier, resolved finding this one repeats (a restore test failing again on the same resource). */
  recurrenceOf?: string;
  /** Optimistic concurrency: the store replaces a record only at the revision it was read at. */
  revision: number;
}

interface FindingCommon extends Partial<IncidentFields> {
  tenantId: string;
  findingId: string;
  resourceId: string;
  summary: string;
  /** ISO-8601. */
  openedAt: string;
  /** OPEN until closed: what readers older than the lifecycle look at. */
  status: FindingStatus;
  rootCause?: string;
  correctiveAction?: string;
  closedAt?: string;
  updatedBy?: string;
  updatedAt?: string;
}

/** A failed restore test opens one; the provider fills in root cause and corrective action. */
export interface RestoreFinding extends FindingCommon {
  source?: 'restore-test';
  testId: string;
  outcome: RestoreOutcome;
}

/** A verification finding at or above the strategy's `incidents.fromVerification` severity opens one. */
export interface VerificationIncident extends FindingCommon {
  source: 'verification';
  /** `${resourceId}#${ruleId}` in the reports. */
  verificationFindingId: string;
  ruleId: string;
  /** The verification run that (re)opened it. */
  runId: string;
}

export type IncidentRecord = RestoreFinding | VerificationIncident;

/** The SLA's view of one incident: when it opened, was acknowledged, resolved, closed, and why. */
export interface Incident {
  tenantId: string;
  incidentId: string;
  source: IncidentSource;
  /** The restore test or the verification finding (resource#rule) behind it. */
  sourceRef: string;
  resourceId: string;
  severity: IncidentSeverity;
  summary: string;
  state: IncidentState;
  openedAt: string;
  acknowledgedAt?: string;
  resolvedAt?: string;
  closedAt?: string;
  rootCause?: string;
  correctiveAction?: string;
  cause?: IncidentCause;
  reopenings: Reopening[];
  recurring: boolean;
  recurrenceOf?: string;
}
