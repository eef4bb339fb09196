/**
 * Every IAM grant the workflows give, as data: a grant names what kind of resource it is on, its actions and
 * resources, its conditions, and why each wildcard resource stops where it does (the cdk-nag acknowledgment).
 * Grants on tenant data are built scoped to the session's tenant (infra/tenant-grants.ts) and go to a function's
 * tenant-access role; the ones here are for what a function's own role keeps. Bindings (infra/bindings.ts) pair a
 * grant with the environment variable naming the resource.
 */
import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import { type CfnRole, type IGrantable, PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { ConfigError } from '#core/errors.ts';
import { roleArnOf, roleArnPattern } from './constructs/signing-key.ts';
import { acknowledgeWildcardResource } from './nag.ts';
import { IAM_ROLE_NAME_MAX } from './role-names.ts';

/**
 * What a grant is on (what the template tests classify statements by):
 * - `table`: a Reversa table (the main table's items are keyed by tenant: `dynamodb:LeadingKeys`);
 * - `objects` / `bucket`: keys under a prefix of a Reversa bucket (`<prefix>/<tenant>/…`) / the bucket itself;
 * - `key`, `stateMachine`, `bus`, `role`: a Reversa signing key, workflow, event bus, or a role passed or assumed;
 * - `secret`: tenant secrets (tagged `reversa:tenant`);
 * - `queue`, `topic`: a Reversa SQS queue or SNS topic (notification delivery);
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
  | 'queue'
  | 'topic'
  | 'external'
  | 'service';

/** A wildcard resource of a grant and why it stops there (cdk-nag AwsSolutions-IAM5, one resource at a time). */
export interface Wildcard {
  readonly resource: string;
  readonly reason: string;
  /**
   * Acknowledge it once on the whole stack: for a resource whose reason holds whoever is granted it (an object ARN
   * bound to the session's tenant tag), rather than on each role.
   * @default false
   */
  readonly stackWide?: boolean;
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
    for (const { resource, reason, stackWide } of grant.wildcards ?? []) {
      acknowledgeWildcardResource(stackWide === true ? Stack.of(target) : target, resource, reason);
    }
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

/**
 * `actions` on every object under each prefix (ending in '/') of `bucket`, whoever's they are: for the provider's
 * own areas of a Reversa bucket (`archives/`), never for tenant data (infra/tenant-grants.ts tenantObjects).
 */
export function objectGrant(
  bucket: IBucket,
  actions: readonly string[],
  prefixes: readonly string[],
  why: string,
): Grant {
  const wildcards = prefixes.map((prefix) => ({ resource: bucket.arnForObjects(`${prefix}*`), reason: why }));
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

/** `actions` on resources that each end in a wildcard for the same reason. */
export function wildcardGrant(
  on: GrantKind,
  actions: readonly string[],
  resources: readonly string[],
  why: string,
): Grant {
  return { on, actions, resources, wildcards: resources.map((resource) => ({ resource, reason: why })) };
}

/**
 * Actions that support no resource-level permission (`Resource: *`), acknowledged with `why` on the role that gets
 * them (functions also carry an X-Ray acknowledgment for the same finding: each reason is recorded).
 */
export function serviceGrant(actions: readonly string[], why: string): Grant {
  return { on: 'service', actions, resources: ['*'], wildcards: [{ resource: '*', reason: why }] };
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
const CFN_ROLE_SUFFIX_MAX = 13;

/**
 * The generated name of a role up to its random suffix (`<stack>-<logicalId>-`), what key and bucket policies match.
 * Refuses a stack name so long that CloudFormation would shorten it and `matcher` (the signing key, the bucket
 * policy) would not recognise the role.
 */
export function generatedRoleNamePrefix(role: Role, matcher: string): string {
  const stack = Stack.of(role);
  const prefix = `${stack.stackName}-${stack.getLogicalId(role.node.defaultChild as CfnRole)}-`;
  if (prefix.length + CFN_ROLE_SUFFIX_MAX > IAM_ROLE_NAME_MAX) {
    throw new ConfigError(
      'StackNameTooLong',
      `stack name ${stack.stackName} is too long: the role name ${prefix}<suffix> would be shortened by CloudFormation and ${matcher} would not recognise it; use a shorter stackPrefix`,
    );
  }
  return prefix;
}

/**
 * What a policy of another stack can match `role` by without referencing it: its ARN when it has a fixed name (the
 * tenant-access roles), else the prefix of its generated name (`…:role/<stack>-<logicalId>-*`).
 */
export function roleArnMatching(role: Role, matcher: string): string {
  const fixed = (role.node.defaultChild as CfnRole).roleName;
  return fixed === undefined || Token.isUnresolved(fixed)
    ? roleArnPattern(generatedRoleNamePrefix(role, matcher))
    : roleArnOf(fixed);
}
