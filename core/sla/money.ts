/**
 * Money in integer minor units (cents), so penalties add up exactly and a statement computed twice
 * is byte-identical. Amounts are declared in major units (150.50) and converted once; percentages
 * of a fee are taken in BigInt and rounded half up, the way an invoice rounds.
 */
import { minorDigits } from '../strategy/contract-schema.ts';

export interface Currency {
  code: string;
  digits: number;
}

export function currencyOf(code: string): Currency {
  return { code, digits: minorDigits(code) ?? 2 };
}

/** 150.5 EUR → 15050. */
export function toMinor(amount: number, currency: Currency): number {
  return Math.round(amount * 10 ** currency.digits);
}

/** `percent` (at most 3 decimals) of `minor`, rounded half up. */
export function percentOf(minor: number, percent: number): number {
  const milli = BigInt(Math.round(percent * 1000));
  const scaled = BigInt(minor) * milli;
  return Number((scaled + 50_000n) / 100_000n);
}

/** 15050 EUR → "150.50 EUR" (no locale grouping: statements are compared as text). */
export function formatMoney(minor: number, currency: Currency): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  if (currency.digits === 0) return `${sign}${abs} ${currency.code}`;
  const unit = 10 ** currency.digits;
  const major = Math.floor(abs / unit);
  const rest = String(abs % unit).padStart(currency.digits, '0');
  return `${sign}${major}.${rest} ${currency.code}`;
}
