/**
 * Backup compliance: the share of protected resource-time during which the RPO was met, from the
 * verification history. Each run saw, per resource, the last good backup and its RPO deadline;
 * between two runs the RPO is judged with what they saw: up to the next run's last good backup
 * with the earlier deadline, after it with the later one. A resource is protected from its first
 * verification on; maintenance windows and exclusions are removed from both sides of the share.
 */
import { formatSpan } from '../time.ts';
import { achievement, round3, type SlaContext } from './context.ts';
import { addToBuckets, type Interval, intersect, subtract, totalLength } from './intervals.ts';
import type { Breach, RpoSeries } from './types.ts';

const HOUR = 3_600_000;
/** A breach names at most this many runs that saw it (the first ones); the count says how many more. */
const MAX_RUNS_PER_BREACH = 5;

export interface MeasuredLevel {
  good: number;
  total: number;
  excluded: number;
  achieved: number;
  met: boolean;
  breaches: Breach[];
  breachCount: number;
  /** Time beyond each breach's limit (ms), for penalties per started hour or day. */
  overruns: number[];
  goodByDay: number[];
  totalByDay: number[];
}

interface RawBreach extends Interval {
  runs: number[];
  seenBy: number;
}

export function backupCompliance(ctx: SlaContext, target: number, maxListed: number): MeasuredLevel {
  const { from, end } = ctx;
  const { runIds, resources } = ctx.input.facts.rpo;
  const goodByDay: number[] = [];
  const totalByDay: number[] = [];
  const breachByDay: number[] = [];
  let total = 0;
  let bad = 0;
  let excludedMs = 0;
  const breaches: Breach[] = [];
  let breachCount = 0;

  for (const series of [...resources].sort((a, b) => cmp(a.resourceId, b.resourceId))) {
    const n = series.at.length;
    if (n === 0) continue;
    const start = Math.max(from, series.at[0]!);
    if (start >= end) continue;
    const excluded = ctx.excluded('backup-compliance', series.resourceId);
    const span = [{ from: start, to: end }];
    const covered = subtract(span, excluded);
    excludedMs += end - start - totalLength(covered);
    total += totalLength(covered);
    for (const c of covered) addToBuckets(ctx.days, totalByDay, c.from, c.to);

    for (const raw of rawBreaches(series, start, end)) {
      const counted = intersect([raw], covered);
      const ms = totalLength(counted);
      if (ms === 0) continue;
      bad += ms;
      for (const c of counted) addToBuckets(ctx.days, breachByDay, c.from, c.to);
      breachCount++;
      if (breaches.length < maxListed) {
        const more = raw.seenBy - raw.runs.length;
        breaches.push({
          level: 'backup-compliance',
          subject: series.resourceId,
          summary: `RPO missed for ${formatSpan(ms)}${ms < raw.to - raw.from ? ' counted (the rest excluded)' : ''}${
            raw.seenBy > 0
              ? `, seen by ${raw.seenBy} verification run(s)${more > 0 ? ` (first ${raw.runs.length} listed)` : ''}`
              : ''
          }`,
          from: new Date(raw.from).toISOString(),
          to: new Date(raw.to).toISOString(),
          overrunMs: ms,
          evidence: {
            reportIds: raw.runs.map((r) => runIds[r] ?? String(r)),
            restoreTestIds: [],
            findingIds: [`${series.resourceId}#RpoMet`],
            auditSeqs: [],
          },
        });
      }
    }
  }
  for (let k = 0; k < totalByDay.length; k++) goodByDay[k] = (totalByDay[k] ?? 0) - (breachByDay[k] ?? 0);
  const good = total - bad;
  const { achieved, met } = achievement(good, total, target);
  const allowed = Math.floor((total * (100_000 - Math.round(target * 1000))) / 100_000);
  return {
    good: round3(good / HOUR),
    total: round3(total / HOUR),
    excluded: round3(excludedMs / HOUR),
    achieved,
    met,
    breaches,
    breachCount,
    overruns: bad > allowed ? [bad - allowed] : [],
    goodByDay,
    totalByDay,
  };
}

/**
 * The intervals of [start, end) in which the series' RPO was missed, merged, with the runs that
 * saw it missed. One pass, no allocation per observation.
 */
export function rawBreaches(series: RpoSeries, start: number, end: number): RawBreach[] {
  const { at, lastGoodAt, deadline, run } = series;
  const n = at.length;
  const out: RawBreach[] = [];
  const push = (a: number, b: number) => {
    const s = Math.max(a, start);
    const e = Math.min(b, end);
    if (e <= s) return;
    const last = out[out.length - 1];
    if (last && s <= last.to) last.to = Math.max(last.to, e);
    else out.push({ from: s, to: e, runs: [], seenBy: 0 });
  };
  const judge = (a: number, b: number, d: number) => {
    if (b <= a) return;
    if (Number.isNaN(d)) push(a, b);
    else if (d < b) push(Math.max(a, d), b);
  };
  for (let i = 0; i < n; i++) {
    const a = at[i]!;
    if (a >= end) break;
    const b = i + 1 < n ? Math.min(at[i + 1]!, end) : end;
    if (b <= start) continue;
    const nextGood = i + 1 < n ? lastGoodAt[i + 1]! : Number.NaN;
    if (!Number.isNaN(nextGood) && nextGood > a) {
      const c = Math.min(nextGood, b);
      judge(a, c, deadline[i]!);
      judge(c, b, deadline[i + 1]!);
    } else {
      judge(a, b, deadline[i]!);
    }
    // The run at `a` saw the RPO missed: it is evidence of the breach it falls in.
    const d = deadline[i]!;
    if (a >= start && (Number.isNaN(d) || d < a)) {
      const last = out[out.length - 1];
      if (last && a >= last.from && a <= last.to) {
        last.seenBy++;
        if (last.runs.length < MAX_RUNS_PER_BREACH) last.runs.push(run[i]!);
      }
    }
  }
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
