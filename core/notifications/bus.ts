/**
 * Notifications consume what Reversa already puts on its bus (EventBridge in AWS, the events file
 * locally): catalogue events published by the use cases through `busEventSink` (detail-type = the
 * event type, detail = the event), and the workflows' own events, translated here. Nothing is
 * emitted twice: the use cases emit once to the bus, and delivery reads the bus.
 */
import { EVENT_TYPES, type ReversaEvent, type ReversaEventSink } from '../events/catalogue.ts';
import type { EventPublisher } from '../ports.ts';

/** The workflows' bus events that become catalogue events (statemachines/*.asl.json putEvents). */
export const DOSSIER_PUBLISHED_DETAIL_TYPE = 'Reversa Dossier Published';
export const CONSUMED_DETAIL_TYPES: readonly string[] = [...EVENT_TYPES, DOSSIER_PUBLISHED_DETAIL_TYPE];

/** The ReversaEventSink on the bus. */
export function busEventSink(publisher: EventPublisher): ReversaEventSink {
  return { emit: (event) => publisher.publish(event.type, { ...event }) };
}

const KNOWN = new Set<string>(EVENT_TYPES);

/** The catalogue event a bus event stands for, or undefined when notifications do not care about it. */
export function fromBusEvent(detailType: string, detail: Record<string, unknown>): ReversaEvent | undefined {
  if (KNOWN.has(detailType)) {
    const e = detail as Partial<ReversaEvent>;
    if (
      typeof e.id === 'string' &&
      typeof e.tenantId === 'string' &&
      typeof e.time === 'string' &&
      typeof e.summary === 'string' &&
      e.type === detailType
    ) {
      return {
        id: e.id,
        type: e.type,
        tenantId: e.tenantId,
        time: e.time,
        severity: e.severity ?? 'info',
        subject: typeof e.subject === 'string' ? e.subject : e.tenantId,
        summary: e.summary,
        data: typeof e.data === 'object' && e.data !== null ? e.data : {},
      };
    }
    return undefined;
  }
  if (detailType === DOSSIER_PUBLISHED_DETAIL_TYPE) {
    const d = detail as { tenantId?: unknown; version?: unknown; exportId?: unknown; createdAt?: unknown };
    if (typeof d.tenantId !== 'string' || typeof d.version !== 'number' || typeof d.createdAt !== 'string')
      return undefined;
    return {
      // One dossier version is published once: tenant and version name the event.
      id: `${d.tenantId}:dossier:v${d.version}:reversa.dossier.published`,
      type: 'reversa.dossier.published',
      tenantId: d.tenantId,
      time: d.createdAt,
      severity: 'info',
      subject: `dossier v${d.version}`,
      summary: `reversibility dossier v${d.version} published`,
      data: {
        version: d.version,
        ...(typeof d.exportId === 'string' ? { exportId: d.exportId } : {}),
        ...pick(detail, ['zipSha256', 'zipBytes', 'signerFingerprint', 'changeSummary']),
      },
    };
  }
  return undefined;
}

function pick(detail: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => detail[k] !== undefined).map((k) => [k, detail[k]]));
}
