/**
 * Reporting periods as auditors name them: a calendar year (`2026`), a quarter (`2026-Q3`) or a
 * month (`2026-09`). Boundaries are midnight in the tenant's time zone — a Paris auditor's "Q3"
 * starts at 2026-07-01T00:00 Paris time, which is 2026-06-30T22:00Z — and the end is exclusive,
 * so consecutive periods tile time with neither gap nor overlap.
 */
import { ValidationError } from '../errors.ts';
import { wallClockToEpoch } from '../time.ts';

export type PeriodKind = 'year' | 'quarter' | 'month';

export interface ReportPeriod {
  /** The canonical text: `2026`, `2026-Q3`, `2026-09`. */
  label: string;
  /** First instant of the period (epoch ms), inclusive. */
  from: number;
  /** First instant after the period (epoch ms), exclusive. */
  to: number;
  timeZone: string;
  kind: PeriodKind;
  /** For humans: `2026`, `Q3 2026 (July–September)`, `September 2026`. */
  title: string;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/** `q3` is accepted as `Q3`: people type it both ways. */
const PERIOD_PATTERN = /^(\d{4})(?:-(?:Q([1-4])|(0[1-9]|1[0-2])))?$/i;
/** Years outside this range are typos, not reporting periods (and stay inside the time cache). */
const MIN_YEAR = 1970;
const MAX_YEAR = 2199;
/** Longer input is never a period; it is not echoed back whole either. */
const MAX_INPUT_LENGTH = 32;

export const PERIOD_FORMS = 'YYYY (e.g. 2026), YYYY-Qn (e.g. 2026-Q3) or YYYY-MM (e.g. 2026-09)';

function invalid(text: string, why: string): ValidationError {
  const shown = text.length > MAX_INPUT_LENGTH ? `${text.slice(0, MAX_INPUT_LENGTH)}…` : text;
  return new ValidationError('InvalidPeriod', [
    { file: '<command line>', path: 'period', message: `expected a period as ${PERIOD_FORMS}${why}, got "${shown}"` },
  ]);
}

/** Midnight starting the 1st of `month0` (0-based, may be 12 = January of the next year) in `timeZone`. */
function monthStart(year: number, month0: number, timeZone: string): number {
  return wallClockToEpoch(Date.UTC(year, month0, 1), timeZone);
}

/**
 * Parses `2026`, `2026-Q3` or `2026-09` into epoch-ms bounds in `timeZone` (end exclusive).
 * Throws ValidationError naming the accepted forms for anything else, and for an unknown zone.
 */
export function parsePeriod(text: string, timeZone: string): ReportPeriod {
  const trimmed = text.trim();
  const match = trimmed.length <= MAX_INPUT_LENGTH ? PERIOD_PATTERN.exec(trimmed) : null;
  if (match === null) throw invalid(text, '');
  const year = Number(match[1]);
  if (year < MIN_YEAR || year > MAX_YEAR) throw invalid(text, ` with a year from ${MIN_YEAR} to ${MAX_YEAR}`);
  const quarter = match[2];
  const month = match[3];
  if (quarter !== undefined) {
    const q = Number(quarter);
    const first = (q - 1) * 3;
    return {
      label: `${year}-Q${q}`,
      from: monthStart(year, first, timeZone),
      to: monthStart(year, first + 3, timeZone),
      timeZone,
      kind: 'quarter',
      title: `Q${q} ${year} (${MONTHS[first]}–${MONTHS[first + 2]})`,
    };
  }
  if (month !== undefined) {
    const m = Number(month) - 1;
    return {
      label: `${year}-${month}`,
      from: monthStart(year, m, timeZone),
      to: monthStart(year, m + 1, timeZone),
      timeZone,
      kind: 'month',
      title: `${MONTHS[m]} ${year}`,
    };
  }
  return {
    label: String(year),
    from: monthStart(year, 0, timeZone),
    to: monthStart(year + 1, 0, timeZone),
    timeZone,
    kind: 'year',
    title: String(year),
  };
}
