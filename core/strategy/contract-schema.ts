/**
 * The `contract` section of the strategy: the service levels an outsourcing contract names, what
 * each one measures, its target and the penalty owed when it is missed, the cap per measurement
 * period, and what does not count (maintenance windows, causes declared as the client's). The SLA
 * statement (core/sla/) is computed from it and the facts Reversa already holds.
 *
 * Its own file for the reason reversibility-schema.ts gives: schema.ts imports it, so it must not
 * import schema.ts back; the duration syntax and text limits are restated.
 */
import * as z from 'zod';
import { INCIDENT_CAUSES, INCIDENT_SEVERITIES } from '../incidents/model.ts';

const MAX_TEXT = 2048;
const DURATION_PATTERN = /^[1-9][0-9]*(m|h|d|w|y)$/;
const DURATION_MESSAGE = 'expected a duration like 15m, 24h, 35d, 2w or 1y';
/** Money in major units (12000.50); checked against the currency's minor digits by the contract. */
export const MAX_MONEY = 1_000_000_000_000;
export const MAX_WINDOWS = 500;
export const MAX_CONTRACT_EXCLUSIONS = 1000;
export const MAX_TIERS = 20;
export const MAX_RTO_CLASSES = 100;
export const MEASUREMENT_PERIODS = ['month', 'quarter'] as const;
export type MeasurementPeriod = (typeof MEASUREMENT_PERIODS)[number];
export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
/** Levels an exclusion may name (absent: every level). */
export const SLA_LEVEL_IDS = [
  'backup-compliance',
  'restore-tests',
  'restore-coverage',
  'rto',
  'incident-acknowledge',
  'incident-resolve',
  'dossier-stale',
  'dossier-delivery',
] as const;
export type SlaLevelId = (typeof SLA_LEVEL_IDS)[number];

/** `2026-01-01`, `2026-11-14T22:00` (wall clock in the tenant timezone) or an ISO time with Z / offset. */
export const LOCAL_TIME_PATTERN =
  /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?:T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?)?$/;
const TIME_MESSAGE =
  'expected a date or time like 2026-01-01 or 2026-11-14T22:00 (tenant timezone), or with Z / +01:00';
const CLOCK_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

const text = (max = MAX_TEXT) =>
  z
    .string({ error: 'expected a text string' })
    .min(1, { error: 'expected a non-empty string' })
    .max(max, { error: `expected at most ${max} characters` });
const duration = () =>
  z
    .string({ error: DURATION_MESSAGE })
    .max(8, { error: DURATION_MESSAGE })
    .regex(DURATION_PATTERN, { error: DURATION_MESSAGE });
const time = () =>
  z
    .string({ error: TIME_MESSAGE })
    .max(32, { error: TIME_MESSAGE })
    .regex(LOCAL_TIME_PATTERN, { error: TIME_MESSAGE })
    .refine(isRealDate, { error: 'no such calendar date' });
const money = () =>
  z
    .number({ error: 'expected an amount like 12000 or 150.50 (in the contract currency)' })
    .min(0, { error: 'expected an amount of at least 0' })
    .max(MAX_MONEY, { error: `expected an amount of at most ${MAX_MONEY}` })
    .describe('An amount in the contract currency (major units, at most its minor digits: 150.50 EUR).');
const percent = (what: string) =>
  z
    .number({ error: `expected ${what} as a percentage from 0 to 100` })
    .min(0, { error: `expected ${what} as a percentage from 0 to 100` })
    .max(100, { error: `expected ${what} as a percentage from 0 to 100` })
    .refine((v) => hasAtMostDecimals(v, 3), { error: 'expected at most 3 decimals' });

export function hasAtMostDecimals(value: number, digits: number): boolean {
  const scaled = value * 10 ** digits;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}

function isRealDate(value: string): boolean {
  const m = LOCAL_TIME_PATTERN.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

const tierSchema = z
  .strictObject({
    below: percent('the level under which the tier applies').describe(
      'The tier applies when the achieved level is strictly below this percentage.',
    ),
    percentOfFee: percent('the share of the fee').describe('Penalty: this percentage of the period fee.'),
  })
  .describe('One tier: achieved below `below` % costs `percentOfFee` % of the period fee.');

export const penaltySchema = z
  .strictObject({
    perBreach: money().optional().describe('Fixed amount per breach.'),
    perStartedHour: money().optional().describe('Amount per started hour beyond the target.'),
    perStartedDay: money().optional().describe('Amount per started day (24 h) beyond the target.'),
    tiers: z
      .array(tierSchema)
      .min(1, { error: 'expected at least one tier' })
      .max(MAX_TIERS, { error: `expected at most ${MAX_TIERS} tiers` })
      .optional()
      .describe('Percentage of the period fee by tier of achieved level; the lowest tier reached applies, once.'),
  })
  .refine((p) => Object.keys(p).length > 0, {
    error: 'expected at least one of perBreach, perStartedHour, perStartedDay or tiers',
  })
  .optional()
  .describe('What a missed level costs. Penalties apply only when the level is not met.');

const target = (fallback: string) =>
  percent('the target')
    .optional()
    .describe(`Share (percent) of what is measured that must meet the level. Default: ${fallback}.`);

const backupComplianceSchema = z
  .strictObject({
    target: percent('the target').describe(
      'Share (percent) of protected resource-time with the RPO met, from the verification history.',
    ),
    penalty: penaltySchema,
  })
  .describe('Backup compliance: share of protected resource-hours with the RPO met.');

const restoreTestsLevelSchema = z
  .strictObject({
    target: target('100').describe('Share (percent) of scheduled restore tests that ran and passed.'),
    coverage: duration()
      .optional()
      .describe('Every declared resource of a restore-test policy is tested (and passes) at least once per this.'),
    penalty: penaltySchema,
  })
  .describe('Restore tests: share of scheduled tests that ran and passed, and coverage.');

const rtoClassSchema = z
  .strictObject({
    name: text(128).describe('Name of the class (shown in the statement).'),
    resources: z
      .array(text())
      .min(1, { error: 'expected at least one locator' })
      .max(10_000, { error: 'expected at most 10000 locators' })
      .optional()
      .describe('Locators of the resources in this class. Exactly one of resources or source.'),
    source: z
      .enum(['aws-backup', 'restic', 'pgbackrest', 'generic'], {
        error: 'expected one of aws-backup, restic, pgbackrest, generic',
      })
      .optional()
      .describe('Every resource of this source. Exactly one of resources or source.'),
    max: duration().describe('Longest acceptable measured RTO for this class.'),
  })
  .refine((c) => (c.resources === undefined) !== (c.source === undefined), {
    error: 'expected exactly one of resources or source',
  })
  .describe('An RTO class: a set of resources with its own maximum.');

const rtoLevelSchema = z
  .strictObject({
    max: duration().describe('Longest acceptable measured RTO of a restore test (unless a class says otherwise).'),
    classes: z
      .array(rtoClassSchema)
      .max(MAX_RTO_CLASSES, { error: `expected at most ${MAX_RTO_CLASSES} classes` })
      .optional()
      .describe('Per-resource maxima; the first class naming a resource applies.'),
    target: target('100').describe('Share (percent) of restore tests whose measured RTO is within the maximum.'),
    penalty: penaltySchema,
  })
  .describe('RTO: measured RTO of restore tests against a maximum per resource or class.');

const severityTimesSchema = z
  .strictObject({
    acknowledge: duration().optional().describe('Acknowledged within this long of opening.'),
    resolve: duration().optional().describe('Resolved within this long of opening.'),
  })
  .describe('Response times for one severity.');

const incidentLevelSchema = z
  .strictObject({
    ...(Object.fromEntries(INCIDENT_SEVERITIES.map((s) => [s, severityTimesSchema.optional()])) as Record<
      (typeof INCIDENT_SEVERITIES)[number],
      z.ZodOptional<typeof severityTimesSchema>
    >),
    target: target('100').describe('Share (percent) of incidents acknowledged (resolved) in time.'),
    penalty: penaltySchema,
  })
  .describe('Incident response: acknowledged within and resolved within, per severity.');

const dossierLevelSchema = z
  .strictObject({
    maxStale: duration().optional().describe('The published dossier is never stale longer than this.'),
    delivery: duration().optional().describe('A dossier is delivered within this long of a reversibility request.'),
    penalty: penaltySchema,
  })
  .refine((d) => d.maxStale !== undefined || d.delivery !== undefined, {
    error: 'expected maxStale, delivery or both',
  })
  .describe('Dossier readiness: never stale longer than maxStale; delivered within delivery of a request.');

const windowSchema = z
  .strictObject({
    from: time().optional().describe('Start of a one-off window (tenant timezone unless Z / offset).'),
    to: time().optional().describe('End (exclusive) of a one-off window.'),
    every: z
      .enum(['day', ...WEEKDAYS], { error: `expected day or one of ${WEEKDAYS.join(', ')}` })
      .optional()
      .describe('A recurring window: every day, or every given weekday.'),
    at: z
      .string({ error: 'expected a wall-clock time like 02:00' })
      .regex(CLOCK_PATTERN, { error: 'expected a wall-clock time like 02:00' })
      .optional()
      .describe('Start of a recurring window, wall clock in the tenant timezone.'),
    duration: duration().optional().describe('Length of a recurring window.'),
    reason: text().describe('Why (shown in the statement).'),
  })
  .superRefine((w, ctx) => {
    const oneOff = w.from !== undefined || w.to !== undefined;
    const recurring = w.every !== undefined || w.at !== undefined || w.duration !== undefined;
    if (oneOff === recurring) {
      ctx.addIssue({ code: 'custom', message: 'expected either from and to, or every, at and duration', path: [] });
      return;
    }
    const need = (keys: readonly ('from' | 'to' | 'every' | 'at' | 'duration')[]) => {
      for (const key of keys)
        if (w[key] === undefined) ctx.addIssue({ code: 'custom', message: `missing required key '${key}'`, path: [] });
    };
    need(oneOff ? ['from', 'to'] : ['every', 'at', 'duration']);
  })
  .describe('A maintenance window: one-off (from, to) or recurring (every, at, duration). Time in it does not count.');

const exclusionSchema = z
  .strictObject({
    from: time().optional().describe('Start of the excluded time.'),
    to: time().optional().describe('End (exclusive) of the excluded time.'),
    incident: text(512).optional().describe('An incident (finding id) that does not count.'),
    cause: z
      .enum(INCIDENT_CAUSES, { error: `expected one of ${INCIDENT_CAUSES.join(', ')}` })
      .describe('Whose side caused it: client (the contract excludes it), third-party, provider, unknown.'),
    levels: z
      .array(z.enum(SLA_LEVEL_IDS, { error: `expected one of ${SLA_LEVEL_IDS.join(', ')}` }))
      .min(1, { error: 'expected at least one level' })
      .max(SLA_LEVEL_IDS.length, { error: `expected at most ${SLA_LEVEL_IDS.length} levels` })
      .optional()
      .describe('Levels it applies to. Default: every level.'),
    resources: z
      .array(text())
      .min(1, { error: 'expected at least one locator' })
      .max(10_000, { error: 'expected at most 10000 locators' })
      .optional()
      .describe('Resources it applies to. Default: every resource.'),
    reason: text().describe('Why it does not count (shown in the statement).'),
  })
  .superRefine((e, ctx) => {
    const window = e.from !== undefined || e.to !== undefined;
    if (window === (e.incident !== undefined)) {
      ctx.addIssue({ code: 'custom', message: 'expected either from and to, or incident', path: [] });
    } else if (window && (e.from === undefined || e.to === undefined)) {
      ctx.addIssue({ code: 'custom', message: `missing required key '${e.from === undefined ? 'from' : 'to'}'` });
    }
  })
  .describe('Something the service levels do not count: a time window or an incident, with its cause.');

const levelsSchema = z
  .strictObject({
    backupCompliance: backupComplianceSchema.optional(),
    restoreTests: restoreTestsLevelSchema.optional(),
    rto: rtoLevelSchema.optional(),
    incidents: incidentLevelSchema.optional(),
    dossier: dossierLevelSchema.optional(),
  })
  .refine((l) => Object.keys(l).length > 0, { error: 'expected at least one service level' })
  .describe('The service levels: each with its target, what it measures and its penalty.');

const capSchema = z
  .strictObject({
    amount: money().optional().describe('At most this much per measurement period.'),
    percentOfFee: percent('the cap').optional().describe('At most this percentage of the period fee.'),
  })
  .refine((c) => (c.amount === undefined) !== (c.percentOfFee === undefined), {
    error: 'expected exactly one of amount or percentOfFee',
  })
  .describe('Cap on the penalties of one measurement period.');

export const contractSchema = z
  .strictObject({
    reference: text(128).describe('Contract reference, e.g. MSA-2026-014.'),
    start: time().describe('First day the contract applies (tenant timezone).'),
    end: time().optional().describe('Last instant of the contract (exclusive). Absent: open-ended.'),
    noticePeriod: duration().optional().describe('Notice period for termination, e.g. 90d.'),
    currency: z
      .string({ error: 'expected an ISO 4217 currency code like EUR' })
      .regex(/^[A-Z]{3}$/, { error: 'expected an ISO 4217 currency code like EUR' })
      .refine(isCurrency, { error: 'expected an ISO 4217 currency code like EUR' })
      .describe('ISO 4217 currency of the fee and penalties.'),
    monthlyFee: money().describe('Monthly fee; a quarter counts three.'),
    measurementPeriod: z
      .enum(MEASUREMENT_PERIODS, { error: 'expected month or quarter' })
      .describe('Calendar month or quarter in the tenant timezone.'),
    maintenanceWindows: z
      .array(windowSchema)
      .max(MAX_WINDOWS, { error: `expected at most ${MAX_WINDOWS} windows` })
      .optional(),
    exclusions: z
      .array(exclusionSchema)
      .max(MAX_CONTRACT_EXCLUSIONS, { error: `expected at most ${MAX_CONTRACT_EXCLUSIONS} exclusions` })
      .optional()
      .describe('Times and incidents the levels do not count (e.g. causes declared as the client’s).'),
    levels: levelsSchema,
    cap: capSchema.optional(),
  })
  .superRefine((c, ctx) => {
    const digits = minorDigits(c.currency);
    if (digits === undefined) return;
    const check = (value: number | undefined, path: PropertyKey[]) => {
      if (value !== undefined && !hasAtMostDecimals(value, digits))
        ctx.addIssue({ code: 'custom', message: `expected at most ${digits} decimals for ${c.currency}`, path });
    };
    check(c.monthlyFee, ['monthlyFee']);
    check(c.cap?.amount, ['cap', 'amount']);
    for (const [name, level] of Object.entries(c.levels) as [string, { penalty?: Record<string, unknown> }][]) {
      for (const key of ['perBreach', 'perStartedHour', 'perStartedDay'])
        check(level.penalty?.[key] as number | undefined, ['levels', name, 'penalty', key]);
    }
  })
  .optional()
  .describe('The contract: service levels, their penalties, the cap and the exclusions.');

export type ContractSection = NonNullable<z.infer<typeof contractSchema>>;
export type PenaltyDeclaration = NonNullable<z.infer<typeof penaltySchema>>;
export type MaintenanceWindow = NonNullable<ContractSection['maintenanceWindows']>[number];
export type ContractExclusion = NonNullable<ContractSection['exclusions']>[number];

function isCurrency(code: string): boolean {
  return minorDigits(code) !== undefined;
}

/** Minor digits of an ISO 4217 currency (EUR 2, JPY 0), from Intl; undefined for an unknown code. */
export function minorDigits(code: string): number | undefined {
  try {
    const supported = Intl.supportedValuesOf('currency');
    if (!supported.includes(code)) return undefined;
    return new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits;
  } catch {
    return undefined;
  }
}
