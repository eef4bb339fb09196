/**
 * The declared strategy document: THE one source of truth for its shape. The JSON Schema in
 * schema/strategy.schema.json is generated from this file (write-json-schema.ts), and the
 * TypeScript type below is inferred from it, so the three can never disagree.
 *
 * Every object is strict (unknown keys are errors, usually typos) and every collection and string is
 * size-limited because strategies are untrusted input that may reach a Lambda.
 */
import * as z from 'zod';
import { BACKUP_SOURCES } from '../model.ts';
import { contractSchema } from './contract-schema.ts';
import { incidentsSchema } from './incidents-schema.ts';
import { notificationsSchema } from './notifications-schema.ts';
import { reversibilitySchema } from './reversibility-schema.ts';

export const API_VERSION = 'reversa/v1';

export const MAX_RESOURCES = 10_000;
export const MAX_EXCLUSIONS = 10_000;
export const MAX_STRING_LENGTH = 2048;
export const MAX_TAGS = 50;
export const MAX_AWS_ACCOUNTS = 1000;

export const DURATION_PATTERN = /^[1-9][0-9]*(m|h|d|w|y)$/;
export const DURATION_MESSAGE = 'expected a duration like 15m, 24h, 35d, 2w or 1y';
/** Longer duration strings are nonsense (a billion years) and would overflow date arithmetic. */
const MAX_DURATION_LENGTH = 8;

export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ACCOUNT_ID_PATTERN = /^[0-9]{12}$/;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-[0-9]+$/;
/** IANA names only (Area/Location, UTC, Etc/GMT+1): Intl would also accept offsets like +01:00. */
const TIMEZONE_PATTERN = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;
const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[\w+=,.@/-]{1,512}$/;

export function isValidTimeZone(name: string): boolean {
  if (!TIMEZONE_PATTERN.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const text = (max = MAX_STRING_LENGTH) =>
  z
    .string({ error: 'expected a text string' })
    .min(1, { error: 'expected a non-empty string' })
    .max(max, { error: `expected at most ${max} characters` });

export const durationSchema = z
  .string({ error: DURATION_MESSAGE })
  .max(MAX_DURATION_LENGTH, { error: DURATION_MESSAGE })
  .regex(DURATION_PATTERN, { error: DURATION_MESSAGE })
  .meta({
    description:
      'A duration: <integer><unit>. m (minutes) and h (hours) are absolute; d (days), w (weeks) and y (years) are calendar units in the tenant timezone. Examples: 15m, 24h, 35d, 2w, 1y.',
    examples: ['15m', '24h', '35d', '2w', '1y'],
  });

const bool = () => z.boolean({ error: 'expected true or false' });
const count = (min: number, max: number) =>
  z
    .int({ error: `expected a whole number between ${min} and ${max}` })
    .min(min, { error: `expected a whole number between ${min} and ${max}` })
    .max(max, { error: `expected a whole number between ${min} and ${max}` });

const sourceSchema = z
  .enum(BACKUP_SOURCES, { error: `expected one of ${BACKUP_SOURCES.join(', ')}` })
  .describe('Where backup facts come from: aws-backup, restic, pgbackrest or generic (a JSON job report).');

export const IMMUTABILITY_MODES = ['vault-lock', 'object-lock', 'any'] as const;
export const ANOMALY_SENSITIVITIES = ['off', 'low', 'medium', 'high'] as const;

const copiesSchema = z
  .strictObject({
    min: count(0, 100)
      .optional()
      .describe('Minimum number of copies of each recovery point besides the original. Built-in default: 0.'),
    otherRegion: bool()
      .optional()
      .describe('At least one copy must be in another AWS region than the original. Built-in default: false.'),
    otherAccount: bool()
      .optional()
      .describe('At least one copy must be in another AWS account than the original. Built-in default: false.'),
    offsite: bool()
      .optional()
      .describe('At least one copy must be in a location the source declares offsite. Built-in default: false.'),
    within: durationSchema
      .optional()
      .describe('How soon after the recovery point is created its copies must exist. Built-in default: 24h.'),
  })
  .describe('Copies of each recovery point (3-2-1 rule). Fields not set fall back to defaults.copies, then built-ins.');

const encryptionSchema = z
  .strictObject({
    required: bool().optional().describe('Every recovery point must be encrypted. Built-in default: false.'),
    keyId: text()
      .optional()
      .describe('When set (only with required: true), recovery points must be encrypted with this key (ARN or id).'),
  })
  .describe('Encryption of recovery points.');

const immutabilitySchema = z
  .strictObject({
    required: bool()
      .optional()
      .describe('Recovery points must be impossible to delete before minDays. Built-in default: false.'),
    mode: z
      .enum(IMMUTABILITY_MODES, { error: `expected one of ${IMMUTABILITY_MODES.join(', ')}` })
      .optional()
      .describe(
        'vault-lock (AWS Backup Vault Lock), object-lock (S3 Object Lock) or any mechanism. Built-in default: any.',
      ),
    minDays: count(1, 36_500)
      .optional()
      .describe('Minimum number of days each recovery point stays undeletable. Built-in default: 1.'),
  })
  .describe('Immutability (WORM) of recovery points, against ransomware and mistakes.');

const anomalySchema = z
  .strictObject({
    sensitivity: z
      .enum(ANOMALY_SENSITIVITIES, { error: `expected one of ${ANOMALY_SENSITIVITIES.join(', ')}` })
      .optional()
      .describe(
        'How atypical a backup (size, duration) must be to be flagged: off, low, medium, high. Default: medium.',
      ),
    minHistory: count(1, 1000)
      .optional()
      .describe('Number of past backups needed before anomalies are judged. Built-in default: 7.'),
  })
  .describe('Detection of atypical backups (sudden size drop or growth, unusual duration).');

/** Every field of a policy: all optional in `defaults` and in each resource (merged field by field). */
export const policyFields = {
  rpo: durationSchema
    .optional()
    .describe('Recovery point objective: the longest time allowed since the last good recovery point. No built-in.'),
  retention: durationSchema.optional().describe('How long every recovery point must be kept. No built-in default.'),
  lookback: durationSchema
    .optional()
    .describe('Window over which frequency gaps, failure streaks and anomalies are judged. Built-in default: 35d.'),
  copies: copiesSchema.optional(),
  encryption: encryptionSchema.optional(),
  immutability: immutabilitySchema.optional(),
  anomaly: anomalySchema.optional(),
  failureStreak: count(1, 1000)
    .optional()
    .describe('Number of consecutive failed jobs that makes a finding. Built-in default: 3.'),
};

export const policySchema = z
  .strictObject(policyFields)
  .describe('Default policy for every resource. Each field is optional; a resource may override any of them.');

const tagsSchema = z
  .record(
    text(128),
    z.string({ error: 'expected a text string' }).max(256, { error: 'expected at most 256 characters' }),
  )
  .refine((tags) => Object.keys(tags).length <= MAX_TAGS, { error: `expected at most ${MAX_TAGS} tags` })
  .meta({
    maxProperties: MAX_TAGS,
    description: 'Tags the resource must carry, all of them, with these exact values.',
  });

const selectSchema = z
  .strictObject({
    source: sourceSchema,
    type: text(256)
      .optional()
      .describe(
        'Resource type as the source reports it (AWS Backup: EBS, RDS, DynamoDB, EFS, S3...). Case-insensitive.',
      ),
    tags: tagsSchema.optional(),
    prefix: text()
      .optional()
      .describe('The locator must start with this text, e.g. arn:aws:ec2:eu-west-3:111122223333:'),
  })
  .describe('Selector: declares every resource the sources report that matches all of these criteria.');

export const resourceSchema = z
  .strictObject({
    locator: text()
      .optional()
      .describe(
        'Explicit resource: its locator. aws-backup: the ARN; restic: restic:<host>:<path>[,<path>...] (paths sorted); pgbackrest: pgbackrest:<stanza>; generic: the id the job report uses.',
      ),
    select: selectSchema.optional(),
    name: text(256).optional().describe('Human name shown in reports. Defaults to the locator.'),
    source: sourceSchema
      .optional()
      .describe('Explicit resources only: the source of its backups. Defaults to what the locator looks like.'),
    type: text(256)
      .optional()
      .describe('Explicit resources only: the resource type (RDS, EBS, DynamoDB, files, postgresql...).'),
    ...policyFields,
  })
  .refine((r) => (r.locator === undefined) !== (r.select === undefined), {
    error: 'expected exactly one of locator (an explicit resource) or select (a selector)',
  })
  .meta({
    description: 'One protected resource (locator) or a family of them (select), with policy overrides.',
    oneOf: [{ required: ['locator'] }, { required: ['select'] }],
  });

const exclusionSchema = z
  .strictObject({
    locator: text().describe('Locator of a resource deliberately not protected.'),
    reason: text().describe('Why it is not protected (shown to auditors).'),
  })
  .describe('A resource the sources report but that is deliberately not protected: neither declared nor drift.');

const awsAccountSchema = z
  .strictObject({
    accountId: z
      .string({ error: 'expected a 12-digit AWS account id in quotes, e.g. "111122223333"' })
      .regex(ACCOUNT_ID_PATTERN, { error: 'expected a 12-digit AWS account id in quotes, e.g. "111122223333"' })
      .describe('12-digit AWS account id, quoted so YAML keeps leading zeros.'),
    regions: z
      .array(
        z
          .string({ error: 'expected an AWS region like eu-west-3' })
          .regex(REGION_PATTERN, { error: 'expected an AWS region like eu-west-3' }),
      )
      .min(1, { error: 'expected at least one region' })
      .max(50, { error: 'expected at most 50 regions' })
      .describe('Regions where this account runs AWS Backup for the tenant.'),
    roleArn: z
      .string({ error: 'expected an IAM role ARN like arn:aws:iam::111122223333:role/ReversaReadBackup' })
      .max(MAX_STRING_LENGTH)
      .regex(ROLE_ARN_PATTERN, {
        error: 'expected an IAM role ARN like arn:aws:iam::111122223333:role/ReversaReadBackup',
      })
      .optional()
      .describe('Role Reversa assumes to reconcile with the AWS Backup APIs. Optional.'),
  })
  .describe('An AWS account whose AWS Backup events and APIs belong to this tenant.');

/* ---------------------------------------------------------------- restore tests (issue 3, section 1) */

export const RESTORE_RUNNERS = ['s3-archive', 'restic', 'aws-backup'] as const;
export const MAX_RESTORE_POLICIES = 1000;
export const MAX_VALIDATORS = 20;
export const MAX_SANDBOX_OVERRIDES = 50;
/** A sample bigger than this is refused: it would turn a sample into a slow full restore by accident. */
export const MAX_SAMPLE_COUNT = 10_000_000;

/** Built-in validator names; `lambda:<function ARN>` names a provider-supplied validator. */
export const BUILT_IN_VALIDATORS = [
  'checksums',
  'file-list',
  'restic-check',
  'item-count',
  'object-count',
  'table-present',
  'sample-reads',
  'instance-available',
  'volume-available',
] as const;
const LAMBDA_VALIDATOR_PATTERN =
  /^lambda:arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$/;
const VALIDATOR_MESSAGE = `expected a validator: ${BUILT_IN_VALIDATORS.join(', ')} or lambda:<Lambda function ARN>`;

/**
 * AWS EventBridge Scheduler cron: six fields (minutes hours day-of-month month day-of-week year), and
 * exactly one of day-of-month / day-of-week is `?` — what AWS refuses, we refuse at validation time.
 */
const CRON_FIELDS = [
  /^[0-9*,/-]+$/,
  /^[0-9*,/-]+$/,
  /^[0-9*,/?LW-]+$/,
  /^([0-9*,/-]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)+$/i,
  /^([0-9*,/?L#-]|SUN|MON|TUE|WED|THU|FRI|SAT)+$/i,
  /^[0-9*,/-]+$/,
] as const;
const CRON_MESSAGE =
  'expected an AWS cron expression with 6 fields (minutes hours day-of-month month day-of-week year) and ? in exactly one of day-of-month or day-of-week, e.g. "0 3 ? * SUN *"';

export function isAwsCron(expression: string): boolean {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) return false;
  if (!fields.every((field, i) => CRON_FIELDS[i]!.test(field))) return false;
  return (fields[2] === '?') !== (fields[4] === '?');
}

/** A name in the secret store (Secrets Manager name or ARN, or a local secret name): never the secret itself. */
const SECRET_NAME_PATTERN = /^[A-Za-z0-9/_+=.@:-]{1,512}$/;
const SECRET_NAME_MESSAGE =
  'expected the NAME of a secret in the secret store (letters, digits and /_+=.@:-), never the password itself';

const scheduleSchema = z
  .strictObject({
    cron: z
      .string({ error: CRON_MESSAGE })
      .max(256, { error: CRON_MESSAGE })
      .refine(isAwsCron, { error: CRON_MESSAGE })
      .optional()
      .describe('AWS cron expression, evaluated in the strategy timezone, e.g. "0 3 ? * SUN *" (Sundays 03:00).'),
    every: durationSchema
      .optional()
      .describe('Fixed interval between tests, e.g. 7d. Calendar units follow the strategy timezone.'),
  })
  .refine((s) => (s.cron === undefined) !== (s.every === undefined), {
    error: 'expected exactly one of cron or every',
  })
  .meta({
    description: 'When the test runs: exactly one of cron or every.',
    oneOf: [{ required: ['cron'] }, { required: ['every'] }],
  });

export const RECOVERY_POINT_SELECTIONS = ['latest', 'random'] as const;

const recoveryPointSchema = z
  .strictObject({
    select: z
      .enum(RECOVERY_POINT_SELECTIONS, { error: 'expected latest or random' })
      .describe(
        'latest: the newest eligible recovery point; random: one drawn reproducibly (seeded by tenant, resource and scheduled time) among the eligible points within window.',
      ),
    window: durationSchema
      .optional()
      .describe('Only recovery points created within this window before the test are eligible. Required for random.'),
  })
  .refine((r) => r.select !== 'random' || r.window !== undefined, {
    error: 'random selection needs a window, e.g. window: 30d',
    path: ['window'],
  })
  .describe('Which recovery point each test restores. Default: { select: latest } with no window.');

const sampleSchema = z
  .union(
    [
      z.literal('all'),
      z.strictObject({
        percent: count(1, 100).describe('Percentage of files/items restored and checked (rounded up, at least 1).'),
      }),
      z.strictObject({
        count: count(1, MAX_SAMPLE_COUNT).describe('Number of files/items restored and checked.'),
      }),
    ],
    { error: 'expected all, { percent: <1-100> } or { count: <n> }' },
  )
  .describe(
    'How much of the recovery point is restored and checked: all, a percentage or a count of files/items, drawn reproducibly. Default: all.',
  );

const validatorSchema = z
  .string({ error: VALIDATOR_MESSAGE })
  .max(MAX_STRING_LENGTH, { error: VALIDATOR_MESSAGE })
  .refine((v) => (BUILT_IN_VALIDATORS as readonly string[]).includes(v) || LAMBDA_VALIDATOR_PATTERN.test(v), {
    error: VALIDATOR_MESSAGE,
  })
  .describe(`A validator: ${BUILT_IN_VALIDATORS.join(', ')}, or lambda:<function ARN> (provider-supplied).`);

const sandboxSchema = z
  .strictObject({
    bucket: text(63)
      .optional()
      .describe('s3-archive: bucket the archive is restored into. Default: the Reversa data bucket.'),
    prefix: text(512)
      .optional()
      .describe(
        's3-archive: key prefix of the sandbox; each test restores under <prefix><testId>/. Default: sandbox/<tenant>/.',
      ),
    directory: text(1024)
      .optional()
      .describe(
        'restic: directory under which each test restores into a fresh subdirectory. Default: the system temp directory.',
      ),
    overrides: z
      .record(text(128), z.string({ error: 'expected a text string' }).max(MAX_STRING_LENGTH))
      .refine((o) => Object.keys(o).length <= MAX_SANDBOX_OVERRIDES, {
        error: `expected at most ${MAX_SANDBOX_OVERRIDES} overrides`,
      })
      .meta({
        maxProperties: MAX_SANDBOX_OVERRIDES,
        description:
          'aws-backup: restore metadata overrides passed to StartRestoreJob (e.g. subnetId, kmsKeyId, vpcSecurityGroupIds), string values only.',
      })
      .optional(),
  })
  .describe('The isolated place restores go to; only the keys of the policy runner apply.');

const archiveSchema = z
  .strictObject({
    bucket: text(63).describe('Bucket holding the archives.'),
    key: text(1024).describe(
      'Key pattern of the archive (tar, tar.gz or zip) of one recovery point. Placeholders: {recoveryPointId}, {resourceId}, {tenantId}.',
    ),
    manifestKey: text(1024)
      .optional()
      .describe('Key pattern of the manifest captured at backup time, same placeholders. Default: <key>.sha256.'),
  })
  .describe('s3-archive runner: where the archives and their manifests are.');

const resticSchema = z
  .strictObject({
    repository: text().describe(
      'Repository URL as restic takes it (-r), e.g. s3:s3.amazonaws.com/bucket/repo or /srv/restic.',
    ),
    passwordSecret: z
      .string({ error: SECRET_NAME_MESSAGE })
      .regex(SECRET_NAME_PATTERN, { error: SECRET_NAME_MESSAGE })
      .describe('NAME of the secret holding the repository password in the secret store. Never the password.'),
    readDataSubset: count(1, 100)
      .optional()
      .describe('Percentage of pack files `restic check --read-data-subset` reads. Built-in default: 5.'),
  })
  .describe('restic runner: the repository and the name of its password secret.');

const restorePolicySchema = z
  .strictObject({
    name: text(128).describe('Unique name of the policy, used in schedule and test names.'),
    resources: z
      .union(
        [
          z.literal('all'),
          z
            .array(text())
            .min(1, { error: 'expected at least one locator' })
            .max(MAX_RESOURCES, { error: `expected at most ${MAX_RESOURCES} locators` }),
        ],
        { error: 'expected all or a list of resource locators' },
      )
      .optional()
      .describe('Which declared resources are tested: all, or a list of locators. Exactly one of resources or source.'),
    source: sourceSchema
      .optional()
      .describe('Tests every declared resource of this source. Exactly one of resources or source.'),
    runner: z
      .enum(RESTORE_RUNNERS, { error: `expected one of ${RESTORE_RUNNERS.join(', ')}` })
      .describe('How the restore is done: s3-archive, restic or aws-backup.'),
    schedule: scheduleSchema,
    recoveryPoint: recoveryPointSchema.optional(),
    sample: sampleSchema.optional(),
    validators: z
      .array(validatorSchema)
      .min(1, { error: 'expected at least one validator' })
      .max(MAX_VALIDATORS, { error: `expected at most ${MAX_VALIDATORS} validators` })
      .optional()
      .describe(
        'Checks run on the restored data. Default per runner: s3-archive checksums; restic checksums, restic-check.',
      ),
    maxRto: durationSchema.describe('Longest acceptable end-to-end restore time (restore + validation).'),
    coverage: durationSchema
      .optional()
      .describe(
        'Every selected resource must be restored at least once per this period; a resource with no eligible recovery point is a finding.',
      ),
    sandbox: sandboxSchema.optional(),
    archive: archiveSchema.optional(),
    restic: resticSchema.optional(),
  })
  .superRefine((p, ctx) => {
    if ((p.resources === undefined) === (p.source === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected exactly one of resources (all or locators) or source',
        path: [],
      });
    }
    const need = (key: 'archive' | 'restic', runner: string) => {
      if (p.runner === runner && p[key] === undefined)
        ctx.addIssue({ code: 'custom', message: `missing required key '${key}' for runner ${runner}`, path: [key] });
      if (p.runner !== runner && p[key] !== undefined)
        ctx.addIssue({ code: 'custom', message: `${key} applies only to runner ${runner}`, path: [key] });
    };
    need('archive', 's3-archive');
    need('restic', 'restic');
    const sandboxKeys: Record<string, readonly string[]> = {
      's3-archive': ['bucket', 'prefix'],
      restic: ['directory'],
      'aws-backup': ['overrides'],
    };
    for (const key of Object.keys(p.sandbox ?? {})) {
      if (!sandboxKeys[p.runner]?.includes(key))
        ctx.addIssue({
          code: 'custom',
          message: `sandbox.${key} does not apply to runner ${p.runner}; allowed: ${sandboxKeys[p.runner]?.join(', ')}`,
          path: ['sandbox', key],
        });
    }
  })
  .describe('One restore-test policy: which resources, when, which recovery point, how much, checked how.');

const restoreTestsSchema = z
  .strictObject({
    policies: z
      .array(restorePolicySchema)
      .max(MAX_RESTORE_POLICIES, { error: `expected at most ${MAX_RESTORE_POLICIES} policies` })
      .optional()
      .describe('Restore-test policies. Policy names must be unique.'),
  })
  .refine((s) => new Set((s.policies ?? []).map((p) => p.name)).size === (s.policies ?? []).length, {
    error: 'restore-test policy names must be unique',
    path: ['policies'],
  })
  .optional()
  .describe('Scheduled restore tests: restore, read back, validate, measure, clean up, record evidence.');

export const strategySchema = z
  .strictObject({
    apiVersion: z
      .literal(API_VERSION, { error: `expected apiVersion: ${API_VERSION}` })
      .describe('Version of this document format.'),
    tenant: z
      .strictObject({
        id: z
          .string({ error: 'expected a tenant id: lowercase letters, digits and dashes, at most 63 characters' })
          .regex(TENANT_ID_PATTERN, {
            error: 'expected a tenant id: lowercase letters, digits and dashes, at most 63 characters',
          })
          .describe('Stable tenant identifier: lowercase letters, digits, dashes; starts with a letter or digit.'),
        name: text(256).describe('Client name shown in reports.'),
      })
      .describe('The client (tenant) this strategy belongs to.'),
    timezone: z
      .string({ error: 'expected an IANA timezone like Europe/Paris' })
      .max(64, { error: 'expected an IANA timezone like Europe/Paris' })
      .refine(isValidTimeZone, { error: 'expected an IANA timezone like Europe/Paris or UTC' })
      .describe('IANA timezone in which calendar durations (d, w, y) and reports are computed, e.g. Europe/Paris.'),
    sources: z
      .strictObject({
        awsBackup: z
          .strictObject({
            accounts: z
              .array(awsAccountSchema)
              .max(MAX_AWS_ACCOUNTS, { error: `expected at most ${MAX_AWS_ACCOUNTS} accounts` })
              .describe('AWS accounts whose AWS Backup events belong to this tenant.'),
          })
          .optional()
          .describe('AWS Backup accounts of this tenant.'),
      })
      .optional()
      .describe('Where facts come from; used to route events to this tenant.'),
    defaults: policySchema.optional(),
    resources: z
      .array(resourceSchema)
      .max(MAX_RESOURCES, { error: `expected at most ${MAX_RESOURCES} resources` })
      .describe('Protected resources: explicit (locator) or selectors (select). Declaration order matters.'),
    exclusions: z
      .array(exclusionSchema)
      .max(MAX_EXCLUSIONS, { error: `expected at most ${MAX_EXCLUSIONS} exclusions` })
      .optional()
      .describe('Resources deliberately not protected.'),
    restoreTests: restoreTestsSchema,
    reversibility: reversibilitySchema,
    incidents: incidentsSchema,
    contract: contractSchema,
    notifications: notificationsSchema,
  })
  .meta({
    title: 'Reversa backup strategy',
    description: "A tenant's declared backup strategy: what must be backed up, how often, how long, and how safely.",
  });

export type StrategyDocument = z.infer<typeof strategySchema>;
export type PolicyFields = z.infer<typeof policySchema>;
export type ResourceDeclaration = z.infer<typeof resourceSchema>;
export type ResourceSelector = z.infer<typeof selectSchema>;
export type Exclusion = z.infer<typeof exclusionSchema>;
export type AwsAccountSource = z.infer<typeof awsAccountSchema>;
export type RestoreTestsSection = z.infer<typeof restoreTestsSchema>;
export type RestorePolicyDeclaration = z.infer<typeof restorePolicySchema>;
export type RestoreRunnerName = (typeof RESTORE_RUNNERS)[number];
