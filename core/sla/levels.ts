/**
 * The service levels measured by count or by time limit: restore tests that ran and passed,
 * coverage, RTO, incident response and resolution, dossier staleness and delivery. Each returns
 * what it measured, every breach with its evidence, and the overruns penalties per started hour
 * or day are counted on.
 */

import type { IncidentSeverity } from '../incidents/model.ts';
import type { ContractSection } from '../strategy/contract-schema.ts';
import { parseDuration } from '../strategy/duration.ts';
import { addDuration, formatSpan, subtractDuration } from '../time.ts';
import type { MeasuredLevel } from './backup-compliance.ts';
import { achievement, type SlaContext } from './context.ts';
import { addToBuckets, bucketOf, contains, intersect, normalise, subtract, totalLength } from './intervals.ts';
import type { Breach, Evidence } from './types.ts';

type Levels = ContractSection['levels'];
const iso = (ms: number) => new Date(ms).toISOString();
const evidence = (e: Partial<Evidence>): Evidence => ({
  reportIds: e.reportIds ?? [],
  restoreTestIds: e.restoreTestIds ?? [],
  findingIds: e.findingIds ?? [],
  auditSeqs: e.auditSeqs ?? [],
});
/** A calendar or absolute duration starting at `at`, in ms. */
const spanFrom = (at: number, text: string, timeZone: string) => addDuration(at, parseDuration(text), timeZone) - at;

/** Counting levels: items good or not, bucketed by day for the series. */
class Tally {
  good = 0;
  total = 0;
  excluded = 0;
  breaches: Breach[] = [];
  breachCount = 0;
  overruns: number[] = [];
  goodByDay: number[] = [];
  totalByDay: number[] = [];
  constructor(
    private readonly ctx: SlaContext,
    private readonly maxListed: number,
  ) {}
  count(at: number, ok: boolean, breach?: Breach): void {
    const k = bucketOf(this.ctx.days, at);
    this.total++;
    this.totalByDay[k] = (this.totalByDay[k] ?? 0) + 1;
    if (ok) {
      this.good++;
      this.goodByDay[k] = (this.goodByDay[k] ?? 0) + 1;
      return;
    }
    this.breachCount++;
    if (breach?.overrunMs !== undefined) this.overruns.push(breach.overrunMs);
    if (breach && this.breaches.length < this.maxListed) this.breaches.push(breach);
  }
  result(target: number): MeasuredLevel {
    const { good, total, excluded, breaches, breachCount, overruns, goodByDay, totalByDay } = this;
    return {
      good,
      total,
      excluded,
      breaches,
      breachCount,
      overruns,
      goodByDay,
      totalByDay,
      ...achievement(good, total, target),
    };
  }
}

/** Share of the period's scheduled restore tests that ran and passed. */
export function restoreTests(ctx: SlaContext, target: number, maxListed: number): MeasuredLevel {
  const { from, end } = ctx;
  const { scheduledTests, restoreTests: tests } = ctx.input.facts;
  const byId = new Map(tests.map((t) => [t.testId, t]));
  const scheduled = new Map<string, { resourceId: string; policyName: string; scheduledAt: number }>();
  for (const s of scheduledTests) scheduled.set(s.testId, s);
  // A test that ran for a slot no policy lists (run by hand) was still scheduled by someone.
  for (const t of tests) if (!scheduled.has(t.testId)) scheduled.set(t.testId, t);
  const tally = new Tally(ctx, maxListed);
  const ids = [...scheduled.keys()].sort();
  for (const testId of ids) {
    const s = scheduled.get(testId)!;
    if (s.scheduledAt < from || s.scheduledAt >= end) continue;
    if (contains(ctx.excluded('restore-tests', s.resourceId), s.scheduledAt)) {
      tally.excluded++;
      continue;
    }
    const t = byId.get(testId);
    const ok = t?.outcome === 'PASSED';
    tally.count(
      s.scheduledAt,
      ok,
      ok
        ? undefined
        : {
            level: 'restore-tests',
            subject: s.resourceId,
            summary:
              t === undefined
                ? `restore test of ${s.policyName} scheduled ${iso(s.scheduledAt)} did not run`
                : `restore test of ${s.policyName} scheduled ${iso(s.scheduledAt)} ${t.outcome}`,
            from: iso(s.scheduledAt),
            evidence: evidence({
              restoreTestIds: [testId],
              findingIds: t?.findingId === undefined ? [] : [t.findingId],
              auditSeqs: t?.auditSeq === undefined ? [] : [t.auditSeq],
            }),
          },
    );
  }
  return tally.result(target);
}

/** Every (policy, resource) pair passed a restore test within the coverage period ending at the period's end. */
export function restoreCoverage(ctx: SlaContext, coverage: string, maxListed: number): MeasuredLevel {
  const { end, timeZone } = ctx;
  const windowStart = subtractDuration(end, parseDuration(coverage), timeZone);
  const passed = new Map<string, { testId: string; startedAt: number }>();
  for (const t of ctx.input.facts.restoreTests) {
    if (t.outcome !== 'PASSED' || t.startedAt < windowStart || t.startedAt > end) continue;
    const key = `${t.policyName}\u0000${t.resourceId}`;
    const seen = passed.get(key);
    if (seen === undefined || t.startedAt > seen.startedAt) passed.set(key, t);
  }
  const tally = new Tally(ctx, maxListed);
  const pairs = [...ctx.input.facts.coverage].sort(
    (a, b) => cmp(a.policyName, b.policyName) || cmp(a.resourceId, b.resourceId),
  );
  for (const p of pairs) {
    const hit = passed.get(`${p.policyName}\u0000${p.resourceId}`);
    tally.count(
      end - 1,
      hit !== undefined,
      hit
        ? undefined
        : {
            level: 'restore-coverage',
            subject: p.resourceId,
            summary: `no passing restore test of ${p.policyName} in the ${coverage} before ${iso(end)}`,
            from: iso(windowStart),
            to: iso(end),
            evidence: evidence({}),
          },
    );
  }
  return tally.result(100);
}

/** Measured RTO of each restore test of the period against the maximum of its resource's class. */
export function rto(ctx: SlaContext, level: NonNullable<Levels['rto']>, maxListed: number): MeasuredLevel {
  const { from, end, timeZone } = ctx;
  const sources = ctx.input.facts.resourceSources;
  const classOf = (resourceId: string) =>
    (level.classes ?? []).find((c) =>
      c.resources !== undefined ? c.resources.includes(resourceId) : sources[resourceId] === c.source,
    );
  const tally = new Tally(ctx, maxListed);
  const tests = [...ctx.input.facts.restoreTests].sort((a, b) => a.startedAt - b.startedAt || cmp(a.testId, b.testId));
  for (const t of tests) {
    if (t.rtoMs === undefined || t.startedAt < from || t.startedAt >= end) continue;
    if (contains(ctx.excluded('rto', t.resourceId), t.scheduledAt)) {
      tally.excluded++;
      continue;
    }
    const cls = classOf(t.resourceId);
    const maxText = cls?.max ?? level.max;
    const maxMs = spanFrom(t.startedAt, maxText, timeZone);
    const over = t.rtoMs - maxMs;
    tally.count(
      t.startedAt,
      over <= 0,
      over <= 0
        ? undefined
        : {
            level: 'rto',
            subject: t.resourceId,
            summary: `measured RTO ${formatSpan(t.rtoMs)} exceeds ${maxText}${cls ? ` (class ${cls.name})` : ''} by ${formatSpan(over)}`,
            from: iso(t.startedAt),
            overrunMs: over,
            evidence: evidence({
              restoreTestIds: [t.testId],
              findingIds: t.findingId === undefined ? [] : [t.findingId],
              auditSeqs: t.auditSeq === undefined ? [] : [t.auditSeq],
            }),
          },
    );
  }
  return tally.result(level.target ?? 100);
}

/** Incidents of the period acknowledged (or resolved) within their severity's time. */
export function incidentTimes(
  ctx: SlaContext,
  level: NonNullable<Levels['incidents']>,
  which: 'acknowledge' | 'resolve',
  maxListed: number,
): MeasuredLevel {
  const { from, end, timeZone } = ctx;
  const id = which === 'acknowledge' ? 'incident-acknowledge' : 'incident-resolve';
  const tally = new Tally(ctx, maxListed);
  const incidents = [...ctx.input.facts.incidents].sort(
    (a, b) => Date.parse(a.openedAt) - Date.parse(b.openedAt) || cmp(a.incidentId, b.incidentId),
  );
  for (const inc of incidents) {
    const opened = Date.parse(inc.openedAt);
    if (!(opened >= from && opened < end)) continue;
    const limit = level[inc.severity as IncidentSeverity]?.[which];
    if (limit === undefined) continue;
    if (
      inc.cause === 'client' ||
      ctx.excludedIncidents.has(inc.incidentId) ||
      contains(ctx.excluded(id, inc.resourceId), opened)
    ) {
      tally.excluded++;
      continue;
    }
    const doneText =
      which === 'acknowledge'
        ? (inc.acknowledgedAt ?? inc.resolvedAt ?? inc.closedAt)
        : (inc.resolvedAt ?? inc.closedAt);
    const done = doneText === undefined ? undefined : Date.parse(doneText);
    const elapsed = (done ?? end) - opened;
    const limitMs = spanFrom(opened, limit, timeZone);
    const over = elapsed - limitMs;
    const verb = which === 'acknowledge' ? 'acknowledged' : 'resolved';
    tally.count(
      opened,
      over <= 0,
      over <= 0
        ? undefined
        : {
            level: id,
            subject: inc.incidentId,
            summary: `${inc.severity} incident ${done === undefined ? `not ${verb} after` : `${verb} after`} ${formatSpan(elapsed)}, limit ${limit} (${inc.summary.slice(0, 120)})`,
            from: inc.openedAt,
            to: iso(done ?? end),
            overrunMs: over,
            evidence: evidence({
              findingIds: [inc.incidentId],
              restoreTestIds: inc.source === 'restore-test' ? [inc.sourceRef] : [],
              auditSeqs: inc.auditSeqs,
            }),
          },
    );
  }
  return tally.result(level.target ?? 100);
}

/**
 * The dossier is stale from the first change of its inputs after a publication until the next one;
 * staleness beyond `maxStale` is the breach. Before a first publication it is stale from the start
 * of the contract. The share is of the period's time (exclusions removed) without such overrun.
 */
export function dossierStale(ctx: SlaContext, maxStale: string, maxListed: number): MeasuredLevel {
  const { from, end, timeZone } = ctx;
  const { versions, changes } = ctx.input.facts.dossier;
  type Event = { at: number; kind: 0 | 1; seq?: number; version?: number };
  // At equal times a change comes first: a version published then already holds it.
  const events: Event[] = [
    ...changes.map((c) => ({ at: c.at, kind: 0 as const, seq: c.seq })),
    ...versions.map((v) => ({ at: v.createdAt, kind: 1 as const, version: v.version, ...seqOf(v.auditSeq) })),
  ].sort((a, b) => a.at - b.at || a.kind - b.kind);
  const stale: { from: number; to: number; seqs: number[]; version?: number }[] = [];
  let since: { at: number; seq?: number } | undefined = { at: ctx.contractStart };
  for (const e of events) {
    if (e.at >= end) break;
    if (e.kind === 1) {
      if (since) stale.push({ from: since.at, to: e.at, seqs: compact([since.seq, e.seq]), ...versionOf(e.version) });
      since = undefined;
    } else if (since === undefined) since = { at: e.at, ...seqOf(e.seq) };
  }
  if (since) stale.push({ from: since.at, to: end, seqs: compact([since.seq]) });

  const excluded = ctx.excluded('dossier-stale');
  const measured = subtract([{ from, to: end }], excluded);
  const total = totalLength(measured);
  const totalByDay: number[] = [];
  const badByDay: number[] = [];
  for (const m of measured) addToBuckets(ctx.days, totalByDay, m.from, m.to);
  const breaches: Breach[] = [];
  const overruns: number[] = [];
  let bad = 0;
  for (const s of stale) {
    const limitAt = addDuration(s.from, parseDuration(maxStale), timeZone);
    const over = intersect(normalise([{ from: limitAt, to: s.to }]), measured);
    const ms = totalLength(over);
    if (ms === 0) continue;
    bad += ms;
    for (const o of over) addToBuckets(ctx.days, badByDay, o.from, o.to);
    overruns.push(ms);
    if (breaches.length < maxListed)
      breaches.push({
        level: 'dossier-stale',
        subject: s.version === undefined ? 'dossier' : `dossier v${s.version}`,
        summary: `dossier stale ${formatSpan(s.to - s.from)} since ${iso(s.from)}, ${formatSpan(ms)} beyond ${maxStale} in the period`,
        from: iso(s.from),
        to: iso(s.to),
        overrunMs: ms,
        evidence: evidence({ auditSeqs: s.seqs }),
      });
  }
  const goodByDay = totalByDay.map((t, k) => t - (badByDay[k] ?? 0));
  const HOUR = 3_600_000;
  return {
    good: Math.round(((total - bad) / HOUR) * 1000) / 1000,
    total: Math.round((total / HOUR) * 1000) / 1000,
    excluded: Math.round(((end - from - total) / HOUR) * 1000) / 1000,
    ...achievement(total - bad, total, 100),
    breaches,
    breachCount: overruns.length,
    overruns,
    goodByDay,
    totalByDay,
  };
}

/** Each dossier asked for in the period was delivered within `delivery` of the request. */
export function dossierDelivery(ctx: SlaContext, delivery: string, maxListed: number): MeasuredLevel {
  const { from, end, timeZone } = ctx;
  const tally = new Tally(ctx, maxListed);
  const versions = [...ctx.input.facts.dossier.versions].sort((a, b) => a.version - b.version);
  for (const v of versions) {
    if (v.requestedAt < from || v.requestedAt >= end) continue;
    if (contains(ctx.excluded('dossier-delivery'), v.requestedAt)) {
      tally.excluded++;
      continue;
    }
    const elapsed = v.createdAt - v.requestedAt;
    const over = elapsed - spanFrom(v.requestedAt, delivery, timeZone);
    tally.count(
      v.requestedAt,
      over <= 0,
      over <= 0
        ? undefined
        : {
            level: 'dossier-delivery',
            subject: `dossier v${v.version}`,
            summary: `dossier v${v.version} delivered ${formatSpan(elapsed)} after the request, limit ${delivery}`,
            from: iso(v.requestedAt),
            to: iso(v.createdAt),
            overrunMs: over,
            evidence: evidence({ auditSeqs: compact([v.auditSeq]) }),
          },
    );
  }
  return tally.result(100);
}

function compact(list: (number | undefined)[]): number[] {
  return list.filter((n): n is number => n !== undefined);
}
function seqOf(seq: number | undefined): { seq?: number } {
  return seq === undefined ? {} : { seq };
}
function versionOf(version: number | undefined): { version?: number } {
  return version === undefined ? {} : { version };
}
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
