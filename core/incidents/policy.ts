/**
 * The strategy's `incidents` section, applied: which verification findings open an incident and the
 * recurrence window, with the defaults a strategy without the section gets.
 */
import { parseDuration } from '../strategy/duration.ts';
import {
  DEFAULT_FROM_VERIFICATION,
  DEFAULT_RECURRENCE_WINDOW,
  type IncidentsSection,
} from '../strategy/incidents-schema.ts';
import { subtractDuration } from '../time.ts';
import type { RecurrenceWindow } from './lifecycle.ts';
import { INCIDENT_SEVERITIES, type IncidentSeverity } from './model.ts';

export interface IncidentPolicy {
  /** Lowest severity of a verification finding that opens an incident; undefined: none does. */
  fromVerification: IncidentSeverity | undefined;
  recurrence: RecurrenceWindow;
  /** As declared, for messages: `30d`. */
  recurrenceWindow: string;
}

export function incidentPolicyOf(section: IncidentsSection | undefined, timeZone: string): IncidentPolicy {
  const windowText = section?.recurrenceWindow ?? DEFAULT_RECURRENCE_WINDOW;
  const window = parseDuration(windowText, { file: '<strategy>', path: 'incidents.recurrenceWindow' });
  const from = section?.fromVerification ?? DEFAULT_FROM_VERIFICATION;
  return {
    fromVerification: from === 'off' ? undefined : from,
    recurrence: { startBefore: (atMs) => subtractDuration(atMs, window, timeZone) },
    recurrenceWindow: windowText,
  };
}

export function opensIncident(policy: IncidentPolicy, severity: IncidentSeverity): boolean {
  return (
    policy.fromVerification !== undefined &&
    INCIDENT_SEVERITIES.indexOf(severity) >= INCIDENT_SEVERITIES.indexOf(policy.fromVerification)
  );
}
