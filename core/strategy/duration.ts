import { ValidationError } from '../errors.ts';
import type { Duration, DurationUnit } from './policy.ts';
import { DURATION_MESSAGE, DURATION_PATTERN } from './schema.ts';

/** Where a duration came from, so a bad one is reported at its place in the document. */
export interface DurationOrigin {
  file: string;
  path: string;
  line?: number;
  column?: number;
}

/** Longest accepted amount: beyond it calendar arithmetic leaves the range of JavaScript dates. */
const MAX_AMOUNT = 9_999_999;

/**
 * Parses `15m`, `24h`, `35d`, `2w`, `1y`. The unit is kept as written (not converted to milliseconds)
 * because d/w/y are calendar units whose length depends on the tenant timezone (DST days last 23 or 25 h).
 */
export function parseDuration(text: string, origin: DurationOrigin = { file: '<duration>', path: '' }): Duration {
  const match = typeof text === 'string' && text.length <= 8 ? DURATION_PATTERN.exec(text) : null;
  const amount = match ? Number(text.slice(0, -1)) : Number.NaN;
  if (!match || !Number.isSafeInteger(amount) || amount > MAX_AMOUNT) {
    throw new ValidationError('InvalidDuration', [{ ...origin, message: DURATION_MESSAGE }]);
  }
  return { amount, unit: match[1] as DurationUnit, text };
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** Absolute length of an m/h duration in milliseconds; undefined for calendar units (d, w, y). */
export function absoluteMillis(d: Duration): number | undefined {
  if (d.unit === 'm') return d.amount * MINUTE_MS;
  if (d.unit === 'h') return d.amount * HOUR_MS;
  return undefined;
}
