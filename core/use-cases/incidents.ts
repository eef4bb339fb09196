/**
 * Incidents as people and workflows change them. A person acknowledges, resolves, closes (with root
 * cause and corrective action) or reopens one (`reversa incident …`, the portal); the verify workflow
 * opens one for each serious new verification finding and resolves it when a later run no longer
 * finds the problem; a failed restore test opens one and is marked recurring when it repeats a
 * recently resolved failure of the same resource. Every change lands on the finding's timeline and
 * in the tenant's audit log, and the notable ones are emitted as events.
 */

import { sha256Hex } from '../audit/hash.ts';
import type { AuditDeps } from '../audit/ports.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { EventSeverity, ReversaEvent, ReversaEventSink, ReversaEventType } from '../events/catalogue.ts';
import { lifecycleOf, type RecurrenceWindow, type TransitionRequest, transition } from '../incidents/lifecycle.ts';
import type {
  IncidentCause,
  IncidentRecord,
  IncidentSeverity,
  IncidentState,
  VerificationIncident,
} from '../incidents/model.ts';
import { type IncidentPolicy, incidentPolicyOf, opensIncident } from '../incidents/policy.ts';
import type { StrategyStore } from '../ports.ts';
import type { FindingStore, RestoreFinding } from '../restore/ports.ts';
import { parseStoredStrategy } from '../strategy/stored.ts';
import type { Finding } from '../verify/report-types.ts';
import { recordInAuditLog } from './audit-trail.ts';

export interface IncidentDeps {
  findings: Pick<FindingStore, 'get' | 'save' | 'open' | 'list' | 'addTimelineEntry'>;
  audit: AuditDeps;
  /** Where notable changes go (notifications); none: nobody is told. */
  events?: ReversaEventSink;
}

/** What a person asks for: a transition, new field values, or both. */
export interface IncidentChange {
  to?: IncidentState | undefined;
  rootCause?: string | undefined;
  correctiveAction?: string | undefined;
  cause?: IncidentCause | undefined;
  severity?: IncidentSeverity | undefined;
  note?: string | undefined;
  /** The authenticated principal. */
  by: string;
  /** Epoch ms. */
  at: number;
}

export const MAX_INCIDENT_TEXT = 4000;

/** The incident policy of the tenant's current strategy (defaults before the first apply). */
export async function currentIncidentPolicy(
  strategies: Pick<StrategyStore, 'getCurrent'>,
  tenantId: string,
): Promise<IncidentPolicy> {
  const stored = await strategies.getCurrent(tenantId);
  if (!stored) return incidentPolicyOf(undefined, 'UTC');
  const { document } = parseStoredStrategy(stored);
  return incidentPolicyOf(document.incidents, document.timezone);
}
/** Two people saving one incident at once: the loser re-reads and re-applies, a few times at most. */
const MAX_SAVE_ATTEMPTS = 3;

export async function changeIncident(
  deps: IncidentDeps,
  tenantId: string,
  findingId: string,
  change: IncidentChange,
  window: RecurrenceWindow,
): Promise<IncidentRecord> {
  checkChange(change);
  for (let attempt = 1; ; attempt++) {
    const current = await deps.findings.get(tenantId, findingId);
    if (!current) {
      throw new NotFoundError(
        'FindingNotFound',
        `no finding '${findingId}' for tenant '${tenantId}' (see reversa incident list --tenant ${tenantId})`,
      );
    }
    const { next, line, recurring } = apply(current, change, window);
    try {
      await deps.findings.save(next, lifecycleOf(current).revision);
    } catch (error) {
      if (error instanceof ConflictError && error.code === 'IncidentChanged' && attempt < MAX_SAVE_ATTEMPTS) continue;
      throw error;
    }
    const at = new Date(change.at).toISOString();
    await deps.findings.addTimelineEntry(tenantId, findingId, { at, by: change.by, kind: 'change', text: line });
    const from = lifecycleOf(current).state;
    const to = lifecycleOf(next).state;
    await recordInAuditLog(deps.audit, tenantId, {
      type: 'finding-update',
      record: { findingId, from, to, change: fieldsOf(change), revision: next.revision, by: change.by, at },
      summary: { findingId, from, to, change: line.slice(0, 500), updatedBy: change.by },
      time: change.at,
    });
    await emitTransition(deps, next, from, to, recurring, at);
    return next;
  }
}

function checkChange(change: IncidentChange): void {
  const texts = { rootCause: change.rootCause, correctiveAction: change.correctiveAction, note: change.note };
  for (const [path, value] of Object.entries(texts)) {
    if (value !== undefined && (value.trim() === '' || value.length > MAX_INCIDENT_TEXT)) {
      throw new ValidationError('BadIncidentChange', [
        { file: '<request>', path, message: `expected a non-empty text of at most ${MAX_INCIDENT_TEXT} characters` },
      ]);
    }
  }
  const edits = [change.to, change.rootCause, change.correctiveAction, change.cause, change.severity, change.note];
  if (edits.every((v) => v === undefined)) {
    throw new ValidationError('BadIncidentChange', [
      {
        file: '<request>',
        path: '',
        message:
          'nothing to change: give a transition, a root cause, a corrective action, a cause, a severity or a note',
      },
    ]);
  }
}

function fieldsOf(change: IncidentChange) {
  const { by: _by, at: _at, ...fields } = change;
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

function apply(
  current: IncidentRecord,
  change: IncidentChange,
  window: RecurrenceWindow,
): { next: IncidentRecord; line: string; recurring: boolean } {
  const at = new Date(change.at).toISOString();
  const edits: string[] = [];
  if (change.rootCause !== undefined) edits.push('root cause');
  if (change.correctiveAction !== undefined) edits.push('corrective action');
  if (change.cause !== undefined) edits.push(`cause: ${change.cause}`);
  if (change.severity !== undefined) edits.push(`severity: ${change.severity}`);
  const withSeverity = (r: IncidentRecord): IncidentRecord =>
    change.severity === undefined ? r : { ...r, severity: change.severity };
  if (change.to !== undefined) {
    const request: TransitionRequest = {
      to: change.to,
      at,
      by: change.by,
      ...(change.note === undefined ? {} : { note: change.note }),
      ...(change.rootCause === undefined ? {} : { rootCause: change.rootCause }),
      ...(change.correctiveAction === undefined ? {} : { correctiveAction: change.correctiveAction }),
      ...(change.cause === undefined ? {} : { cause: change.cause }),
    };
    const result = transition(current, request, window);
    const line = edits.length === 0 ? result.change : `${result.change}; set ${edits.join(', ')}`;
    return { next: withSeverity(result.next), line, recurring: result.recurring };
  }
  const life = lifecycleOf(current);
  const next = withSeverity({
    ...current,
    ...life,
    ...(change.rootCause === undefined ? {} : { rootCause: change.rootCause }),
    ...(change.correctiveAction === undefined ? {} : { correctiveAction: change.correctiveAction }),
    ...(change.cause === undefined ? {} : { cause: change.cause }),
    updatedBy: change.by,
    updatedAt: at,
    revision: life.revision + 1,
  } as IncidentRecord);
  const parts = [
    ...(edits.length > 0 ? [`set ${edits.join(', ')}`] : []),
    ...(change.note ? [`note: ${change.note}`] : []),
  ];
  return { next, line: parts.join('; '), recurring: false };
}

async function emitTransition(
  deps: IncidentDeps,
  record: IncidentRecord,
  from: IncidentState,
  to: IncidentState,
  recurring: boolean,
  at: string,
): Promise<void> {
  if (!deps.events) return;
  const types: ReversaEventType[] = [];
  if (to === 'ACKNOWLEDGED') types.push('reversa.incident.acknowledged');
  if ((to === 'RESOLVED' || to === 'CLOSED') && (from === 'OPEN' || from === 'ACKNOWLEDGED')) {
    types.push('reversa.finding.resolved');
  }
  if (to === 'OPEN' && recurring) types.push('reversa.incident.recurring');
  for (const type of types) await deps.events.emit(incidentEvent(type, record, at));
}

function incidentEvent(type: ReversaEventType, record: IncidentRecord, at: string): ReversaEvent {
  const life = lifecycleOf(record);
  return {
    // One event per change of one incident: the revision names it, so a re-emitted one is recognisable.
    id: `${record.tenantId}:${record.findingId}:r${life.revision}:${type}`,
    type,
    tenantId: record.tenantId,
    time: at,
    severity: life.severity as EventSeverity,
    subject: record.findingId,
    summary: `${record.resourceId}: ${record.summary}`.slice(0, 300),
    data: {
      findingId: record.findingId,
      resourceId: record.resourceId,
      state: life.state,
      source: record.source ?? 'restore-test',
    },
  };
}

// ---- the verify workflow ----------------------------------------------------------------------

/** `vf-` and 20 hex of the report's `resource#rule`: the same problem keeps its incident run to run. */
export const verificationIncidentId = (verificationFindingId: string): string =>
  `vf-${sha256Hex(verificationFindingId).slice(0, 20)}`;

export const SYSTEM_ACTOR = 'reversa (verification)';

export interface VerificationIncidentChanges {
  opened: string[];
  reopened: string[];
  resolved: string[];
}

/**
 * After a verification run: a new finding at or above the policy's severity opens its incident (or
 * reopens it, recurring when within the window); a finding the run no longer has resolves it. Safe to
 * run again for the same run: each change depends on the incident's state, and timeline entries are
 * keyed by the run.
 */
export async function syncVerificationIncidents(
  deps: IncidentDeps,
  tenantId: string,
  run: { runId: string; at: number; newFindings: readonly Finding[]; resolvedFindingIds: readonly string[] },
  policy: IncidentPolicy,
): Promise<VerificationIncidentChanges> {
  const changes: VerificationIncidentChanges = { opened: [], reopened: [], resolved: [] };
  const at = new Date(run.at).toISOString();
  const timelineKey = { key: `run-${run.runId}` };
  for (const finding of run.newFindings) {
    if (!opensIncident(policy, finding.severity)) continue;
    const findingId = verificationIncidentId(finding.findingId);
    const fresh: VerificationIncident = {
      tenantId,
      findingId,
      source: 'verification',
      verificationFindingId: finding.findingId,
      ruleId: finding.ruleId,
      runId: run.runId,
      resourceId: finding.resourceId,
      summary: finding.summary,
      openedAt: at,
      status: 'OPEN',
      state: 'OPEN',
      severity: finding.severity,
      reopenings: [],
      recurring: false,
      revision: 0,
    };
    if (await deps.findings.open(fresh)) {
      changes.opened.push(findingId);
      await deps.findings.addTimelineEntry(
        tenantId,
        findingId,
        { at, by: SYSTEM_ACTOR, kind: 'change', text: `opened by verification run ${run.runId}: ${finding.summary}` },
        timelineKey,
      );
      await emit(deps, 'reversa.finding.opened', fresh, at);
      continue;
    }
    const reopened = await systemMove(deps, tenantId, findingId, ['RESOLVED', 'CLOSED'], {
      to: 'OPEN',
      note: `found again by verification run ${run.runId}`,
      at,
      window: policy.recurrence,
      timelineKey,
      patch: { summary: finding.summary, runId: run.runId },
    });
    if (reopened) changes.reopened.push(findingId);
  }
  for (const verificationFindingId of run.resolvedFindingIds) {
    const findingId = verificationIncidentId(verificationFindingId);
    const resolved = await systemMove(deps, tenantId, findingId, ['OPEN', 'ACKNOWLEDGED'], {
      to: 'RESOLVED',
      note: `no longer found by verification run ${run.runId}`,
      at,
      window: policy.recurrence,
      timelineKey,
    });
    if (resolved) changes.resolved.push(findingId);
  }
  if (changes.opened.length + changes.reopened.length + changes.resolved.length > 0) {
    await recordInAuditLog(
      deps.audit,
      tenantId,
      {
        type: 'finding-update',
        record: { runId: run.runId, ...changes, by: SYSTEM_ACTOR, at },
        summary: {
          runId: run.runId,
          opened: changes.opened.length,
          reopened: changes.reopened.length,
          resolved: changes.resolved.length,
          updatedBy: SYSTEM_ACTOR,
        },
        time: run.at,
      },
      { once: `incidents:${run.runId}` },
    );
  }
  return changes;
}

/**
 * The workflow moves an incident that is in one of `from` (else leaves it): saved at the revision read,
 * on the timeline under the run's key, told as an event. False when there was nothing to do.
 */
async function systemMove(
  deps: IncidentDeps,
  tenantId: string,
  findingId: string,
  from: readonly IncidentState[],
  move: {
    to: IncidentState;
    note: string;
    at: string;
    window: RecurrenceWindow;
    timelineKey: { key: string };
    patch?: Partial<VerificationIncident>;
  },
): Promise<boolean> {
  const existing = await deps.findings.get(tenantId, findingId);
  if (!existing || !from.includes(lifecycleOf(existing).state)) return false;
  const result = transition(existing, { to: move.to, at: move.at, by: SYSTEM_ACTOR, note: move.note }, move.window);
  const next = { ...result.next, ...move.patch } as IncidentRecord;
  if (!(await saveIfUnchanged(deps, next, existing))) return false;
  const entry = { at: move.at, by: SYSTEM_ACTOR, kind: 'change' as const, text: result.change };
  await deps.findings.addTimelineEntry(tenantId, findingId, entry, move.timelineKey);
  const type: ReversaEventType =
    move.to === 'OPEN'
      ? result.recurring
        ? 'reversa.incident.recurring'
        : 'reversa.finding.opened'
      : 'reversa.finding.resolved';
  await emit(deps, type, next, move.at);
  return true;
}

/** A person changed it since we read it: theirs wins, the workflow leaves it (the next run sees it again). */
async function saveIfUnchanged(deps: IncidentDeps, next: IncidentRecord, read: IncidentRecord): Promise<boolean> {
  try {
    await deps.findings.save(next, lifecycleOf(read).revision);
    return true;
  } catch (error) {
    if (error instanceof ConflictError && error.code === 'IncidentChanged') return false;
    throw error;
  }
}

async function emit(deps: IncidentDeps, type: ReversaEventType, record: IncidentRecord, at: string): Promise<void> {
  if (deps.events) await deps.events.emit(incidentEvent(type, record, at));
}

// ---- the restore-test workflow ----------------------------------------------------------------

/**
 * The finding of a failed restore test, marked recurring when the same resource's latest earlier
 * restore-test incident was resolved within the window: the fix did not hold.
 */
export async function restoreIncidentFor(
  deps: Pick<IncidentDeps, 'findings'>,
  finding: RestoreFinding,
  window: RecurrenceWindow,
): Promise<RestoreFinding> {
  const earlier = (await deps.findings.list(finding.tenantId, { source: 'restore-test' })).find(
    (f) => f.resourceId === finding.resourceId && f.findingId !== finding.findingId && f.openedAt <= finding.openedAt,
  );
  const base: RestoreFinding = {
    ...finding,
    state: 'OPEN',
    severity: lifecycleOf(finding).severity,
    reopenings: [],
    recurring: false,
    revision: 0,
  };
  if (!earlier) return base;
  const life = lifecycleOf(earlier);
  const resolvedAt = life.resolvedAt ?? earlier.closedAt;
  const fixedRecently =
    (life.state === 'RESOLVED' || life.state === 'CLOSED') &&
    resolvedAt !== undefined &&
    Date.parse(resolvedAt) >= window.startBefore(Date.parse(finding.openedAt));
  return fixedRecently ? { ...base, recurring: true, recurrenceOf: earlier.findingId } : base;
}
