/**
 * Binding a function to what it needs, in one call: a binding carries the environment variable naming a resource
 * (the config key of config.ts CONFIG_ENV, so infra never spells a variable name) and the least-privilege grants on
 * it, as Powertools' example app binds a function to its table. `ReversaFunction.bind` applies it (infra/binder.ts).
 *
 * Tenant data (the main table's `T#<tenant>#…` partitions, the tenant prefixes of the data, audit and dossier
 * buckets, the signing keys, the bus, tenant secrets) is granted as `tenantGrants`: they go to the function's
 * tenant-access role, scoped to the session's tenant (infra/tenant-grants.ts), and the function gets only the right
 * to assume that role. `grants` go to the function's own role: what spans tenants on purpose (spelled out
 * partition by partition), the idempotency table, the provider's own areas, what Reversa does not own.
 */
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';
import { CONFIG_ENV, type ConfigKey } from '#config';
import type { BucketRole } from '#core/tenancy/boundary.ts';
import type { SigningKeyRef } from './constructs/signing-key.ts';
import { type Grant, objectGrant, roleArnMatching, TABLE_ITEMS, TABLE_READ, TABLE_WRITE } from './grants.ts';
import {
  crossTenantItems,
  putReversaEvents,
  readPublicKey,
  secretListing,
  signDigests,
  tenantItems,
  tenantListing,
  tenantObjects,
  tenantSecretValues,
  tenantUploadListing,
} from './tenant-grants.ts';

/** Config keys naming a resource (the Powertools keys are set by ReversaFunction from its own props). */
export type ResourceConfigKey = Exclude<ConfigKey, 'serviceName' | 'metricsNamespace'>;

/** Resource names by the config key config.ts reads them with. */
export type ReversaEnvironment = Readonly<Partial<Record<ResourceConfigKey, string>>>;

/** The environment variables (CONFIG_ENV names) holding `environment`'s names. */
export function environmentVariables(environment: ReversaEnvironment): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).map(([key, value]) => [CONFIG_ENV[key as ResourceConfigKey], value as string]),
  );
}

/** A resource given to a function: its name, what the function may do with it, and what the resource must admit. */
export interface Binding {
  readonly environment: ReversaEnvironment;
  /** Grants to the function's own role. */
  readonly grants: readonly Grant[];
  /** Grants to the function's tenant-access role, each scoped to the session's tenant. @default none */
  readonly tenantGrants?: readonly Grant[];
  /**
   * Called with the role that exercises the binding (the tenant-access role when there are tenant grants) when the
   * resource's own policy must name it (a signing key's key policy).
   */
  readonly admit?: (role: Role) => void;
}

/** One binding of several (e.g. the audit log: a bucket prefix, its listing and the signing key). */
export function combine(...bindings: Binding[]): Binding {
  const admits = bindings.flatMap((binding) => (binding.admit === undefined ? [] : [binding.admit]));
  return {
    environment: Object.assign({}, ...bindings.map((binding) => binding.environment)),
    grants: bindings.flatMap((binding) => binding.grants),
    tenantGrants: bindings.flatMap((binding) => binding.tenantGrants ?? []),
    ...(admits.length === 0
      ? {}
      : {
          admit: (role: Role) => {
            for (const admit of admits) admit(role);
          },
        }),
  };
}

/** The base of every bindable resource: the config key its name is handed over with, and that name. */
abstract class Bindable {
  constructor(
    readonly configKey: ResourceConfigKey,
    readonly name: string,
  ) {}

  /** The name only, no grant. */
  nameOnly(): Binding {
    return this.binding([]);
  }

  protected binding(grants: Grant[], admit?: (role: Role) => void): Binding {
    return { environment: { [this.configKey]: this.name }, grants, ...(admit === undefined ? {} : { admit }) };
  }

  protected tenantBinding(tenantGrants: Grant[], admit?: (role: Role) => void): Binding {
    return { ...this.binding([], admit), tenantGrants };
  }
}

export interface BindableTableOptions {
  /**
   * The table's partitions belong to tenants (`T#<tenant>#…`, core/tenancy/boundary.ts): item access is granted to
   * the tenant-access role under `dynamodb:LeadingKeys`. Otherwise (the idempotency table) to the function's role.
   * @default false
   */
  readonly tenantPartitioned?: boolean;
}

export class BindableTable extends Bindable {
  private readonly tenantPartitioned: boolean;

  constructor(
    readonly table: ITable,
    configKey: ResourceConfigKey,
    options: BindableTableOptions = {},
  ) {
    super(configKey, table.tableName);
    this.tenantPartitioned = options.tenantPartitioned ?? false;
  }

  read(): Binding {
    return this.actions(TABLE_READ);
  }

  /** Put/update/delete only: conditional writes need no read permission. */
  write(): Binding {
    return this.actions(TABLE_WRITE);
  }

  readWrite(): Binding {
    return this.actions([...TABLE_READ, ...TABLE_WRITE]);
  }

  /** Get/Put/Update/DeleteItem by key (Powertools idempotency records). */
  items(): Binding {
    return this.actions(TABLE_ITEMS);
  }

  /**
   * Reads that span tenants on purpose, with the function's own role: `partitions` are the IAM patterns of the
   * partitions read (e.g. `TENANTS`, `T#*#STATE`), and nothing else of the table is reachable.
   */
  crossTenantRead(actions: readonly string[], partitions: readonly string[]): Binding {
    return this.binding([crossTenantItems(this.table, actions, partitions)]);
  }

  private actions(actions: readonly string[]): Binding {
    return this.tenantPartitioned
      ? this.tenantBinding([tenantItems(this.table, actions)])
      : this.binding([{ on: 'table', actions, resources: [this.table.tableArn] }]);
  }
}

/** One of Reversa's buckets, whose objects belong to tenants under the prefixes core/tenancy/boundary.ts names. */
export class BindableBucket extends Bindable {
  constructor(
    readonly bucket: IBucket,
    configKey: ResourceConfigKey,
    /** Which of Reversa's buckets it is: what its tenant prefixes are. */
    readonly role: BucketRole,
  ) {
    super(configKey, bucket.bucketName);
  }

  /** GetObject (and HeadObject) of the session tenant's keys under each prefix. */
  read(...prefixes: string[]): Binding {
    return this.objects(['s3:GetObject'], prefixes);
  }

  write(...prefixes: string[]): Binding {
    return this.objects(['s3:PutObject'], prefixes);
  }

  delete(...prefixes: string[]): Binding {
    return this.objects(['s3:DeleteObject'], prefixes);
  }

  /** `actions` on the session tenant's keys under each of `prefixes` (tenant prefixes of this bucket only). */
  objects(actions: readonly string[], prefixes: readonly string[]): Binding {
    return this.tenantBinding(prefixes.length === 0 ? [] : [tenantObjects(this.bucket, this.role, actions, prefixes)]);
  }

  /**
   * s3:ListBucket under the session tenant's `prefixes`, for listings and for functions that probe keys which may not
   * exist yet (`exists`, a first cursor read): without ListBucket S3 answers a missing key with 403 AccessDenied
   * instead of 404, which the blob store cannot tell from a real denial. S3 evaluates it for such a probe with the
   * requested key as `s3:prefix`, so the prefix condition keeps the 404 under these prefixes.
   */
  list(...prefixes: string[]): Binding {
    return this.tenantBinding([tenantListing(this.bucket, this.role, prefixes)]);
  }

  /** The bucket's multipart uploads in progress (no prefix condition exists: see tenant-grants.ts). */
  listUploads(): Binding {
    return this.tenantBinding([tenantUploadListing(this.bucket)]);
  }

  /**
   * `actions` on every object under `prefixes`, with the function's own role: for the provider's areas of the bucket,
   * which are no tenant's (e.g. `archives/` in the data bucket), with a ListBucket limited to them so a missing
   * object reads as 404. `why` says whose keys these are.
   */
  providerObjects(actions: readonly string[], prefixes: readonly string[], why: string): Binding {
    return this.binding([
      objectGrant(this.bucket, actions, prefixes, why),
      {
        on: 'bucket',
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': prefixes.map((prefix) => `${prefix}*`) } },
      },
    ]);
  }
}

export class BindableSigningKey extends Bindable {
  constructor(
    readonly key: SigningKeyRef,
    configKey: ResourceConfigKey,
  ) {
    super(configKey, key.keyId);
  }

  /** kms:Sign (digests, ECDSA_SHA_256) and kms:GetPublicKey, and admission by the key policy (both must allow). */
  sign(): Binding {
    return this.tenantBinding([signDigests(this.key), readPublicKey(this.key)], (role) =>
      this.key.allowSigningBy(roleArnMatching(role, 'the signing key')),
    );
  }

  /** kms:GetPublicKey only (naming the signer without signing). */
  publicKey(): Binding {
    return this.tenantBinding([readPublicKey(this.key)]);
  }
}

/**
 * A workflow, named by a fixed state machine name so every function can receive its ARN without a dependency cycle
 * (the workflow's own Task functions are referenced by it). The grant names the state machine itself.
 */
export class BindableStateMachine extends Bindable {
  /** states:StartExecution on `machine`, the state machine deployed under this ARN. */
  startExecution(machine: IStateMachine): Binding {
    return this.binding([
      { on: 'stateMachine', actions: ['states:StartExecution'], resources: [machine.stateMachineArn] },
    ]);
  }
}

export class BindableEventBus extends Bindable {
  constructor(
    readonly bus: IEventBus,
    configKey: ResourceConfigKey,
  ) {
    super(configKey, bus.eventBusName);
  }

  /** PutEvents of source `reversa` events, through the tenant-access role (the publisher runs on tenant clients). */
  putEvents(): Binding {
    return this.tenantBinding([putReversaEvents(this.bus)]);
  }
}

export class BindableRole extends Bindable {
  constructor(
    readonly role: Role,
    configKey: ResourceConfigKey,
  ) {
    super(configKey, role.roleArn);
  }

  /** iam:PassRole of this role, to `service` only. */
  passTo(service: string): Binding {
    return this.binding([
      {
        on: 'role',
        actions: ['iam:PassRole'],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': service } },
      },
    ]);
  }
}

/**
 * Tenant secrets in Secrets Manager (tag `reversa:tenant=<id>`): nothing names them in the environment (strategies
 * name them), so a binding carries grants only, all through the tenant-access role.
 */
export class TenantSecrets {
  constructor(private readonly scope: IConstruct) {}

  /** GetSecretValue and DescribeSecret of the secrets tagged with the session's tenant. */
  read(): Binding {
    return { environment: {}, grants: [], tenantGrants: [tenantSecretValues(this.scope)] };
  }

  /** ListSecrets (names and tags of every secret: see tenant-grants.ts secretListing). */
  list(): Binding {
    return { environment: {}, grants: [], tenantGrants: [secretListing()] };
  }
}
