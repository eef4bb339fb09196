import { Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import {
  BindableBucket,
  BindableEventBus,
  BindableRole,
  BindableSigningKey,
  BindableStateMachine,
  BindableTable,
  type Binding,
  combine,
  type ReversaEnvironment,
  TenantSecrets,
} from './bindings.ts';
import type { SigningKeyRef } from './constructs/signing-key.ts';
import { ownArn } from './grants.ts';

/** The data resources the workflows use; owned by the stateful stack. */
export interface StatefulResources {
  readonly table: ITable;
  readonly idempotencyTable: ITable;
  readonly dataBucket: IBucket;
  readonly eventBus: IEventBus;
  /** Audit log copies, written under `audit/`. */
  readonly auditBucket: IBucket;
  /** Signs audit digests; admits the functions that seal through its key policy. */
  readonly auditSigningKey: SigningKeyRef;
  /** Published dossiers. */
  readonly dossierBucket: IBucket;
  /** Signs dossiers; admits the dossier Sign function through its key policy. */
  readonly dossierSigningKey: SigningKeyRef;
}

/** `<stack>-<workflow>`: fixed, so that functions receive a workflow's ARN without a dependency cycle. */
export function stateMachineNameOf(scope: IConstruct, workflow: string): string {
  return `${Stack.of(scope).stackName}-${workflow}`;
}

/** The ARN of the state machine `stateMachineNameOf(scope, workflow)`, built from its name. */
export function stateMachineArnOf(scope: IConstruct, workflow: string): string {
  return ownArn(scope, 'states', 'stateMachine', stateMachineNameOf(scope, workflow));
}

export interface ReversaResourcesProps {
  readonly stateful: StatefulResources;
  /** ARNs of the three workflows, from their fixed names (stateMachineArnOf). */
  readonly verifyStateMachineArn: string;
  readonly restoreTestStateMachineArn: string;
  readonly exportStateMachineArn: string;
  /** The role AWS Backup restores recovery points with (restore tests, aws-backup runner). */
  readonly restoreRole: Role;
}

/**
 * Everything a Reversa function can be bound to, each under the config key its name is read with. The workflow
 * constructs bind their functions to these (one call: environment variable and grant); none builds its own.
 */
export class ReversaResources {
  /** The main table: every `T#<tenant>#…` partition is a tenant's (granted through tenant-access roles). */
  readonly table: BindableTable;
  /** Powertools idempotency records (keyed by event id and object key: no tenant partition). */
  readonly idempotencyTable: BindableTable;
  /** Inbox, runs, reports, sandboxes, dossier sources: `<prefix>/<tenant>/…` (core/tenancy/boundary.ts). */
  readonly dataBucket: BindableBucket;
  readonly eventBus: BindableEventBus;
  readonly auditBucket: BindableBucket;
  readonly auditKey: BindableSigningKey;
  readonly dossierBucket: BindableBucket;
  readonly dossierKey: BindableSigningKey;
  readonly verifyWorkflow: BindableStateMachine;
  readonly restoreTestWorkflow: BindableStateMachine;
  readonly exportWorkflow: BindableStateMachine;
  readonly restoreRole: BindableRole;
  /** Secrets Manager secrets tagged `reversa:tenant=<id>` (restic passwords, escrowed credentials). */
  readonly tenantSecrets: TenantSecrets;

  constructor(props: ReversaResourcesProps) {
    const { stateful } = props;
    this.table = new BindableTable(stateful.table, 'tableName', { tenantPartitioned: true });
    this.idempotencyTable = new BindableTable(stateful.idempotencyTable, 'idempotencyTableName');
    this.dataBucket = new BindableBucket(stateful.dataBucket, 'dataBucket', 'data');
    this.eventBus = new BindableEventBus(stateful.eventBus, 'eventBusName');
    this.auditBucket = new BindableBucket(stateful.auditBucket, 'auditBucket', 'audit');
    this.auditKey = new BindableSigningKey(stateful.auditSigningKey, 'auditKeyId');
    this.dossierBucket = new BindableBucket(stateful.dossierBucket, 'dossierBucket', 'dossier');
    this.dossierKey = new BindableSigningKey(stateful.dossierSigningKey, 'dossierKeyId');
    this.verifyWorkflow = new BindableStateMachine('verifyStateMachineArn', props.verifyStateMachineArn);
    this.restoreTestWorkflow = new BindableStateMachine('restoreTestStateMachineArn', props.restoreTestStateMachineArn);
    this.exportWorkflow = new BindableStateMachine('exportStateMachineArn', props.exportStateMachineArn);
    this.restoreRole = new BindableRole(props.restoreRole, 'restoreRoleArn');
    this.tenantSecrets = new TenantSecrets(Stack.of(props.restoreRole));
  }

  /**
   * Appends to and seals the tenant's audit log (core/use-cases/audit-trail.ts): put/get under `audit/<tenant>/` in the
   * audit bucket (the seal checks which copies exist; never delete), ListBucket there (a missing copy must read as
   * 404, not 403), kms:Sign of digests and kms:GetPublicKey on the audit key, and admission by the key's policy. The
   * table grant is separate: appending reads the head entry (Query) and claims the next one (conditional Put), so it
   * needs `readWrite`.
   */
  auditLog(): Binding {
    return combine(
      this.auditBucket.objects(['s3:PutObject', 's3:GetObject'], ['audit/']),
      this.auditBucket.list('audit/'),
      this.auditKey.sign(),
    );
  }

  /**
   * The names every function receives, grant or not: each entry point composes every shared adapter (wiring/aws/adapters.ts)
   * and an unused one costs nothing, while a missing name would only fail when first used. Grants decide access.
   */
  get environment(): ReversaEnvironment {
    const named = [
      this.table,
      this.idempotencyTable,
      this.dataBucket,
      this.eventBus,
      this.auditBucket,
      this.auditKey,
      this.dossierBucket,
      this.dossierKey,
      this.restoreRole,
      this.verifyWorkflow,
      this.restoreTestWorkflow,
      this.exportWorkflow,
    ];
    return combine(...named.map((resource) => resource.nameOnly())).environment;
  }
}
