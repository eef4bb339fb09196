/**
 * The deadline sweep. AWS Backup emits no event for a backup that never ran, so a missed backup can
 * only be noticed by looking at the clock: every few minutes the sweep starts a verification of each
 * tenant whose earliest RPO deadline has passed, whose facts changed, or that was not verified for a
 * day. With a 5-minute schedule a missed backup is reported at most 5 minutes after its deadline.
 *
 * New facts alone start a verification at most once an hour (`newFactsEveryMs`): a nightly backup
 * window marks a tenant dirty in every 5-minute slot for hours, and verifying each slot was most of
 * the cost of running Reversa (`npm run bench -- cost`: 1,441 verifications a tenant-month, $3.30 at
 * 1,000 resources, against $0.57 when coalesced). Deadlines are not delayed: a passed deadline
 * verifies at once, and that verification reads every fact that arrived, so a backup that came in
 * just before its deadline is never reported missing.
 */
import type { Clock, StrategyStore, TenantState, TenantStore, VerifyStarter } from '../ports.ts';

export type SweepReason = 'never-verified' | 'deadline-passed' | 'new-facts' | 'stale';

export interface SweepDeps {
  strategies: Pick<StrategyStore, 'listTenants'>;
  tenants: Pick<TenantStore, 'get'>;
  starter: VerifyStarter;
  clock: Clock;
}

export interface SweepOptions {
  /** Width of the schedule slot the execution name is derived from; a double delivery in one slot starts once. Default 5. */
  slotMinutes?: number;
  /** A tenant not verified for this long is verified anyway (catches facts we never heard about). Default 24 h. */
  staleAfterMs?: number;
  /** New facts start a verification only once the last one is this old. Default 1 h; 0 verifies every slot. */
  newFactsEveryMs?: number;
}

/** When a tenant is due: the sweep's two clocks besides the RPO deadlines. */
export interface DuePolicy {
  staleAfterMs: number;
  newFactsEveryMs: number;
}

export interface SweepResult {
  /** When the sweep ran (epoch ms). */
  at: number;
  tenants: number;
  started: { tenantId: string; name: string; reason: SweepReason }[];
  /** Due, but an execution with the same name already exists (double delivery). */
  alreadyStarted: { tenantId: string; name: string; reason: SweepReason }[];
}

export const DEFAULT_SLOT_MINUTES = 5;
export const DEFAULT_STALE_AFTER_MS = 24 * 3_600_000;
export const DEFAULT_NEW_FACTS_EVERY_MS = 3_600_000;
export const DEFAULT_DUE_POLICY: DuePolicy = {
  staleAfterMs: DEFAULT_STALE_AFTER_MS,
  newFactsEveryMs: DEFAULT_NEW_FACTS_EVERY_MS,
};
/** Step Functions execution names are at most 80 characters. */
const MAX_EXECUTION_NAME = 80;

/** Why the tenant must be verified now, or undefined when it need not be. Order: most urgent reason first. */
export function dueReason(
  state: TenantState | undefined,
  now: number,
  policy: DuePolicy = DEFAULT_DUE_POLICY,
): SweepReason | undefined {
  if (state?.lastVerifiedAt === undefined) return 'never-verified';
  if (state.nextDeadline !== undefined && now >= state.nextDeadline) return 'deadline-passed';
  const sinceVerified = now - state.lastVerifiedAt;
  if (state.dirtySince !== undefined && sinceVerified >= policy.newFactsEveryMs) return 'new-facts';
  if (sinceVerified >= policy.staleAfterMs) return 'stale';
  return undefined;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `yyyymmddThhmm` (UTC) of the start of the slot containing `at`. */
export function slotStamp(at: number, slotMinutes: number = DEFAULT_SLOT_MINUTES): string {
  const slotMs = slotMinutes * 60_000;
  const d = new Date(Math.floor(at / slotMs) * slotMs);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;
}

/** FNV-1a, 32 bits, hex: a deterministic shortener for names that would not fit. Not a security hash. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * `verify-<tenant>-<yyyymmddThhmm>`: the same tenant in the same slot always gets the same name, so
 * Step Functions (or the local starter) refuses a second execution. Tenant ids too long for the
 * 80-character limit are cut and suffixed with a hash to stay unique.
 */
export function sweepExecutionName(tenantId: string, at: number, slotMinutes: number = DEFAULT_SLOT_MINUTES): string {
  const stamp = slotStamp(at, slotMinutes);
  const name = `verify-${tenantId}-${stamp}`;
  if (name.length <= MAX_EXECUTION_NAME) return name;
  const room = MAX_EXECUTION_NAME - 'verify-'.length - 1 - stamp.length - 9;
  return `verify-${tenantId.slice(0, room)}-${fnv1a(tenantId)}-${stamp}`;
}

export async function sweep(deps: SweepDeps, opts: SweepOptions = {}): Promise<SweepResult> {
  const slotMinutes = opts.slotMinutes ?? DEFAULT_SLOT_MINUTES;
  const policy: DuePolicy = {
    staleAfterMs: opts.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
    newFactsEveryMs: opts.newFactsEveryMs ?? DEFAULT_NEW_FACTS_EVERY_MS,
  };
  const now = deps.clock.now();
  const tenantIds = await deps.strategies.listTenants();
  const result: SweepResult = { at: now, tenants: tenantIds.length, started: [], alreadyStarted: [] };
  for (const tenantId of tenantIds) {
    const reason = dueReason(await deps.tenants.get(tenantId), now, policy);
    if (reason === undefined) continue;
    const name = sweepExecutionName(tenantId, now, slotMinutes);
    // `at` is the sweep time, not the slot start: a deadline passed inside the slot must count as passed.
    const { started } = await deps.starter.start({ tenantId, at: new Date(now).toISOString(), reason }, name);
    (started ? result.started : result.alreadyStarted).push({ tenantId, name, reason });
  }
  return result;
}
