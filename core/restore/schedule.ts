/**
 * EventBridge Scheduler schedules derived from a strategy's restore-test policies: one schedule per
 * policy. Each firing invokes the dispatcher (functions/restore/dispatch.ts) with the tenant, the
 * policy and the scheduled time, which starts one workflow execution per resource under a
 * deterministic name, so a schedule delivered twice runs each test once.
 *
 * Names are deterministic and reversible to their tenant: `rt.<tenant>.<policy hash>`. `.` never
 * occurs in a tenant id, so the prefix `rt.<tenant>.` lists exactly one tenant's schedules (with a
 * `-` separator, tenant `acme` would also list `acme-2`'s). Pure: no clock, no I/O.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../errors.ts';
import { parseDuration } from '../strategy/duration.ts';
import type { RestorePolicyDeclaration, StrategyDocument } from '../strategy/schema.ts';

/** The schedule group every restore-test schedule lives in (created by the CDK stack). */
export const RESTORE_SCHEDULE_GROUP = 'reversa-restore-tests';
/** EventBridge Scheduler's limit on schedule names. */
export const MAX_SCHEDULE_NAME_LENGTH = 64;
/** Tenant ids longer than this are replaced by a hash in schedule names (64-character limit). */
const MAX_LITERAL_TENANT = 43;

export interface RestoreScheduleInput {
  tenantId: string;
  policyName: string;
}

export interface RestoreSchedule {
  /** `rt.<tenant>.<16 hex of SHA-256(policy name)>`, at most 64 characters. */
  name: string;
  /** `cron(<6 fields>)` or `rate(<n> <unit>)`. */
  expression: string;
  /** IANA zone the cron is evaluated in (the strategy timezone). */
  timezone: string;
  input: RestoreScheduleInput;
}

const hex = (text: string, chars: number) => createHash('sha256').update(text, 'utf8').digest('hex').slice(0, chars);

/** `rt.<tenant>.`: every schedule of the tenant, and no other tenant's. */
export function schedulePrefix(tenantId: string): string {
  // `_` never occurs in a tenant id either: a hashed tenant cannot collide with a literal one.
  const tenant = tenantId.length <= MAX_LITERAL_TENANT ? tenantId : `_${hex(tenantId, 24)}`;
  return `rt.${tenant}.`;
}

export function scheduleName(tenantId: string, policyName: string): string {
  return `${schedulePrefix(tenantId)}${hex(policyName, 16)}`;
}

/** `every: 7d` → `rate(7 days)`; weeks become days, years 365 days (Scheduler has no calendar rate). */
export function rateExpression(every: string): string {
  const d = parseDuration(every, { file: '<strategy>', path: 'restoreTests.policies[].schedule.every' });
  const [amount, unit] =
    d.unit === 'm'
      ? [d.amount, 'minute']
      : d.unit === 'h'
        ? [d.amount, 'hour']
        : d.unit === 'd'
          ? [d.amount, 'day']
          : d.unit === 'w'
            ? [d.amount * 7, 'day']
            : [d.amount * 365, 'day'];
  return `rate(${amount} ${unit}${amount === 1 ? '' : 's'})`;
}

export function expressionOf(policy: Pick<RestorePolicyDeclaration, 'schedule' | 'name'>): string {
  if (policy.schedule.cron !== undefined) return `cron(${policy.schedule.cron.trim().split(/\s+/).join(' ')})`;
  if (policy.schedule.every !== undefined) return rateExpression(policy.schedule.every);
  throw new ValidationError('InvalidRestoreSchedule', [
    { file: '<strategy>', path: `restoreTests.policies[${policy.name}].schedule`, message: 'expected cron or every' },
  ]);
}

/** The schedules a strategy asks for, sorted by name. */
export function schedulesFor(doc: StrategyDocument, tenantId: string): RestoreSchedule[] {
  return (doc.restoreTests?.policies ?? [])
    .map((policy) => ({
      name: scheduleName(tenantId, policy.name),
      expression: expressionOf(policy),
      timezone: doc.timezone,
      input: { tenantId, policyName: policy.name },
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Applies the tenant's schedules (create, update, delete) in the scheduler; see adapters/aws/scheduler-schedule-manager.ts. */
export interface ScheduleManager {
  /** Makes the tenant's schedules exactly `schedules`: creates new, updates changed, deletes the rest. */
  sync(
    tenantId: string,
    schedules: readonly RestoreSchedule[],
  ): Promise<{ created: string[]; updated: string[]; deleted: string[] }>;
}
