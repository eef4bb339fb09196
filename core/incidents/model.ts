/**
 * An incident: a finding (a failed restore test, a verification finding) with a lifecycle — open,
 * acknowledged, resolved, closed — each transition with its time and who made it. Closing requires
 * a root cause and a corrective action: the contract asks for the origin of an incident to be found
 * so it does not come back, not for the failed part to be swapped. A reopening within the recurrence
 * window marks it recurring ("root cause not fixed"), which the SLA statement lists.
 */

export const INCIDENT_STATES = ['OPEN', 'ACKNOWLEDGED', 'RESOLVED', 'CLOSED'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export const INCIDENT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];

/** Whose side caused it: the SLA excludes incidents caused by the client (contract exclusions). */
export type IncidentCause = 'provider' | 'client' | 'third-party' | 'unknown';

export interface IncidentTransition {
  from: IncidentState | 'NONE';
  to: IncidentState;
  /** ISO-8601. */
  at: string;
  by: string;
  note?: string;
}

export interface Incident {
  tenantId: string;
  incidentId: string;
  /** What opened it. */
  source: 'restore-test' | 'verification';
  /** The restore test or the verification finding (resource#rule) behind it. */
  sourceRef: string;
  resourceId: string;
  severity: IncidentSeverity;
  summary: string;
  state: IncidentState;
  /** ISO-8601 times of the first transition into each state (the SLA measures from these). */
  openedAt: string;
  acknowledgedAt?: string;
  resolvedAt?: string;
  closedAt?: string;
  rootCause?: string;
  correctiveAction?: string;
  cause?: IncidentCause;
  /** Reopenings: each one after a resolution or closure. */
  reopenings: { at: string; by: string; recurring: boolean }[];
  /** True once a reopening fell within the recurrence window. */
  recurring: boolean;
  transitions: IncidentTransition[];
}
