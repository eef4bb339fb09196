/**
 * The tenant boundary (core/tenancy/boundary.ts) as IAM grants. A function that serves one tenant reaches Reversa's
 * table, buckets, signing keys, bus and secrets only through its tenant-access role (infra/constructs/
 * tenant-access-role.ts), assumed with the session tag `tenant=<id>`; every grant built here names that tag through
 * `${aws:PrincipalTag/tenant}`, so a session of tenant A matches none of tenant B's partitions, keys or secrets:
 * - DynamoDB: item actions only (never Scan), `ForAllValues:StringLike dynamodb:LeadingKeys ["T#<tenant>#*"]`;
 * - S3: one object ARN per tenant prefix (`<bucket>/runs/<tenant>/*`, never `<bucket>/*\/<tenant>/*`: `*` crosses
 *   `/`, so `runs/x/acme/…` of tenant x would match), listings only under those prefixes (`s3:prefix`);
 * - Secrets Manager: only secrets whose `reversa:tenant` tag equals the session's tenant;
 * - KMS: sign digests only (ECDSA_SHA_256, MessageType DIGEST);
 * - EventBridge: events whose source is `reversa`.
 * Grants that span tenants on purpose (the sweep's listing, event routing) are built by `crossTenantItems`, for a
 * function's own role, with the partitions they read spelled out.
 */
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { ConfigError } from '#core/errors.ts';
import {
  type BucketRole,
  TENANT_OBJECT_PREFIXES,
  TENANT_RESOURCE_TAG,
  TENANT_SESSION_TAG,
  tenantPartitionPrefix,
} from '#core/tenancy/boundary.ts';
import type { SigningKeyRef } from './constructs/signing-key.ts';
import { type Grant, ownArn, serviceGrant } from './grants.ts';

/** The session's tenant, as IAM substitutes it in resource ARNs and condition values. */
export const SESSION_TENANT = `\${aws:PrincipalTag/${TENANT_SESSION_TAG}}`;

/** Every partition of the session's tenant: `T#<tenant>#…`. */
export const SESSION_TENANT_PARTITIONS = `${tenantPartitionPrefix(SESSION_TENANT)}*`;

/** DynamoDB item actions a tenant session may use on the main table; Scan is absent: LeadingKeys cannot bound it. */
export const TENANT_ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;

/** What lies below each tenant prefix (`<prefix>/<tenant>/…`): why the object ARN must end in a wildcard there. */
const BELOW_TENANT_PREFIX: Readonly<Record<string, string>> = {
  runs: 'per workflow run or export (runs/<tenant>/<run id>/…, reconcile cursors per account and region)',
  reports: 'per verification run (reports/<tenant>/<run id>/…)',
  inbox: "named by the tenant's backup tools when they drop a job report",
  processed: 'the inbox names of the reports already ingested',
  quarantine: 'the inbox names of refused reports and their reasons',
  config: 'configuration files the provider uploads for the dossier',
  procedures: 'procedure documents the provider uploads for the dossier',
  inventory: 'inventory files the provider uploads for the dossier',
  sandbox: 'per restore test (sandbox/<tenant>/<test id>/…) and per restored file',
  'restore-tests': 'per restore test (restore-tests/<tenant>/<test id>.json)',
  sla: 'per period and statement version (sla/<tenant>/<period>/v<N>.json, .html)',
  audit: 'per entry and digest sequence number (audit/<tenant>/entries/<seq>.json, digests/…)',
  dossiers: 'per dossier version (dossiers/<tenant>/v<N>/…)',
};

/** `runs/` or `runs` → `runs`, refused unless it is one of `role`'s tenant prefixes (core/tenancy/boundary.ts). */
export function tenantPrefixName(role: BucketRole, prefix: string): string {
  const name = prefix.replace(/\/$/, '');
  if (!TENANT_OBJECT_PREFIXES[role].includes(name) || BELOW_TENANT_PREFIX[name] === undefined) {
    throw new ConfigError(
      'NotATenantPrefix',
      `'${prefix}' is not a tenant prefix of the ${role} bucket (core/tenancy/boundary.ts: ${TENANT_OBJECT_PREFIXES[role].join(', ')}); grant it to the function's own role if it is the provider's`,
    );
  }
  return name;
}

/** The session tenant's keys under `prefix` of a bucket: `<prefix>/${aws:PrincipalTag/tenant}/`. */
export const sessionTenantPrefix = (role: BucketRole, prefix: string): string =>
  `${tenantPrefixName(role, prefix)}/${SESSION_TENANT}/`;

/** Item `actions` on the session tenant's partitions of `table`. */
export function tenantItems(table: ITable, actions: readonly string[]): Grant {
  const refused = actions.filter((action) => !(TENANT_ITEM_ACTIONS as readonly string[]).includes(action));
  if (refused.length > 0) {
    throw new ConfigError(
      'NotATenantItemAction',
      `${refused.join(', ')} cannot be bounded by dynamodb:LeadingKeys; a tenant session gets item actions only`,
    );
  }
  return {
    on: 'table',
    actions,
    resources: [table.tableArn],
    conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [SESSION_TENANT_PARTITIONS] } },
  };
}

/**
 * Item `actions` on partitions that belong to no single tenant or to every tenant (`TENANTS`, `T#*#STATE`,
 * `AWS#*`): for the function's own role, where a use case spans tenants on purpose. `partitions` are IAM patterns
 * (`*` and `?`), each one named in the template so a reviewer sees exactly what is read across tenants.
 */
export function crossTenantItems(table: ITable, actions: readonly string[], partitions: readonly string[]): Grant {
  if (partitions.length === 0) {
    throw new ConfigError('NoPartitions', 'a cross-tenant grant must name the partitions it reads');
  }
  return {
    on: 'table',
    actions,
    resources: [table.tableArn],
    conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...partitions] } },
  };
}

/** `actions` on the session tenant's objects under each of `prefixes` of a Reversa bucket: one ARN per prefix. */
export function tenantObjects(
  bucket: IBucket,
  role: BucketRole,
  actions: readonly string[],
  prefixes: readonly string[],
): Grant {
  const wildcards = prefixes.map((prefix) => {
    const name = tenantPrefixName(role, prefix);
    return {
      resource: bucket.arnForObjects(`${sessionTenantPrefix(role, prefix)}*`),
      reason: `Keys below ${name}/<tenant>/ are ${BELOW_TENANT_PREFIX[name]}, unknown at deploy time; the ARN is bound to the session's tenant tag, so no other tenant's keys match.`,
      // The reason is a property of the ARN (it names the session's tenant), whichever tenant role holds it.
      stackWide: true,
    };
  });
  return { on: 'objects', actions, resources: wildcards.map((w) => w.resource), wildcards };
}

/**
 * s3:ListBucket limited to the session tenant's `prefixes`. Besides listings, S3 evaluates it to answer a GetObject
 * or HeadObject of a missing key: with the requested key as `s3:prefix`, so a probe under these prefixes gets 404
 * (not 403) and a probe anywhere else gets 403.
 */
export function tenantListing(bucket: IBucket, role: BucketRole, prefixes: readonly string[]): Grant {
  if (prefixes.length === 0) {
    throw new ConfigError('NoPrefixes', 'a tenant listing must name the tenant prefixes it lists');
  }
  return {
    on: 'bucket',
    actions: ['s3:ListBucket'],
    resources: [bucket.bucketArn],
    conditions: { StringLike: { 's3:prefix': prefixes.map((prefix) => `${sessionTenantPrefix(role, prefix)}*`) } },
  };
}

/**
 * s3:ListBucketMultipartUploads on a whole bucket: it takes no `s3:prefix` condition, so a tenant session sees the
 * keys and upload ids of every tenant's uploads in progress (never their content: parts and aborts need the object
 * ARN, which is tenant-scoped). Only the dossier export's Abort needs it, to find an upload a killed Assemble left.
 */
export function tenantUploadListing(bucket: IBucket): Grant {
  return { on: 'bucket', actions: ['s3:ListBucketMultipartUploads'], resources: [bucket.bucketArn] };
}

/** Secrets Manager reads of the secrets whose `reversa:tenant` tag equals the session's tenant. */
export function tenantSecretValues(scope: IConstruct): Grant {
  const secrets = ownArn(scope, 'secretsmanager', 'secret', '*');
  return {
    on: 'secret',
    actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
    resources: [secrets],
    conditions: { StringEquals: { [`secretsmanager:ResourceTag/${TENANT_RESOURCE_TAG}`]: SESSION_TENANT } },
    wildcards: [
      {
        resource: secrets,
        reason: `Secrets are named by each tenant's strategy; the condition admits only those whose ${TENANT_RESOURCE_TAG} tag equals the session's tenant.`,
      },
    ],
  };
}

/** ListSecrets: no resource-level permission and no condition narrowing its result (names and tags, never values). */
export function secretListing(): Grant {
  return serviceGrant(
    ['secretsmanager:ListSecrets'],
    `secretsmanager:ListSecrets supports no resource-level permission: it returns every secret's name and tags (never a value); the use case keeps only those tagged ${TENANT_RESOURCE_TAG}=<tenant>, and reading a value is tag-scoped.`,
  );
}

/** Signing a digest with `key`: ECDSA P-256 over a SHA-256 the caller computed, nothing else. */
export function signDigests(key: SigningKeyRef): Grant {
  return {
    on: 'key',
    actions: ['kms:Sign'],
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256', 'kms:MessageType': 'DIGEST' } },
  };
}

/** kms:GetPublicKey (a statement of its own: the signing conditions are absent from its requests and would deny it). */
export function readPublicKey(key: SigningKeyRef): Grant {
  return { on: 'key', actions: ['kms:GetPublicKey'], resources: [key.keyArn] };
}

/** Source of every event Reversa puts on its bus (adapters/aws/eventbridge-publisher.ts, the ASL files). */
export const EVENT_SOURCE = 'reversa';

/** PutEvents on `bus` with source `reversa` only: a session cannot impersonate AWS Backup or another producer. */
export function putReversaEvents(bus: IEventBus): Grant {
  return {
    on: 'bus',
    actions: ['events:PutEvents'],
    resources: [bus.eventBusArn],
    conditions: {
      Null: { 'events:source': 'false' },
      'ForAllValues:StringEquals': { 'events:source': [EVENT_SOURCE] },
    },
  };
}

/** The one session tag a tenant session carries, present and alone (the identity side of the trust conditions). */
export const TENANT_TAG_PRESENT_AND_ALONE = {
  Null: { [`aws:RequestTag/${TENANT_SESSION_TAG}`]: 'false' },
  'ForAllValues:StringEquals': { 'aws:TagKeys': [TENANT_SESSION_TAG] },
} as const;

/** sts:AssumeRole + sts:TagSession on a tenant-access role, with a `tenant` tag and no other. */
export function assumeTenantAccess(roleArn: string): Grant {
  return {
    on: 'role',
    actions: ['sts:AssumeRole', 'sts:TagSession'],
    resources: [roleArn],
    conditions: { ...TENANT_TAG_PRESENT_AND_ALONE },
  };
}

/**
 * A tenant id is `^[a-z0-9][a-z0-9-]{0,62}$` (core/strategy/schema.ts TENANT_ID_PATTERN). IAM string conditions
 * know only `*` and `?`, so the trust policy says it as: one character or more, at most 63, not starting with `-`,
 * and none of the other ASCII characters STS accepts in a tag value (upper-case letters, space, `_ . : / = + @`).
 * Non-ASCII letters, digits and spaces, which STS also accepts, cannot be enumerated; such a tag can only name
 * partitions and prefixes no tenant has (strategies are refused unless their tenant id matches the pattern).
 */
const REFUSED_TENANT_CHARACTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ', ' ', '_', '.', ':', '/', '=', '+', '@'];
export const TENANT_ID_MAX_LENGTH = 63;

/** The trust policy's conditions on the requested session tags. */
export function tenantSessionConditions(): Record<string, Record<string, unknown>> {
  const tag = `aws:RequestTag/${TENANT_SESSION_TAG}`;
  return {
    ...TENANT_TAG_PRESENT_AND_ALONE,
    StringLike: { [tag]: '?*' },
    StringNotLike: {
      [tag]: ['-*', `${'?'.repeat(TENANT_ID_MAX_LENGTH + 1)}*`, ...REFUSED_TENANT_CHARACTERS.map((c) => `*${c}*`)],
    },
  };
}
