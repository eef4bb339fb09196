/**
 * The contract's calendar in the tenant's timezone: its local times (`2026-11-14T22:00`), recurring
 * maintenance windows (`every sunday at 02:00 for 2h`), and the local midnights that cut a period
 * into days for the charts. Across DST a local day lasts 23 or 25 hours and a window starting at
 * 02:00 on the spring-forward Sunday starts at 03:00 (the wall clock skips the hour).
 */

import { LOCAL_TIME_PATTERN, type MaintenanceWindow, WEEKDAYS } from '../strategy/contract-schema.ts';
import { parseDuration } from '../strategy/duration.ts';
import { addDuration, utcOffsetAt, wallClockToEpoch } from '../time.ts';
import type { Interval } from './intervals.ts';

const DAY = 86_400_000;

/** A contract time: wall clock in `timeZone`, or absolute when it carries Z or an offset. */
export function contractTime(text: string, timeZone: string): number {
  const m = LOCAL_TIME_PATTERN.exec(text);
  if (!m) return Number.NaN;
  if (m[7] !== undefined) return Date.parse(text);
  const wall = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
  );
  return wallClockToEpoch(wall, timeZone);
}

/** Local midnights from the day holding `from` through the first one at or after `to`. */
export function localMidnights(from: number, to: number, timeZone: string): number[] {
  const wall = from + utcOffsetAt(from, timeZone);
  let day = Math.floor(wall / DAY) * DAY;
  const out: number[] = [];
  for (;;) {
    const at = wallClockToEpoch(day, timeZone);
    out.push(at);
    if (at >= to) break;
    day += DAY;
  }
  return out;
}

/** The intervals a maintenance window covers within [from, to). */
export function windowIntervals(w: MaintenanceWindow, from: number, to: number, timeZone: string): Interval[] {
  if (w.from !== undefined && w.to !== undefined) {
    const a = Math.max(from, contractTime(w.from, timeZone));
    const b = Math.min(to, contractTime(w.to, timeZone));
    return b > a ? [{ from: a, to: b }] : [];
  }
  if (w.every === undefined || w.at === undefined || w.duration === undefined) return [];
  const length = parseDuration(w.duration);
  const [hh, mm] = w.at.split(':').map(Number) as [number, number];
  const out: Interval[] = [];
  // Start a day early: a window opening the evening before `from` may still be open at `from`.
  const firstWall = Math.floor((from + utcOffsetAt(from, timeZone)) / DAY) * DAY - DAY;
  const lastWall = Math.floor((to + utcOffsetAt(to, timeZone)) / DAY) * DAY;
  const weekday = w.every === 'day' ? -1 : WEEKDAYS.indexOf(w.every);
  for (let day = firstWall; day <= lastWall; day += DAY) {
    // 1970-01-01 was a Thursday (index 3 with Monday = 0).
    if (weekday >= 0 && (Math.floor(day / DAY) + 3) % 7 !== weekday) continue;
    const start = wallClockToEpoch(day + hh * 3_600_000 + mm * 60_000, timeZone);
    const end = addDuration(start, length, timeZone);
    const a = Math.max(from, start);
    const b = Math.min(to, end);
    if (b > a) out.push({ from: a, to: b });
  }
  return out;
}
