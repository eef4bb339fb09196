/**
 * Rate limiting of password logins (local identity provider): after `maxFailures` failures for
 * one account, or from one client address, within `windowMs`, logins are refused until the oldest
 * failure leaves the window. Counting per account stops guessing one password from many
 * addresses; per address stops spraying many accounts from one. Time is injected (no clock reads).
 */
import { TooManyRequestsError } from '../errors.ts';

export interface ThrottleOptions {
  maxFailures?: number;
  windowMs?: number;
  /** Keys tracked at most (oldest dropped first), so a flood of addresses cannot exhaust memory. */
  maxKeys?: number;
}

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;

  constructor(options: ThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? 5;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  private recent(key: string, now: number): number[] {
    const kept = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
    return kept;
  }

  /** Throws TooManyRequestsError when the account or the address is locked out now. */
  check(keys: { account: string; address: string }, now: number): void {
    for (const key of [`a:${keys.account}`, `i:${keys.address}`]) {
      const recent = this.recent(key, now);
      if (recent.length >= this.maxFailures) {
        const retryAfter = Math.ceil(((recent[0] as number) + this.windowMs - now) / 1000);
        throw new TooManyRequestsError(
          'TooManyLogins',
          `too many failed logins; try again in ${retryAfter} s`,
          Math.max(1, retryAfter),
        );
      }
    }
  }

  failed(keys: { account: string; address: string }, now: number): void {
    for (const key of [`a:${keys.account}`, `i:${keys.address}`]) {
      this.failures.set(key, [...this.recent(key, now), now]);
      if (this.failures.size > this.maxKeys) this.failures.delete(this.failures.keys().next().value as string);
    }
  }

  succeeded(keys: { account: string }): void {
    this.failures.delete(`a:${keys.account}`);
  }
}
