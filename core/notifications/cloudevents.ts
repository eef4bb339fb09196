/**
 * A Reversa event as it leaves the system: a CloudEvents 1.0 event in the structured JSON format
 * (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/formats/json-format.md). The `id` is
 * the Reversa event id, deterministic per logical event, so a re-delivered or re-emitted event has
 * the same id (source + id identify it, as the spec says). Extension attribute names must be
 * lower-case letters and digits: `tenant`, `severity`.
 */
import type { ReversaEvent } from '../events/catalogue.ts';

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  tenant: string;
  severity: string;
  data: { summary: string } & Record<string, unknown>;
}

/** `source` names the tenant, so an endpoint shared by tenants can tell them apart. */
export const eventSource = (tenantId: string) => `urn:reversa:tenant:${tenantId}`;

export function toCloudEvent(event: ReversaEvent): CloudEvent {
  return {
    specversion: '1.0',
    id: event.id,
    source: eventSource(event.tenantId),
    type: event.type,
    subject: event.subject,
    time: event.time,
    datacontenttype: 'application/json',
    tenant: event.tenantId,
    severity: event.severity,
    data: { ...event.data, summary: event.summary },
  };
}
