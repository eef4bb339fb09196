/**
 * Calendar arithmetic in IANA time zones, fast enough to run once per job in tight loops.
 *
 * `m` and `h` are absolute (60 000 and 3 600 000 ms). `d`, `w` and `y` are calendar units in the
 * tenant's zone: the local wall-clock time is preserved across DST changes. A wall time that does
 * not exist (spring-forward gap) moves forward by the gap; an ambiguous one (autumn overlap) picks
 * the earlier instant — the same choices as Temporal's `disambiguation: 'compatible'`.
 *
 * Why it is fast: Intl is only used to fill caches. The UTC offset of an instant is cached per UTC
 * hour in lazily allocated Float64Array chunks (a transition inside an hour is located once by
 * bisection and stored aside), and the wall-clock → instant direction is cached per local hour
 * when no transition is near. The hot path is two array reads and a few additions, no allocation.
 */
import { ValidationError } from './errors.ts';
import type { Duration } from './strategy/policy.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Offsets are whole seconds within ±1 day; this value marks "the offset changes inside this hour". */
const TRANSITION = 1e15;
/** Marks "a transition is near this local hour: resolve it the slow way". */
const NEAR_TRANSITION = 2e15;

/** Hour buckets cached in chunks of 8192 hours (~341 days) between 1970 and ~2209. */
const CHUNK_BITS = 13;
const CHUNK_SIZE = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SIZE - 1;
const MAX_CACHED_HOUR = 1 << 21;

interface Transition {
  /** First instant (ms) with the new offset. */
  at: number;
  before: number;
  after: number;
}

class Zone {
  private readonly format: Intl.DateTimeFormat | undefined;
  private readonly utcChunks: (Float64Array | undefined)[] = [];
  private readonly localChunks: (Float64Array | undefined)[] = [];
  private readonly transitions = new Map<number, Transition>();

  constructor(readonly name: string) {
    this.format = isUtc(name)
      ? undefined
      : new Intl.DateTimeFormat('en-US', {
          timeZone: name,
          hourCycle: 'h23',
          era: 'short',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
        });
  }

  /** Offset (ms, local − UTC) in force at instant `ms`. */
  offsetAt(ms: number): number {
    if (this.format === undefined) return 0;
    const hour = Math.floor(ms / HOUR);
    if (hour < 0 || hour >= MAX_CACHED_HOUR) return this.rawOffset(ms);
    const ci = hour >> CHUNK_BITS;
    let chunk = this.utcChunks[ci];
    if (chunk === undefined) {
      chunk = new Float64Array(CHUNK_SIZE).fill(Number.NaN);
      this.utcChunks[ci] = chunk;
    }
    let v = chunk[hour & CHUNK_MASK]!;
    if (Number.isNaN(v)) {
      v = this.fillHour(hour);
      chunk[hour & CHUNK_MASK] = v;
    }
    if (v !== TRANSITION) return v;
    const t = this.transitions.get(hour)!;
    return ms < t.at ? t.before : t.after;
  }

  /** The instant whose local wall-clock reading is `wall` (wall-clock ms as if it were UTC). */
  wallToInstant(wall: number): number {
    if (this.format === undefined) return wall;
    const hour = Math.floor(wall / HOUR);
    if (hour < 0 || hour >= MAX_CACHED_HOUR) return this.resolveWall(wall);
    const ci = hour >> CHUNK_BITS;
    let chunk = this.localChunks[ci];
    if (chunk === undefined) {
      chunk = new Float64Array(CHUNK_SIZE).fill(Number.NaN);
      this.localChunks[ci] = chunk;
    }
    let v = chunk[hour & CHUNK_MASK]!;
    if (Number.isNaN(v)) {
      v = this.fillLocalHour(hour);
      chunk[hour & CHUNK_MASK] = v;
    }
    return v === NEAR_TRANSITION ? this.resolveWall(wall) : wall - v;
  }

  /** Steady offset for a local hour far (±2 days) from any transition, else NEAR_TRANSITION. */
  private fillLocalHour(hour: number): number {
    const start = hour * HOUR;
    const before = this.offsetAt(start - 2 * DAY);
    const middle = this.offsetAt(start);
    const after = this.offsetAt(start + 2 * DAY);
    return before === middle && middle === after ? middle : NEAR_TRANSITION;
  }

  /**
   * Slow, exact path. Assumes at most one transition within ±1 day of the wall time (true of
   * every zone since 1900). Candidates use the offsets before and after; a valid candidate reads
   * back as `wall`. Two valid: ambiguous, take the earlier. None: a gap, so keep the pre-gap
   * offset, which lands the same distance past the transition (moved forward by the gap).
   */
  private resolveWall(wall: number): number {
    const before = this.offsetAt(wall - DAY);
    const after = this.offsetAt(wall + DAY);
    const a = wall - before;
    const b = wall - after;
    const aValid = a + this.offsetAt(a) === wall;
    const bValid = b + this.offsetAt(b) === wall;
    if (aValid && bValid) return Math.min(a, b);
    if (aValid) return a;
    if (bValid) return b;
    return wall - before;
  }

  private fillHour(hour: number): number {
    const start = hour * HOUR;
    const end = start + HOUR - 1000;
    const o1 = this.rawOffset(start);
    const o2 = this.rawOffset(end);
    if (o1 === o2) return o1;
    // Transitions are on whole seconds: bisect between the two seconds once, remember the result.
    let lo = start;
    let hi = end;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (this.rawOffset(mid) === o1) lo = mid;
      else hi = mid;
    }
    this.transitions.set(hour, { at: hi, before: o1, after: o2 });
    return TRANSITION;
  }

  /** Offset straight from Intl: cold path only. */
  private rawOffset(ms: number): number {
    const second = Math.floor(ms / 1000) * 1000;
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let sec = 0;
    let bc = false;
    for (const p of this.format!.formatToParts(second)) {
      switch (p.type) {
        case 'year':
          year = Number(p.value);
          break;
        case 'month':
          month = Number(p.value);
          break;
        case 'day':
          day = Number(p.value);
          break;
        case 'hour':
          hour = Number(p.value);
          break;
        case 'minute':
          minute = Number(p.value);
          break;
        case 'second':
          sec = Number(p.value);
          break;
        case 'era':
          bc = p.value.startsWith('B');
          break;
        default:
          break;
      }
    }
    const fullYear = bc ? 1 - year : year;
    const wall = daysFromCivil(fullYear, month, day) * DAY + hour * HOUR + minute * MINUTE + sec * 1000;
    return wall - second;
  }
}

function isUtc(name: string): boolean {
  return name === 'UTC' || name === 'Etc/UTC' || name === 'Etc/GMT' || name === 'GMT';
}

const zones = new Map<string, Zone>();
let lastZone: Zone | undefined;

/** The cached zone for an IANA name; throws ValidationError for a name Intl does not know. */
function zoneOf(timeZone: string): Zone {
  if (lastZone !== undefined && lastZone.name === timeZone) return lastZone;
  let z = zones.get(timeZone);
  if (z === undefined) {
    try {
      z = new Zone(timeZone);
    } catch (cause) {
      throw new ValidationError(
        'InvalidTimeZone',
        [
          {
            file: '<input>',
            path: 'timezone',
            message: `expected an IANA time zone such as Europe/Paris, got "${timeZone}"`,
          },
        ],
        { cause },
      );
    }
    zones.set(timeZone, z);
  }
  lastZone = z;
  return z;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm: no Date allocation). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Adds whole years to a wall-clock ms value, clamping 29 February to the 28th (Temporal's "constrain"). */
function addYearsToWall(wall: number, years: number): number {
  const days = Math.floor(wall / DAY);
  const timeOfDay = wall - days * DAY;
  // civil-from-days (inverse of daysFromCivil)
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const targetYear = year + years;
  const targetDay = month === 2 && day === 29 && !isLeap(targetYear) ? 28 : day;
  return daysFromCivil(targetYear, month, targetDay) * DAY + timeOfDay;
}

function shift(epochMs: number, amount: number, unit: Duration['unit'], timeZone: string): number {
  switch (unit) {
    case 'm':
      return epochMs + amount * MINUTE;
    case 'h':
      return epochMs + amount * HOUR;
    case 'd':
    case 'w': {
      const zone = zoneOf(timeZone);
      const wall = epochMs + zone.offsetAt(epochMs);
      return zone.wallToInstant(wall + amount * (unit === 'w' ? 7 * DAY : DAY));
    }
    case 'y': {
      const zone = zoneOf(timeZone);
      const wall = epochMs + zone.offsetAt(epochMs);
      return zone.wallToInstant(addYearsToWall(wall, amount));
    }
  }
}

/** `epochMs + d`: absolute for m/h, calendar (wall clock preserved) in `timeZone` for d/w/y. */
export function addDuration(epochMs: number, d: Pick<Duration, 'amount' | 'unit'>, timeZone: string): number {
  return shift(epochMs, d.amount, d.unit, timeZone);
}

/** `epochMs − d`, with the same rules as addDuration. */
export function subtractDuration(epochMs: number, d: Pick<Duration, 'amount' | 'unit'>, timeZone: string): number {
  return shift(epochMs, -d.amount, d.unit, timeZone);
}

/** UTC offset in ms (local − UTC) of `timeZone` at `epochMs`. */
export function utcOffsetAt(epochMs: number, timeZone: string): number {
  return zoneOf(timeZone).offsetAt(epochMs);
}

/** The instant whose wall-clock reading in `timeZone` is `wallMs` (wall time encoded as if UTC). */
export function wallClockToEpoch(wallMs: number, timeZone: string): number {
  return zoneOf(timeZone).wallToInstant(wallMs);
}

/** Throws ValidationError unless `timeZone` is an IANA zone Intl knows. */
export function assertTimeZone(timeZone: string): void {
  zoneOf(timeZone);
}

/** ISO-8601 UTC with milliseconds, e.g. `2026-03-29T01:00:00.000Z`. */
export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A length in ms as a short human text: `25h`, `3d 4h`, `45m`. For summaries. */
export function formatSpan(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms / MINUTE));
  const days = Math.floor(rest / 1440);
  rest -= days * 1440;
  const hours = Math.floor(rest / 60);
  const minutes = rest - hours * 60;
  const parts: string[] = [];
  if (days > 0) parts.push(`${days}d`);
  if (hours > 0) parts.push(`${hours}h`);
  if (minutes > 0 || parts.length === 0) parts.push(`${minutes}m`);
  return sign + parts.join(' ');
}

export const MS = { MINUTE, HOUR, DAY } as const;
