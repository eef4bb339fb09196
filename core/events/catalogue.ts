/**
 * The events Reversa emits, by type: what notifications (webhooks, e-mail, Slack) subscribe to and
 * what leaves the system as CloudEvents 1.0 (`source: reversa`, `type` below, `id` deterministic per
 * logical event so a duplicate delivery is recognisable). Inside AWS they are EventBridge events on
 * the Reversa bus with the same type as detail-type.
 */

export const EVENT_TYPES = [
  'reversa.backup.deadline-missed',
  'reversa.anomaly.detected',
  'reversa.finding.opened',
  'reversa.finding.resolved',
  'reversa.incident.acknowledged',
  'reversa.incident.recurring',
  'reversa.restore-test.failed',
  'reversa.sla.level-breached',
  'reversa.sla.statement-issued',
  'reversa.dossier.published',
  'reversa.dossier.stale',
  'reversa.test',
] as const;
export type ReversaEventType = (typeof EVENT_TYPES)[number];

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type EventSeverity = (typeof SEVERITIES)[number];

/** One notable event of one tenant. `id` is stable for the logical event (retries emit the same id). */
export interface ReversaEvent {
  id: string;
  type: ReversaEventType;
  tenantId: string;
  /** ISO-8601. */
  time: string;
  severity: EventSeverity;
  /** What it is about: a resource id, a test id, a finding id, a dossier version… */
  subject: string;
  /** One line for humans (e-mail subject, Slack text). Never a secret. */
  summary: string;
  /** Small, JSON, no secrets: keys and ids to fetch the rest with. */
  data: Record<string, unknown>;
}

export function severityAtLeast(actual: EventSeverity, minimum: EventSeverity): boolean {
  return SEVERITIES.indexOf(actual) >= SEVERITIES.indexOf(minimum);
}

/** Where use cases hand their events (the notification outbox; EventBridge in AWS). */
export interface ReversaEventSink {
  emit(event: ReversaEvent): Promise<void>;
}
