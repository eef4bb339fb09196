/**
 * Binding a function to what it needs, in one call: a binding carries the environment variable naming a resource
 * (the config key of config.ts CONFIG_ENV, so infra never spells a variable name) and the least-privilege grants on
 * it (infra/grants.ts), as Powertools' example app binds a function to its table. `ReversaFunction.bind` applies it.
 */
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { CONFIG_ENV, type ConfigKey } from '#config';
import { roleArnPattern, type SigningKeyRef } from './constructs/signing-key.ts';
import {
  type Grant,
  objectGrant,
  perTenantPrefix,
  signerRolePrefix,
  TABLE_ITEMS,
  TABLE_READ,
  TABLE_WRITE,
} from './grants.ts';

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
  readonly grants: readonly Grant[];
  /** Called with the function's role when the resource's own policy must name it (a signing key's key policy). */
  readonly admit?: (role: Role) => void;
}

/** One binding of several (e.g. the audit log: a bucket prefix, its listing and the signing key). */
export function combine(...bindings: Binding[]): Binding {
  const admits = bindings.flatMap((binding) => (binding.admit === undefined ? [] : [binding.admit]));
  return {
    environment: Object.assign({}, ...bindings.map((binding) => binding.environment)),
    grants: bindings.flatMap((binding) => binding.grants),
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
}

export class BindableTable extends Bindable {
  constructor(
    readonly table: ITable,
    configKey: ResourceConfigKey,
  ) {
    super(configKey, table.tableName);
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

  private actions(actions: readonly string[]): Binding {
    return this.binding([{ on: 'table', actions, resources: [this.table.tableArn] }]);
  }
}

export class BindableBucket extends Bindable {
  constructor(
    readonly bucket: IBucket,
    configKey: ResourceConfigKey,
    /** Why a prefix grant stops at its prefix, for cdk-nag. */
    private readonly prefixReason: string | ((prefix: string) => string) = perTenantPrefix,
  ) {
    super(configKey, bucket.bucketName);
  }

  /** GetObject (and HeadObject) under each prefix. */
  read(...prefixes: string[]): Binding {
    return this.objects(['s3:GetObject'], prefixes);
  }

  write(...prefixes: string[]): Binding {
    return this.objects(['s3:PutObject'], prefixes);
  }

  delete(...prefixes: string[]): Binding {
    return this.objects(['s3:DeleteObject'], prefixes);
  }

  /** `actions` on the objects under each prefix; `why` replaces the bucket's reason for the wildcards. */
  objects(actions: readonly string[], prefixes: readonly string[], why = this.prefixReason): Binding {
    return this.binding(prefixes.length === 0 ? [] : [objectGrant(this.bucket, actions, prefixes, why)]);
  }

  /**
   * s3:ListBucket on the whole bucket, for functions that probe keys which may not exist yet (`exists`, a first
   * cursor read): without ListBucket S3 answers a missing key with 403 AccessDenied instead of 404, which the blob
   * store cannot tell from a real denial. A prefix condition does not help: GetObject/HeadObject carry no s3:prefix.
   */
  list(): Binding {
    return this.onBucket(['s3:ListBucket']);
  }

  /** Bucket-level actions (e.g. s3:ListBucketMultipartUploads). */
  onBucket(actions: readonly string[]): Binding {
    return this.binding([{ on: 'bucket', actions, resources: [this.bucket.bucketArn] }]);
  }
}

export class BindableSigningKey extends Bindable {
  constructor(
    readonly key: SigningKeyRef,
    configKey: ResourceConfigKey,
  ) {
    super(configKey, key.keyId);
  }

  /** kms:Sign and kms:GetPublicKey, and admission by the key policy (both must allow). */
  sign(): Binding {
    return this.binding(
      [{ on: 'key', actions: ['kms:Sign', 'kms:GetPublicKey'], resources: [this.key.keyArn] }],
      (role) => this.key.allowSigningBy(roleArnPattern(signerRolePrefix(role))),
    );
  }

  /** kms:GetPublicKey only (naming the signer without signing). */
  publicKey(): Binding {
    return this.binding([{ on: 'key', actions: ['kms:GetPublicKey'], resources: [this.key.keyArn] }]);
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

  putEvents(): Binding {
    return this.binding([{ on: 'bus', actions: ['events:PutEvents'], resources: [this.bus.eventBusArn] }]);
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
