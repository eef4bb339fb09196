/**
 * Every IAM grant the workflows give, as data: a grant names what kind of resource it is on, its actions and
 * resources, its conditions, and why each wildcard resource stops where it does (the cdk-nag acknowledgment).
 * Keeping grants as data in one module is what lets a later layer scope them per tenant in one place (e.g.
 * `dynamodb:LeadingKeys` on every `table` grant, tenant prefixes on every `objects` grant) instead of in every
 * workflow. Bindings (infra/bindings.ts) pair a grant with the environment variable naming the resource.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { type CfnRole, type IGrantable, PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { ConfigError } from '#core/errors.ts';
import { acknowledgeWildcardResource } from './nag.ts';

/**
 * What a grant is on: the hook for per-kind conditions (tenant scoping) applied in `applyGrants`.
 * - `table`: a Reversa table (items keyed by tenant: `dynamodb:LeadingKeys`);
 * - `objects` / `bucket`: keys under a prefix of a Reversa bucket (`<prefix><tenant>/…`) / the bucket itself;
 * - `key`, `stateMachine`, `bus`, `role`: a Reversa signing key, workflow, event bus, or a role passed to a service;
 * - `secret`: tenant secrets (tagged `reversa:tenant`);
 * - `external`: what Reversa does not own (AWS Backup, restore sandboxes, buckets named at deploy time, ECS, client
 *   accounts' roles), never scoped by a Reversa key;
 * - `service`: actions that support no resource-level permission (`Resource: *`).
 */
export type GrantKind =
  | 'table'
  | 'objects'
  | 'bucket'
  | 'key'
  | 'stateMachine'
  | 'bus'
  | 'role'
  | 'secret'
  | 'external'
  | 'service';

/** A wildcard resource of a grant and why it stops there (cdk-nag AwsSolutions-IAM5, one resource at a time). */
export interface Wildcard {
  readonly resource: string;
  readonly reason: string;
}

/** One least-privilege statement. */
export interface Grant {
  readonly on: GrantKind;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** IAM condition block, e.g. `{ StringEquals: { 'iam:PassedToService': 'backup.amazonaws.com' } }`. @default none */
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The wildcard resources among `resources`, each acknowledged with its reason. @default none */
  readonly wildcards?: readonly Wildcard[];
}

/** Where grants go: a role, or a construct acting through one (ReversaFunction); acknowledgments sit on it. */
export type GrantTarget = IGrantable & IConstruct;

/** Adds each grant to the target's policy and acknowledges its wildcard resources on the target. */
export function applyGrants(target: GrantTarget, grants: readonly Grant[]): void {
  for (const grant of grants) {
    target.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...grant.actions],
        resources: [...grant.resources],
        ...(grant.conditions === undefined ? {} : { conditions: { ...grant.conditions } }),
      }),
    );
    for (const { resource, reason } of grant.wildcards ?? []) acknowledgeWildcardResource(target, resource, reason);
  }
}

/** Table access levels, as explicit action lists (no index wildcard: the table has no GSI by contract). */
export const TABLE_READ = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
];
export const TABLE_WRITE = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
/** Single items by key, nothing else: what Powertools idempotency does with its table. */
export const TABLE_ITEMS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

/** Why a data-bucket prefix grant stops at the prefix: keys below it are per tenant and per run. */
export const perTenantPrefix = (prefix: string): string =>
  `Object keys under ${prefix} are per tenant and per run (${prefix}<tenantId>/...), unknown at deploy time; the grant stops at the prefix.`;

/** `actions` on the objects under each prefix (ending in '/') of `bucket`: one statement, one wildcard per prefix. */
export function objectGrant(
  bucket: IBucket,
  actions: readonly string[],
  prefixes: readonly string[],
  why: string | ((prefix: string) => string),
): Grant {
  const wildcards = prefixes.map((prefix) => ({
    resource: bucket.arnForObjects(`${prefix}*`),
    reason: typeof why === 'string' ? why : why(prefix),
  }));
  return { on: 'objects', actions, resources: wildcards.map((w) => w.resource), wildcards };
}

/** Buckets named at deploy time (restore sources and sandboxes): ListBucket, and `objectActions` on every key. */
export function namedBucketGrants(
  scope: IConstruct,
  names: readonly string[],
  objectActions: readonly string[],
  why: string,
): Grant[] {
  if (names.length === 0) return [];
  const buckets = names.map((name) => `arn:${Stack.of(scope).partition}:s3:::${name}`);
  const objects = buckets.map((arn) => `${arn}/*`);
  return [
    { on: 'external', actions: ['s3:ListBucket'], resources: buckets },
    wildcardGrant('external', objectActions, objects, why),
  ];
}

/** Tag that ties a secret to its tenant: restic passwords and escrowed secrets must carry it in AWS. */
export const TENANT_TAG = 'reversa:tenant';

/** Secrets tagged `reversa:tenant` (any tenant: the use case asks by name for one tenant's secret). */
export function tenantSecretGrants(scope: IConstruct, options: { list: boolean }): Grant[] {
  const secrets = ownArn(scope, 'secretsmanager', 'secret', '*');
  return [
    {
      ...wildcardGrant(
        'secret',
        ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        [secrets],
        `Secrets are named by each tenant's strategy; the grant is limited by condition to secrets tagged ${TENANT_TAG}.`,
      ),
      // Only secrets that belong to a tenant: the provider's own secrets stay out of reach.
      conditions: { Null: { [`secretsmanager:ResourceTag/${TENANT_TAG}`]: 'false' } },
    },
    ...(options.list ? [serviceGrant(['secretsmanager:ListSecrets'])] : []),
  ];
}

/** `actions` on resources that each end in a wildcard for the same reason. */
export function wildcardGrant(
  on: GrantKind,
  actions: readonly string[],
  resources: readonly string[],
  why: string,
): Grant {
  return { on, actions, resources, wildcards: resources.map((resource) => ({ resource, reason: why })) };
}

/** Actions that support no resource-level permission (`Resource: *`); covered by each role's `Resource::*` acknowledgment. */
export function serviceGrant(actions: readonly string[]): Grant {
  return { on: 'service', actions, resources: ['*'] };
}

/** Name prefix of the role reconcile and dossier Gather assume in each client account to read AWS Backup. */
export const DEFAULT_READ_BACKUP_ROLE_PREFIX = 'ReversaReadBackup';

/** sts:AssumeRole on the read-only `<prefix>*` roles of any account (their trust requires the tenant id as ExternalId). */
export function readBackupRoleGrant(scope: IConstruct, rolePrefix: string, why: string): Grant {
  const roles = `arn:${Stack.of(scope).partition}:iam::*:role/${rolePrefix}*`;
  return wildcardGrant('external', ['sts:AssumeRole'], [roles], why);
}

/** An ARN of this stack's account and region: `arn:<partition>:<service>:<region>:<account>:<resource><sep><name>`. */
export function ownArn(
  scope: IConstruct,
  service: string,
  resource: string,
  resourceName: string,
  separator: ':' | '/' = ':',
): string {
  const arnFormat = separator === ':' ? ArnFormat.COLON_RESOURCE_NAME : ArnFormat.SLASH_RESOURCE_NAME;
  return Stack.of(scope).formatArn({ service, resource, resourceName, arnFormat });
}

/**
 * CloudFormation names a role `<stack>-<logicalId>-<12 or 13 random characters>` and shortens the first two parts
 * when the whole would pass IAM's 64 characters. Signing keys admit roles by that name prefix, so it must survive.
 */
const IAM_ROLE_NAME_MAX = 64;
const CFN_ROLE_SUFFIX_MAX = 13;

/**
 * The generated name of a role up to its random suffix (`<stack>-<logicalId>-`), what key policies match. Refuses a
 * stack name so long that CloudFormation would shorten it and the key would not admit the role.
 */
export function signerRolePrefix(role: Role): string {
  const stack = Stack.of(role);
  const prefix = `${stack.stackName}-${stack.getLogicalId(role.node.defaultChild as CfnRole)}-`;
  if (prefix.length + CFN_ROLE_SUFFIX_MAX > IAM_ROLE_NAME_MAX) {
    throw new ConfigError(
      'StackNameTooLong',
      `stack name ${stack.stackName} is too long: the role name ${prefix}<suffix> would be shortened by CloudFormation and the signing key would not recognise it; use a shorter stackPrefix`,
    );
  }
  return prefix;
}
