/**
 * The SLA statement of one tenant for one measurement period: each declared level's achieved value
 * against its target, every breach with the evidence it rests on, the penalty of each level with
 * its formula, the cap, and the total. Pure and deterministic: no clock (asOf is an input), no
 * randomness, every list sorted, money in integer minor units.
 */
import type { SlaLevelId } from '../strategy/contract-schema.ts';
import { backupCompliance, type MeasuredLevel } from './backup-compliance.ts';
import { contextOf, cumulativeSeries, type SlaContext } from './context.ts';
import { dossierDelivery, dossierStale, incidentTimes, restoreCoverage, restoreTests, rto } from './levels.ts';
import { currencyOf, formatMoney, toMinor } from './money.ts';
import { capOf, levelPenalty } from './penalty.ts';
import type { LevelResult, Recurrence, SlaInput, SlaStatement } from './types.ts';

/** Breaches listed per level; all of them count (breachCount) and are paid for. */
export const MAX_LISTED_BREACHES = 500;

interface Measured {
  id: SlaLevelId;
  title: string;
  measures: string;
  unit: string;
  target: number;
  level: MeasuredLevel;
  penalty: Parameters<typeof levelPenalty>[1];
}

export function computeStatement(input: SlaInput): SlaStatement {
  const { contract } = input;
  const ctx = contextOf(input);
  const currency = currencyOf(contract.currency);
  const months = contract.measurementPeriod === 'quarter' ? 3 : 1;
  const fee = toMinor(contract.monthlyFee, currency) * months;
  const money = (minor: number) => formatMoney(minor, currency);

  const results = measureAll(ctx).map((m): LevelResult => {
    const parts = levelPenalty(m.level, m.penalty, fee, currency);
    return {
      id: m.id,
      title: m.title,
      measures: m.measures,
      target: m.target,
      achieved: m.level.achieved,
      met: m.level.met,
      measured: { unit: m.unit, good: m.level.good, total: m.level.total, excluded: m.level.excluded },
      breachCount: m.level.breachCount,
      breaches: m.level.breaches,
      penalty: parts.reduce((sum, p) => sum + p.amount, 0),
      penaltyParts: parts,
      series: cumulativeSeries(ctx, m.level.goodByDay, m.level.totalByDay),
    };
  });

  const subtotal = results.reduce((sum, l) => sum + l.penalty, 0);
  const cap = capOf(contract.cap, fee, currency);
  const total = cap === undefined ? subtotal : Math.min(subtotal, cap.amount);
  const formula: string[] = [];
  for (const l of results) {
    const state = l.met ? 'met' : 'NOT MET';
    formula.push(`${l.id}: achieved ${l.achieved}% of target ${l.target}% (${state})`);
    for (const p of l.penaltyParts) formula.push(`  ${p.formula}`);
    if (l.penaltyParts.length > 1) formula.push(`  ${l.id} penalty = ${money(l.penalty)}`);
  }
  formula.push(`subtotal = ${results.map((l) => money(l.penalty)).join(' + ') || money(0)} = ${money(subtotal)}`);
  if (cap) formula.push(`${cap.formula}; total = min(${money(subtotal)}, ${money(cap.amount)}) = ${money(total)}`);
  else formula.push(`no cap; total = ${money(total)}`);

  return {
    statementVersion: 1,
    tenantId: input.tenantId,
    contract: {
      reference: contract.reference,
      currency: contract.currency,
      measurementPeriod: contract.measurementPeriod,
    },
    period: {
      label: input.period.label,
      from: new Date(input.period.from).toISOString(),
      to: new Date(input.period.to).toISOString(),
      timeZone: input.timeZone,
    },
    measuredTo: new Date(ctx.end).toISOString(),
    fee,
    levels: results,
    subtotal,
    cap: cap === undefined ? null : { ...cap, applied: subtotal > cap.amount },
    total,
    formula,
    recurrences: recurrences(ctx),
    exclusions: exclusionsOf(input),
    breached: results.some((l) => !l.met),
  };
}

function measureAll(ctx: SlaContext): Measured[] {
  const { levels } = ctx.input.contract;
  const max = MAX_LISTED_BREACHES;
  const out: Measured[] = [];
  if (levels.backupCompliance) {
    const l = levels.backupCompliance;
    out.push({
      id: 'backup-compliance',
      title: 'Backup compliance',
      measures: 'share of protected resource-hours with the RPO met (verification history)',
      unit: 'resource-hours',
      target: l.target,
      level: backupCompliance(ctx, l.target, max),
      penalty: l.penalty,
    });
  }
  if (levels.restoreTests) {
    const l = levels.restoreTests;
    const target = l.target ?? 100;
    out.push({
      id: 'restore-tests',
      title: 'Restore tests',
      measures: 'share of scheduled restore tests that ran and passed',
      unit: 'tests',
      target,
      level: restoreTests(ctx, target, max),
      penalty: l.penalty,
    });
    if (l.coverage !== undefined)
      out.push({
        id: 'restore-coverage',
        title: 'Restore-test coverage',
        measures: `every tested resource passed a restore test within ${l.coverage}`,
        unit: 'resources',
        target: 100,
        level: restoreCoverage(ctx, l.coverage, max),
        penalty: l.penalty,
      });
  }
  if (levels.rto) {
    const l = levels.rto;
    out.push({
      id: 'rto',
      title: 'Recovery time',
      measures: `measured RTO of restore tests within ${l.max}${l.classes?.length ? ' (or its class maximum)' : ''}`,
      unit: 'tests',
      target: l.target ?? 100,
      level: rto(ctx, l, max),
      penalty: l.penalty,
    });
  }
  if (levels.incidents) {
    const l = levels.incidents;
    for (const which of ['acknowledge', 'resolve'] as const) {
      const times = (['critical', 'high', 'medium', 'low'] as const)
        .filter((s) => l[s]?.[which] !== undefined)
        .map((s) => `${s} ${l[s]?.[which]}`);
      if (times.length === 0) continue;
      out.push({
        id: which === 'acknowledge' ? 'incident-acknowledge' : 'incident-resolve',
        title: which === 'acknowledge' ? 'Incident acknowledgement' : 'Incident resolution',
        measures: `incidents ${which === 'acknowledge' ? 'acknowledged' : 'resolved'} within ${times.join(', ')}`,
        unit: 'incidents',
        target: l.target ?? 100,
        level: incidentTimes(ctx, l, which, max),
        penalty: l.penalty,
      });
    }
  }
  if (levels.dossier) {
    const l = levels.dossier;
    if (l.maxStale !== undefined)
      out.push({
        id: 'dossier-stale',
        title: 'Dossier readiness',
        measures: `the published dossier is never stale longer than ${l.maxStale}`,
        unit: 'hours',
        target: 100,
        level: dossierStale(ctx, l.maxStale, max),
        penalty: l.penalty,
      });
    if (l.delivery !== undefined)
      out.push({
        id: 'dossier-delivery',
        title: 'Dossier delivery',
        measures: `a requested dossier is delivered within ${l.delivery}`,
        unit: 'requests',
        target: 100,
        level: dossierDelivery(ctx, l.delivery, max),
        penalty: l.penalty,
      });
  }
  return out;
}

/** Incidents that came back in the period: their root cause was not fixed. */
function recurrences(ctx: SlaContext): Recurrence[] {
  const inPeriod = (text: string) => {
    const at = Date.parse(text);
    return at >= ctx.from && at < ctx.end;
  };
  return ctx.input.facts.incidents
    .filter((i) => i.recurring && (inPeriod(i.openedAt) || i.reopenings.some((r) => inPeriod(r.at))))
    .map((i) => ({
      incidentId: i.incidentId,
      resourceId: i.resourceId,
      summary: i.summary,
      ...(i.recurrenceOf === undefined ? {} : { recurrenceOf: i.recurrenceOf }),
      reopenings: i.reopenings.map((r) => ({ at: r.at, recurring: r.recurring })),
    }))
    .sort((a, b) => (a.incidentId < b.incidentId ? -1 : a.incidentId > b.incidentId ? 1 : 0));
}

function exclusionsOf(input: SlaInput): SlaStatement['exclusions'] {
  const c = input.contract;
  const windows = (c.maintenanceWindows ?? []).map((w) => ({
    reason: w.reason,
    cause: 'maintenance',
    what:
      w.every !== undefined
        ? `every ${w.every} at ${w.at} for ${w.duration} (${input.timeZone})`
        : `${w.from} → ${w.to} (${input.timeZone})`,
  }));
  const others = (c.exclusions ?? []).map((e) => ({
    reason: e.reason,
    cause: e.cause,
    what:
      (e.incident !== undefined ? `incident ${e.incident}` : `${e.from} → ${e.to} (${input.timeZone})`) +
      (e.levels ? `, levels ${e.levels.join(', ')}` : '') +
      (e.resources ? `, resources ${e.resources.join(', ')}` : ''),
  }));
  const byClient = input.facts.incidents.filter((i) => i.cause === 'client').length;
  const auto =
    byClient > 0
      ? [{ reason: 'cause declared as the client’s', cause: 'client', what: `${byClient} incident(s)` }]
      : [];
  return [...windows, ...others, ...auto];
}

/** One line per level for a terminal. */
export function statementLines(s: SlaStatement): string[] {
  const currency = currencyOf(s.contract.currency);
  return s.levels.map(
    (l) =>
      `${l.met ? '✓' : '✗'} ${l.id.padEnd(22)} ${String(l.achieved).padStart(8)}% of ${String(l.target).padStart(6)}%  ${
        l.breachCount
      } breach(es)  ${formatMoney(l.penalty, currency)}`,
  );
}
