/**
 * Penalties, written out: a fixed amount per breach, an amount per started hour or day beyond the
 * target, a percentage of the period fee by tier of achieved level; then the cap of the period.
 * Only a level that is not met costs anything. Every step is a line of text an accountant can redo.
 */
import type { ContractSection, PenaltyDeclaration } from '../strategy/contract-schema.ts';
import type { MeasuredLevel } from './backup-compliance.ts';
import { type Currency, formatMoney, percentOf, toMinor } from './money.ts';
import type { PenaltyPart } from './types.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;

export function levelPenalty(
  measured: MeasuredLevel,
  declared: PenaltyDeclaration | undefined,
  fee: number,
  currency: Currency,
): PenaltyPart[] {
  if (measured.met || declared === undefined) return [];
  const money = (minor: number) => formatMoney(minor, currency);
  const parts: PenaltyPart[] = [];
  if (declared.perBreach !== undefined && measured.breachCount > 0) {
    const unit = toMinor(declared.perBreach, currency);
    const amount = unit * measured.breachCount;
    parts.push({
      kind: 'perBreach',
      amount,
      formula: `${measured.breachCount} breach${measured.breachCount === 1 ? '' : 'es'} × ${money(unit)} = ${money(amount)}`,
    });
  }
  const started = (per: number) => measured.overruns.reduce((sum, ms) => sum + Math.ceil(ms / per), 0);
  for (const [kind, per, word] of [
    ['perStartedHour', HOUR, 'hour'],
    ['perStartedDay', DAY, 'day'],
  ] as const) {
    const rate = declared[kind];
    const count = started(per);
    if (rate === undefined || count === 0) continue;
    const unit = toMinor(rate, currency);
    const amount = unit * count;
    parts.push({
      kind,
      amount,
      formula: `${count} started ${word}${count === 1 ? '' : 's'} beyond the target × ${money(unit)} = ${money(amount)}`,
    });
  }
  // The lowest tier the achieved level is below: one tier applies, the most severe reached.
  const tier = [...(declared.tiers ?? [])]
    .filter((t) => measured.achieved < t.below)
    .sort((a, b) => a.below - b.below || b.percentOfFee - a.percentOfFee)[0];
  if (tier) {
    const amount = percentOf(fee, tier.percentOfFee);
    parts.push({
      kind: 'tier',
      amount,
      formula: `achieved ${measured.achieved}% < ${tier.below}%: ${tier.percentOfFee}% of the period fee ${money(fee)} = ${money(amount)}`,
    });
  }
  return parts;
}

export function capOf(
  cap: ContractSection['cap'],
  fee: number,
  currency: Currency,
): { amount: number; formula: string } | undefined {
  if (cap === undefined) return undefined;
  if (cap.amount !== undefined) {
    const amount = toMinor(cap.amount, currency);
    return { amount, formula: `cap ${formatMoney(amount, currency)} per period` };
  }
  const amount = percentOf(fee, cap.percentOfFee ?? 0);
  return {
    amount,
    formula: `cap ${cap.percentOfFee}% of the period fee ${formatMoney(fee, currency)} = ${formatMoney(amount, currency)}`,
  };
}
