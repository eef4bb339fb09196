/**
 * When to try a failed delivery again, and when to stop. The schedule is the one the Standard
 * Webhooks spec suggests (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: about a day and
 * a half in all), with up to 10 % jitter derived from the delivery's id, so retries of many
 * deliveries spread out yet the same delivery always gets the same schedule (testable, no Math.random).
 *
 * What counts as worth retrying: network errors, timeouts, 408, 429 and 5xx. Other 4xx mean the
 * endpoint refuses this message (moved, gone, bad auth): retrying would only repeat the refusal, so
 * it goes straight to the dead letters with the status, where the provider sees it.
 */
import { sha256Hex } from '../audit/hash.ts';

/** Delay before attempt n+1 after attempt n failed (index 0: after the first attempt). */
export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

export type AttemptOutcome =
  | { kind: 'delivered'; status?: number }
  | { kind: 'failed'; status?: number; error: string };

export type NextStep = { kind: 'done' } | { kind: 'retry'; at: number } | { kind: 'dead-letter'; reason: string };

export function retryable(outcome: Extract<AttemptOutcome, { kind: 'failed' }>): boolean {
  const s = outcome.status;
  return s === undefined || s === 408 || s === 429 || s >= 500;
}

/** Jitter in [0, 10 %) of the delay, fixed by the delivery key and attempt. */
function jitter(key: string, attempt: number, delay: number): number {
  const fraction = Number.parseInt(sha256Hex(`${key}#${attempt}`).slice(0, 8), 16) / 0x1_0000_0000;
  return Math.floor(delay * 0.1 * fraction);
}

/** After attempt `attempt` (1-based) ended at `at` with `outcome`. */
export function nextStep(key: string, attempt: number, at: number, outcome: AttemptOutcome): NextStep {
  if (outcome.kind === 'delivered') return { kind: 'done' };
  if (!retryable(outcome)) return { kind: 'dead-letter', reason: `refused with HTTP ${outcome.status}, not retried` };
  const delay = RETRY_DELAYS_MS[attempt - 1];
  if (delay === undefined) return { kind: 'dead-letter', reason: `still failing after ${attempt} attempts` };
  return { kind: 'retry', at: at + delay + jitter(key, attempt, delay) };
}
