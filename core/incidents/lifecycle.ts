/**
 * The incident lifecycle, pure: the next record of a finding for one transition, or a refusal that
 * says why. Allowed moves: OPEN → ACKNOWLEDGED → RESOLVED → CLOSED (skipping forward is allowed:
 * a provider may resolve without acknowledging first, which then counts as acknowledged at that
 * time), and RESOLVED or CLOSED → OPEN (a reopening; within the recurrence window it marks the
 * incident recurring: its root cause was not fixed). Closing needs a root cause and a corrective
 * action. The record keeps `status` (OPEN/CLOSED) in step for what reads findings as before.
 */
import { ConflictError, ValidationError } from '../errors.ts';
import type { Incident, IncidentCause, IncidentFields, IncidentRecord, IncidentState } from './model.ts';

/** When a recurrence window that ends at a given time began: calendar arithmetic in the tenant's timezone. */
export interface RecurrenceWindow {
  startBefore(atMs: number): number;
}

/** 30 days of 24 h, for callers without a strategy at hand. */
export const DEFAULT_RECURRENCE_WINDOW: RecurrenceWindow = { startBefore: (atMs) => atMs - 30 * 86_400_000 };

export interface TransitionRequest {
  to: IncidentState;
  /** ISO-8601. */
  at: string;
  by: string;
  note?: string;
  rootCause?: string;
  correctiveAction?: string;
  cause?: IncidentCause;
}

/** The lifecycle view of any finding record, old or new. */
export function lifecycleOf(f: IncidentRecord): IncidentFields {
  return {
    state: f.state ?? (f.status === 'CLOSED' ? 'CLOSED' : 'OPEN'),
    severity: f.severity ?? (f.source !== 'verification' && f.outcome === 'FAILED' ? 'high' : 'medium'),
    ...(f.acknowledgedAt === undefined ? {} : { acknowledgedAt: f.acknowledgedAt }),
    ...(f.resolvedAt === undefined ? {} : { resolvedAt: f.resolvedAt }),
    ...(f.cause === undefined ? {} : { cause: f.cause }),
    reopenings: f.reopenings ?? [],
    recurring: f.recurring ?? false,
    ...(f.recurrenceOf === undefined ? {} : { recurrenceOf: f.recurrenceOf }),
    revision: f.revision ?? 0,
  };
}

/** The SLA's read model of a stored finding. */
export function incidentOf(f: IncidentRecord): Incident {
  const life = lifecycleOf(f);
  const optional = <K extends keyof Incident>(key: K, value: Incident[K] | undefined) =>
    value === undefined || value === '' ? {} : { [key]: value };
  return {
    tenantId: f.tenantId,
    incidentId: f.findingId,
    source: f.source ?? 'restore-test',
    sourceRef: f.source === 'verification' ? f.verificationFindingId : f.testId,
    resourceId: f.resourceId,
    severity: life.severity,
    summary: f.summary,
    state: life.state,
    openedAt: f.openedAt,
    ...optional('acknowledgedAt', life.acknowledgedAt),
    ...optional('resolvedAt', life.resolvedAt),
    ...optional('closedAt', f.closedAt),
    ...optional('rootCause', f.rootCause),
    ...optional('correctiveAction', f.correctiveAction),
    ...optional('cause', life.cause),
    reopenings: life.reopenings,
    recurring: life.recurring,
    ...optional('recurrenceOf', life.recurrenceOf),
  };
}

const ORDER: Record<IncidentState, number> = { OPEN: 0, ACKNOWLEDGED: 1, RESOLVED: 2, CLOSED: 3 };

function refuse(from: IncidentState, to: IncidentState, why: string): ConflictError {
  return new ConflictError('IncidentTransitionRefused', `cannot go from ${from} to ${to}: ${why}`);
}

export interface TransitionResult {
  next: IncidentRecord;
  /** One line for the finding's timeline and the audit log. */
  change: string;
  /** A reopening inside the window: the root cause was not fixed. */
  recurring: boolean;
}

export function transition(
  current: IncidentRecord,
  request: TransitionRequest,
  window: RecurrenceWindow = DEFAULT_RECURRENCE_WINDOW,
): TransitionResult {
  const life = lifecycleOf(current);
  const { to, at, by } = request;
  if (!Number.isFinite(Date.parse(at))) {
    throw new ValidationError('BadTransition', [
      { file: '<request>', path: 'at', message: 'expected an ISO-8601 time' },
    ]);
  }
  const rootCause = request.rootCause ?? current.rootCause;
  const correctiveAction = request.correctiveAction ?? current.correctiveAction;
  const base: IncidentRecord = {
    ...current,
    ...life,
    ...(request.rootCause === undefined ? {} : { rootCause: request.rootCause }),
    ...(request.correctiveAction === undefined ? {} : { correctiveAction: request.correctiveAction }),
    ...(request.cause === undefined ? {} : { cause: request.cause }),
    updatedBy: by,
    updatedAt: at,
    revision: life.revision + 1,
  };
  if (to === life.state) throw refuse(life.state, to, 'it is there already');
  if (to === 'OPEN') {
    if (life.state !== 'RESOLVED' && life.state !== 'CLOSED')
      throw refuse(life.state, to, 'only a resolved or closed incident reopens');
    const since = Date.parse(life.resolvedAt ?? current.closedAt ?? at);
    const recurring = since >= window.startBefore(Date.parse(at));
    const { resolvedAt: _r, acknowledgedAt: _a, closedAt: _c, ...rest } = base;
    return {
      next: {
        ...rest,
        state: 'OPEN',
        status: 'OPEN',
        reopenings: [...life.reopenings, { at, by, recurring }],
        recurring: life.recurring || recurring,
      },
      change: `reopened${recurring ? ' (recurring: within the recurrence window)' : ''}${request.note ? `: ${request.note}` : ''}`,
      recurring,
    };
  }
  if (ORDER[to] < ORDER[life.state]) throw refuse(life.state, to, 'incidents move forward, or reopen');
  if (to === 'CLOSED' && (!rootCause || !correctiveAction)) {
    throw new ValidationError('CloseNeedsRootCause', [
      {
        file: '<request>',
        path: !rootCause ? 'rootCause' : 'correctiveAction',
        message: 'closing an incident needs its root cause and the corrective action that keeps it from coming back',
      },
    ]);
  }
  const next: IncidentRecord = { ...base, state: to, status: to === 'CLOSED' ? 'CLOSED' : 'OPEN' };
  // Skipping a state forward stamps it too: the SLA measures acknowledgement from the first response.
  if (ORDER[to] >= ORDER.ACKNOWLEDGED && next.acknowledgedAt === undefined) next.acknowledgedAt = at;
  if (ORDER[to] >= ORDER.RESOLVED && next.resolvedAt === undefined) next.resolvedAt = at;
  if (to === 'CLOSED') next.closedAt = at;
  const what = { ACKNOWLEDGED: 'acknowledged', RESOLVED: 'resolved', CLOSED: 'closed', OPEN: 'opened' }[to];
  return { next, change: `${what}${request.note ? `: ${request.note}` : ''}`, recurring: false };
}
