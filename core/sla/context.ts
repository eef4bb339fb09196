/**
 * What every level's computation shares: the measured span of the period (clipped to the contract
 * and to `asOf`), the local days of the charts, and the time each level does not count — the
 * maintenance windows (every level, every resource) and the exclusions (the levels and resources
 * they name). Built once per statement.
 */
import type { ContractExclusion, SlaLevelId } from '../strategy/contract-schema.ts';
import { contractTime, localMidnights, windowIntervals } from './calendar.ts';
import { type Interval, normalise } from './intervals.ts';
import type { SlaInput } from './types.ts';

export interface SlaContext {
  input: SlaInput;
  timeZone: string;
  /** Measured span [from, end). */
  from: number;
  end: number;
  contractStart: number;
  /** Local midnights bounding the charts' days; the last one is at or after `end`. */
  days: number[];
  excluded(level: SlaLevelId, resourceId?: string): Interval[];
  /** Incidents the exclusions name, with the reason. */
  excludedIncidents: ReadonlyMap<string, ContractExclusion>;
}

export function contextOf(input: SlaInput): SlaContext {
  const { contract, timeZone, period } = input;
  const contractStart = contractTime(contract.start, timeZone);
  const contractEnd = contract.end === undefined ? Number.POSITIVE_INFINITY : contractTime(contract.end, timeZone);
  const from = Math.max(period.from, contractStart);
  const end = Math.max(from, Math.min(period.to, input.asOf, contractEnd));

  const maintenance = normalise(
    (contract.maintenanceWindows ?? []).flatMap((w) => windowIntervals(w, from, end, timeZone)),
  );
  const windows = (contract.exclusions ?? []).filter((e) => e.from !== undefined && e.to !== undefined);
  const everywhere = normalise([
    ...maintenance,
    ...windows
      .filter((e) => e.levels === undefined && e.resources === undefined)
      .flatMap((e) =>
        windowIntervals({ from: e.from as string, to: e.to as string, reason: e.reason }, from, end, timeZone),
      ),
  ]);
  const specific = windows.filter((e) => e.levels !== undefined || e.resources !== undefined);
  const cache = new Map<string, Interval[]>();
  const excluded = (level: SlaLevelId, resourceId?: string): Interval[] => {
    if (specific.length === 0) return everywhere;
    const applies = specific.filter(
      (e) =>
        (e.levels === undefined || e.levels.includes(level)) &&
        (e.resources === undefined || (resourceId !== undefined && e.resources.includes(resourceId))),
    );
    if (applies.length === 0) return everywhere;
    const key = `${level}\u0000${applies.some((e) => e.resources !== undefined) ? (resourceId ?? '') : ''}`;
    let list = cache.get(key);
    if (list === undefined) {
      list = normalise([
        ...everywhere,
        ...applies.flatMap((e) =>
          windowIntervals({ from: e.from as string, to: e.to as string, reason: e.reason }, from, end, timeZone),
        ),
      ]);
      cache.set(key, list);
    }
    return list;
  };
  const excludedIncidents = new Map<string, ContractExclusion>();
  for (const e of contract.exclusions ?? []) if (e.incident !== undefined) excludedIncidents.set(e.incident, e);

  return {
    input,
    timeZone,
    from,
    end,
    contractStart,
    days: localMidnights(from, end, timeZone),
    excluded,
    excludedIncidents,
  };
}

/** The series of a level: cumulative good / total at the end of each local day. */
export function cumulativeSeries(
  ctx: SlaContext,
  good: readonly number[],
  total: readonly number[],
): { day: string; achieved: number }[] {
  const out: { day: string; achieved: number }[] = [];
  let g = 0;
  let t = 0;
  for (let k = 0; k < ctx.days.length - 1; k++) {
    g += good[k] ?? 0;
    t += total[k] ?? 0;
    const dayStart = ctx.days[k]!;
    if (dayStart >= ctx.end) break;
    out.push({ day: localDate(dayStart, ctx.timeZone), achieved: t === 0 ? 100 : round3((g / t) * 100) });
  }
  return out;
}

export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** `good / total` as a percent with 3 decimals, and whether it reaches `target`, decided exactly. */
export function achievement(good: number, total: number, target: number): { achieved: number; met: boolean } {
  if (total <= 0) return { achieved: 100, met: true };
  const met = BigInt(Math.round(good)) * 100_000n >= BigInt(Math.round(target * 1000)) * BigInt(Math.round(total));
  let achieved = round3((good / total) * 100);
  // Rounding must not show a missed level as its target (99.4996 → 99.5 while not met).
  if (!met && achieved >= target) achieved = Math.round(target * 1000 - 1) / 1000;
  return { achieved, met };
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** `2026-11-03`: the local date of an instant. */
export function localDate(at: number, timeZone: string): string {
  let f = dateFormats.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timeZone, f);
  }
  return f.format(at);
}
