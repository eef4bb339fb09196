/**
 * Applies a declared strategy: validate it fully, route the tenant's AWS accounts, store a new
 * immutable version (or get the existing one back when the content is identical), and mark the
 * tenant dirty so the next sweep verifies it against the new version.
 */
import type { AuditDeps } from '../audit/ports.ts';
import type { StoredStrategyVersion, StrategyStore, TenantStore } from '../ports.ts';
import { type ScheduleManager, schedulesFor } from '../restore/schedule.ts';
import { parseStrategy } from '../strategy/parse.ts';
import { awsAccountsOf } from '../strategy/routing.ts';
import { recordInAuditLog } from './audit-trail.ts';

export interface ApplyStrategyDeps {
  strategies: StrategyStore;
  tenants: TenantStore;
  /** Where the change is recorded; every new version gets an audit-log entry. */
  audit: AuditDeps;
  /** Restore-test schedules (EventBridge Scheduler in AWS): synced with the applied strategy's policies. */
  schedules?: ScheduleManager;
}

export interface ApplyStrategyInput {
  text: string;
  fileName: string;
  author: string;
  /** Epoch milliseconds: becomes the version's appliedAt and the dirty mark. */
  now: number;
}

export interface ApplyStrategyResult {
  version: StoredStrategyVersion;
  created: boolean;
}

/** Throws ValidationError (with every problem) for an invalid document, before anything is written. */
export async function applyStrategy(deps: ApplyStrategyDeps, input: ApplyStrategyInput): Promise<ApplyStrategyResult> {
  const parsed = parseStrategy(input.text, input.fileName);
  const tenantId = parsed.document.tenant.id;
  // Routing first: an account claimed by another tenant is a ValidationError, and then no version
  // exists that the routing does not reflect.
  await deps.tenants.setAwsAccounts(tenantId, awsAccountsOf(parsed.document));
  const result = await deps.strategies.putVersion({
    tenantId,
    contentSha256: parsed.contentSha256,
    appliedAt: input.now,
    author: input.author,
    source: parsed.text,
    fileName: parsed.fileName,
  });
  if (result.created) await deps.tenants.markDirty(tenantId, input.now);
  // Once per version, also when the content was stored already: an apply that died between the two
  // writes is completed by applying again, instead of leaving a version the log never saw.
  const v = result.version;
  await recordInAuditLog(
    deps.audit,
    tenantId,
    {
      type: 'strategy-change',
      record: v,
      summary: { version: v.version, contentSha256: v.contentSha256, author: v.author, fileName: v.fileName },
      time: v.appliedAt,
    },
    { once: `strategy-change:v${v.version}`, now: input.now },
  );
  // Also when the content is unchanged: a sync that failed last time is repaired by applying again.
  await deps.schedules?.sync(tenantId, schedulesFor(parsed.document, tenantId));
  return result;
}
