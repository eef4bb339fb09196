/**
 * The `incidents` section of the strategy: which verification findings open an incident, and how
 * long after a resolution a return of the same problem counts as recurring (its root cause was not
 * fixed). Restore tests that fail always open one.
 *
 * Its own file for the reason reversibility-schema.ts gives: schema.ts imports it, so it must not
 * import schema.ts back; the duration syntax is restated.
 */
import * as z from 'zod';
import { INCIDENT_SEVERITIES } from '../incidents/model.ts';

const DURATION_PATTERN = /^[1-9][0-9]*(m|h|d|w|y)$/;
const DURATION_MESSAGE = 'expected a duration like 15m, 24h, 35d, 2w or 1y';

export const DEFAULT_RECURRENCE_WINDOW = '30d';
export const DEFAULT_FROM_VERIFICATION = 'high';
export const FROM_VERIFICATION_LEVELS = ['off', ...INCIDENT_SEVERITIES] as const;

export const incidentsSchema = z
  .strictObject({
    recurrenceWindow: z
      .string({ error: DURATION_MESSAGE })
      .max(8, { error: DURATION_MESSAGE })
      .regex(DURATION_PATTERN, { error: DURATION_MESSAGE })
      .optional()
      .describe(
        `A problem back within this long after its resolution marks the incident recurring ("root cause not fixed"). Default: ${DEFAULT_RECURRENCE_WINDOW}.`,
      ),
    fromVerification: z
      .enum(FROM_VERIFICATION_LEVELS, { error: `expected one of ${FROM_VERIFICATION_LEVELS.join(', ')}` })
      .optional()
      .describe(
        `Verification findings of this severity or worse open an incident (and close it when a later run no longer finds them); off: none do. Default: ${DEFAULT_FROM_VERIFICATION}.`,
      ),
  })
  .optional()
  .describe('Incidents: which verification findings open one, and the recurrence window.');

export type IncidentsSection = NonNullable<z.infer<typeof incidentsSchema>>;
