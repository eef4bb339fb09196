import { ArnFormat, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type EventPattern, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type CfnRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import { ConfigError } from '#core/errors.ts';
import { AlarmTopic } from './constructs/alarm-topic.ts';
import { DeadLetterQueue } from './constructs/dead-letter-queue.ts';
import { type ReversaEnvironment, ReversaFunction, type ReversaFunctionProps } from './constructs/reversa-function.ts';
import { ScheduledInvoke } from './constructs/scheduled-invoke.ts';
import { roleArnPattern, type SigningKeyRef } from './constructs/signing-key.ts';
import { VerifyStateMachine } from './constructs/verify-state-machine.ts';
import { acknowledgeWildcardAction, acknowledgeWildcardResource } from './nag.ts';
import { defaultVerifyDefinitionPath, entryFromRepoRoot } from './paths.ts';

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
  /** Published dossiers (no function writes there yet; every function gets the name). */
  readonly dossierBucket: IBucket;
  /** Signs dossiers (no function signs yet; every function gets the id). */
  readonly dossierSigningKey: SigningKeyRef;
}

/** Output keys the CLI reads with DescribeStacks (cli/aws-context.ts). */
export const workflowsOutputKeys = ['VerifyStateMachineArn'] as const;

/**
 * CloudFormation names a role `<stack>-<logicalId>-<12 or 13 random characters>` and shortens the first two parts
 * when the whole would pass IAM's 64 characters. Signing keys admit roles by that name prefix, so it must survive.
 */
const IAM_ROLE_NAME_MAX = 64;
const CFN_ROLE_SUFFIX_MAX = 13;

export interface WorkflowsStackProps extends StackProps {
  /** Tables, bucket and bus from the stateful stack. */
  readonly stateful: StatefulResources;
  /**
   * ASL file of the verify workflow.
   * @default statemachines/verify-backups.asl.json (repository root)
   */
  readonly verifyDefinitionPath?: string;
  /**
   * Resolves a handler path relative to the repository root (e.g. `functions/ingest/s3-inbox.ts`) to the file to bundle.
   * @default - the file at that path under the repository root
   */
  readonly resolveEntry?: (relativePath: string) => string;
  /**
   * E-mail address subscribed to the alarm topic.
   * @default - no subscription
   */
  readonly alarmEmail?: string;
  /**
   * How often the sweep looks for due verifications.
   * @default rate(5 minutes)
   */
  readonly sweepSchedule?: ScheduleExpression;
  /**
   * How often AWS Backup jobs are reconciled through the API (catches events EventBridge dropped).
   * @default rate(1 hour)
   */
  readonly reconcileSchedule?: ScheduleExpression;
  /**
   * Name prefix of the role reconcile assumes in each client account to read AWS Backup.
   * @default 'ReversaReadBackup'
   */
  readonly readBackupRolePrefix?: string;
}

/** AWS Backup event types that change what Reversa knows about jobs and recovery points. */
export const backupEventDetailTypes = [
  'Backup Job State Change',
  'Copy Job State Change',
  'Recovery Point State Change',
] as const;

const backupEventPattern: EventPattern = { source: ['aws.backup'], detailType: [...backupEventDetailTypes] };

/** Table access levels, as explicit action lists (no index wildcard: the table has no GSI by contract). */
const tableRead = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
const tableWrite = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/** What one function may touch. Everything not listed is denied. */
interface Access {
  /** Main table: `write` is for functions that only put/update (conditional writes need no read permission). */
  readonly table?: 'read' | 'write' | 'readWrite';
  /** Powertools idempotency (Get/Put/Update/DeleteItem on the idempotency table). */
  readonly idempotency?: boolean;
  /** Bucket key prefixes (ending in '/') the function may read (GetObject). */
  readonly readPrefixes?: readonly string[];
  /** Bucket key prefixes the function may write (PutObject). */
  readonly writePrefixes?: readonly string[];
  /** Bucket key prefixes the function may delete from (moving a report out of the inbox). */
  readonly deletePrefixes?: readonly string[];
  /**
   * s3:ListBucket on the whole bucket, for functions that probe keys which may not exist yet (`exists`, a first
   * cursor read): without ListBucket S3 answers a missing key with 403 AccessDenied instead of 404, which the blob
   * store cannot tell from a real denial. A prefix condition does not help: GetObject/HeadObject carry no s3:prefix.
   */
  readonly probeMissingKeys?: boolean;
  /** events:PutEvents on the reversa bus. */
  readonly putEvents?: boolean;
  /**
   * Appends to and seals the tenant audit logs (core/use-cases/audit-trail.ts): put/get/head under `audit/` in the
   * audit bucket (the seal checks which copies exist), ListBucket there (a missing copy must read as 404, not 403),
   * kms:Sign and kms:GetPublicKey on the audit key, and admission by the key's policy. The table grant is separate:
   * appending reads the head entry (Query) and claims the next one (conditional Put), so it needs `readWrite`.
   */
  readonly auditLog?: boolean;
}

/**
 * The processing side: Lambdas, the verify state machine, event rules and schedules. Stateless: it can be
 * destroyed and redeployed at will; all data lives in the stateful stack.
 */
export class WorkflowsStack extends Stack {
  readonly functions: Record<
    's3Inbox' | 'backupEvent' | 'reconcile' | 'loadStrategy' | 'evaluateBatch' | 'aggregate' | 'persist' | 'sweep',
    ReversaFunction
  >;
  readonly verify: VerifyStateMachine;
  readonly alarmTopic: AlarmTopic;

  constructor(scope: Construct, id: string, props: WorkflowsStackProps) {
    super(scope, id, props);
    const { stateful } = props;
    const resolveEntry = props.resolveEntry ?? entryFromRepoRoot;

    this.alarmTopic = new AlarmTopic(this, 'Alarms', props.alarmEmail === undefined ? {} : { email: props.alarmEmail });
    const topic = this.alarmTopic.topic;

    // A fixed name lets every function receive the ARN without a cycle (the Task functions are referenced by it).
    const verifyStateMachineName = `${this.stackName}-verify-backups`;
    const environment: ReversaEnvironment = {
      tableName: stateful.table.tableName,
      idempotencyTableName: stateful.idempotencyTable.tableName,
      dataBucketName: stateful.dataBucket.bucketName,
      eventBusName: stateful.eventBus.eventBusName,
      verifyStateMachineArn: this.formatArn({
        service: 'states',
        resource: 'stateMachine',
        resourceName: verifyStateMachineName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      // Every function composes every adapter (adapters/compose.ts); an unset one only fails when used, but setting
      // them all keeps a future grant from also needing an env var change.
      auditBucketName: stateful.auditBucket.bucketName,
      auditKeyId: stateful.auditSigningKey.keyId,
      dossierBucketName: stateful.dossierBucket.bucketName,
      dossierKeyId: stateful.dossierSigningKey.keyId,
    };

    const make = (
      fnId: string,
      entry: string,
      access: Access,
      options: Omit<ReversaFunctionProps, 'entry' | 'environment'> = {},
    ): ReversaFunction => {
      const fn = new ReversaFunction(this, fnId, { entry: resolveEntry(entry), environment, ...options });
      this.grantAccess(fn, access, stateful);
      return fn;
    };
    // Functions invoked asynchronously (rules, schedules) keep failed events in their own DLQ.
    const asyncDlq = (dlqId: string, purpose: string) =>
      new DeadLetterQueue(this, dlqId, { alarmTopic: topic, purpose }).queue;

    // Each grant below is what the handler's use case touches through its ports (core/use-cases/*.ts); no function
    // publishes events itself (the workflow's EmitFindings/RecordFailure states do, with the state machine's role).
    const s3Inbox = make(
      'S3Inbox',
      'functions/ingest/s3-inbox.ts',
      {
        // tenants.markDirty, facts.putFacts; the Powertools idempotency record per object key + ETag.
        table: 'readWrite',
        idempotency: true,
        // Reads and moves the report out of inbox/ (copy = read source + write target); HEADs processed/<key>
        // to tell a redelivered report from a new one.
        readPrefixes: ['inbox/', 'processed/'],
        deletePrefixes: ['inbox/'],
        writePrefixes: ['processed/', 'quarantine/'],
        probeMissingKeys: true,
      },
      {
        description: 'Ingests backup job reports dropped under inbox/<tenantId>/',
        serviceName: 'reversa-ingest',
        memorySize: 1024,
        timeout: Duration.minutes(2),
        deadLetterQueue: asyncDlq('S3InboxFailures', 'inbox report ingestions (s3-inbox)'),
      },
    );
    // tenants.tenantForAwsAccount, facts.putFacts, tenants.markDirty; idempotent on the event id.
    const backupEvent = make(
      'BackupEvent',
      'functions/ingest/backup-event.ts',
      { table: 'readWrite', idempotency: true },
      {
        description: 'Normalises AWS Backup job, copy and recovery point events into backup jobs',
        serviceName: 'reversa-ingest',
        deadLetterQueue: asyncDlq('BackupEventFailures', 'AWS Backup event ingestions (backup-event)'),
      },
    );
    this.allowDescribingOwnVaults(backupEvent);
    // strategies.listTenants/getCurrent, facts.putFacts, tenants.markDirty; cursors at runs/<tenant>/reconcile/….
    const reconcile = make(
      'Reconcile',
      'functions/ingest/reconcile.ts',
      { table: 'readWrite', readPrefixes: ['runs/'], writePrefixes: ['runs/'], probeMissingKeys: true },
      {
        description: 'Reconciles AWS Backup jobs and recovery points through the API (own and client accounts)',
        serviceName: 'reversa-ingest',
        timeout: Duration.minutes(10),
        deadLetterQueue: asyncDlq('ReconcileFailures', 'AWS Backup reconciliations (reconcile)'),
      },
    );
    this.allowReadingAwsBackup(reconcile, props.readBackupRolePrefix ?? 'ReversaReadBackup');

    const runs = 'runs/';
    const reports = 'reports/';
    // strategies.getCurrent, facts.listSeenResources; writes runs/<tenant>/<run>/plan.json.
    const loadStrategy = make(
      'LoadStrategy',
      'functions/verify/load-strategy.ts',
      { table: 'read', writePrefixes: [runs] },
      {
        description: 'Loads the tenant strategy version and splits resources into batches',
        serviceName: 'reversa-verify',
      },
    );
    // facts.getFacts; reads the plan, writes batch-<n>.json.
    const evaluateBatch = make(
      'EvaluateBatch',
      'functions/verify/evaluate-batch.ts',
      { table: 'read', readPrefixes: [runs], writePrefixes: [runs] },
      {
        description: 'Evaluates the rules on one batch of resources',
        serviceName: 'reversa-verify',
        memorySize: 1024,
        timeout: Duration.minutes(2),
      },
    );
    // reports.listReports (previous run); reads plan and batches, the previous report; writes the report and summary.
    const aggregate = make(
      'Aggregate',
      'functions/verify/aggregate.ts',
      { table: 'read', readPrefixes: [runs, reports], writePrefixes: [runs, reports] },
      {
        description: 'Aggregates batch results into one verification report',
        serviceName: 'reversa-verify',
        timeout: Duration.minutes(1),
      },
    );
    // reads summary.json; reports.putReport and tenants.markVerified are (conditional) puts/updates; then records the
    // run in the tenant's audit log (reads the head entry, claims the next, copies it to S3, seals a digest when due).
    const persist = make(
      'Persist',
      'functions/verify/persist.ts',
      { table: 'readWrite', readPrefixes: [runs], auditLog: true },
      {
        description: 'Indexes the report summary and records when the tenant is due again',
        serviceName: 'reversa-verify',
      },
    );
    // strategies.listTenants, tenants.get; starts executions (granted by the state machine below).
    const sweep = make(
      'Sweep',
      'functions/verify/sweep.ts',
      { table: 'read' },
      {
        description: 'Starts verify executions for tenants whose verification is due',
        serviceName: 'reversa-verify',
        deadLetterQueue: asyncDlq('SweepFailures', 'verification sweeps (sweep)'),
      },
    );

    this.verify = new VerifyStateMachine(this, 'VerifyBackups', {
      definitionPath: props.verifyDefinitionPath ?? defaultVerifyDefinitionPath,
      stateMachineName: verifyStateMachineName,
      functions: {
        loadStrategy: loadStrategy.function,
        evaluateBatch: evaluateBatch.function,
        aggregate: aggregate.function,
        persist: persist.function,
      },
      eventBus: stateful.eventBus,
      alarmTopic: topic,
    });
    this.verify.stateMachine.grantStartExecution(sweep);

    this.functions = { s3Inbox, backupEvent, reconcile, loadStrategy, evaluateBatch, aggregate, persist, sweep };

    new CfnOutput(this, 'VerifyStateMachineArn', {
      value: this.verify.stateMachine.stateMachineArn,
      description: 'Verify-backups state machine (REVERSA_VERIFY_STATE_MACHINE_ARN)',
    });

    this.routeEvents(stateful, s3Inbox, backupEvent);

    new ScheduledInvoke(this, 'SweepSchedule', {
      target: sweep.function,
      schedule: props.sweepSchedule ?? ScheduleExpression.rate(Duration.minutes(5)),
      description: 'Reversa: start due backup verifications',
      alarmTopic: topic,
    });
    new ScheduledInvoke(this, 'ReconcileSchedule', {
      target: reconcile.function,
      schedule: props.reconcileSchedule ?? ScheduleExpression.rate(Duration.hours(1)),
      description: 'Reversa: reconcile AWS Backup jobs through the API',
      alarmTopic: topic,
      maxEventAge: Duration.minutes(30),
    });
  }

  /** EventBridge rules: AWS Backup events (own account and forwarded by clients) and inbox object events. */
  private routeEvents(stateful: StatefulResources, s3Inbox: ReversaFunction, backupEvent: ReversaFunction): void {
    const topic = this.alarmTopic.topic;
    const backupEventsDlq = new DeadLetterQueue(this, 'BackupEventsDeliveryFailures', {
      alarmTopic: topic,
      purpose: 'AWS Backup event deliveries to backup-event',
    }).queue;
    // EventBridge retries delivery itself (throttling, function unavailable) before using the DLQ.
    const backupTarget = new LambdaFunction(backupEvent.function, {
      deadLetterQueue: backupEventsDlq,
      retryAttempts: 8,
      maxEventAge: Duration.hours(2),
    });
    new Rule(this, 'BackupEventsRule', {
      description: 'AWS Backup events of this account to Reversa ingestion',
      eventPattern: backupEventPattern,
      targets: [backupTarget],
    });
    // Client accounts forward their AWS Backup events to the reversa bus (see docs/deploy.md).
    new Rule(this, 'ForwardedBackupEventsRule', {
      description: 'AWS Backup events forwarded by client accounts to Reversa ingestion',
      eventBus: stateful.eventBus,
      eventPattern: backupEventPattern,
      targets: [backupTarget],
    });

    const inboxDlq = new DeadLetterQueue(this, 'InboxEventsDeliveryFailures', {
      alarmTopic: topic,
      purpose: 'inbox object event deliveries to s3-inbox',
    }).queue;
    new Rule(this, 'InboxObjectCreatedRule', {
      description: 'Job reports dropped under inbox/ to Reversa ingestion',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [stateful.dataBucket.bucketName] }, object: { key: [{ prefix: 'inbox/' }] } },
      },
      targets: [
        new LambdaFunction(s3Inbox.function, {
          deadLetterQueue: inboxDlq,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });
  }

  private grantAccess(fn: ReversaFunction, access: Access, stateful: StatefulResources): void {
    if (access.table !== undefined) {
      const actions = { read: tableRead, write: tableWrite, readWrite: [...tableRead, ...tableWrite] }[access.table];
      fn.allow(new PolicyStatement({ actions, resources: [stateful.table.tableArn] }));
    }
    if (access.idempotency === true) {
      fn.allow(
        new PolicyStatement({
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
          resources: [stateful.idempotencyTable.tableArn],
        }),
      );
    }
    const objects = (prefixes: readonly string[] | undefined) =>
      (prefixes ?? []).map((prefix) => stateful.dataBucket.arnForObjects(`${prefix}*`));
    const grantObjects = (action: string, prefixes: readonly string[] | undefined) => {
      const resources = objects(prefixes);
      if (resources.length > 0) fn.allow(new PolicyStatement({ actions: [action], resources }));
    };
    grantObjects('s3:GetObject', access.readPrefixes);
    grantObjects('s3:PutObject', access.writePrefixes);
    grantObjects('s3:DeleteObject', access.deletePrefixes);
    if (access.probeMissingKeys === true) {
      fn.allow(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [stateful.dataBucket.bucketArn] }));
    }
    if (access.putEvents === true) stateful.eventBus.grantPutEventsTo(fn);
    if (access.auditLog === true) this.allowAuditLog(fn, stateful);
    const objectPrefixes = new Set([
      ...(access.readPrefixes ?? []),
      ...(access.writePrefixes ?? []),
      ...(access.deletePrefixes ?? []),
    ]);
    for (const prefix of objectPrefixes) {
      acknowledgeWildcardResource(
        fn,
        stateful.dataBucket.arnForObjects(`${prefix}*`),
        `Object keys under ${prefix} are per tenant and per run (${prefix}<tenantId>/...), unknown at deploy time; the grant stops at the prefix.`,
      );
    }
  }

  /** See Access.auditLog. */
  private allowAuditLog(fn: ReversaFunction, stateful: StatefulResources): void {
    const auditObjects = stateful.auditBucket.arnForObjects('audit/*');
    fn.allow(new PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject'], resources: [auditObjects] }));
    fn.allow(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [stateful.auditBucket.bucketArn] }));
    fn.allow(
      new PolicyStatement({
        actions: ['kms:Sign', 'kms:GetPublicKey'],
        resources: [stateful.auditSigningKey.keyArn],
      }),
    );
    stateful.auditSigningKey.allowSigningBy(roleArnPattern(this.roleNamePrefix(fn)));
    acknowledgeWildcardResource(
      fn,
      auditObjects,
      'Audit objects are per tenant and per sequence number (audit/<tenantId>/entries/<seq>.json, digests/…), unknown at deploy time; the grant stops at audit/ and Object Lock keeps every version.',
    );
  }

  /**
   * The generated name of a function's role up to its random suffix (`<stack>-<logicalId>-`), what key policies
   * match. Refuses a stack name so long that CloudFormation would shorten it and the key would not admit the role.
   */
  private roleNamePrefix(fn: ReversaFunction): string {
    const prefix = `${this.stackName}-${this.getLogicalId(fn.role.node.defaultChild as CfnRole)}-`;
    if (prefix.length + CFN_ROLE_SUFFIX_MAX > IAM_ROLE_NAME_MAX) {
      throw new ConfigError(
        'StackNameTooLong',
        `stack name ${this.stackName} is too long: the role name ${prefix}<suffix> would be shortened by CloudFormation and the signing key would not recognise it; use a shorter stackPrefix`,
      );
    }
    return prefix;
  }

  /**
   * backup-event stamps recovery points with the Vault Lock state of their vault (DescribeBackupVault), for vaults of
   * this account and region only: client accounts' vaults are read by reconcile through their ReversaReadBackup role.
   */
  private allowDescribingOwnVaults(backupEvent: ReversaFunction): void {
    const ownVaults = this.formatArn({
      service: 'backup',
      resource: 'backup-vault',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    backupEvent.allow(new PolicyStatement({ actions: ['backup:DescribeBackupVault'], resources: [ownVaults] }));
    acknowledgeWildcardResource(
      backupEvent,
      ownVaults,
      'Recovery points arrive from any vault of this account and region; DescribeBackupVault is read-only and the grant stops at the account/region vault ARN prefix.',
    );
  }

  /** reconcile reads AWS Backup here and, through an assumed read-only role, in client accounts. */
  private allowReadingAwsBackup(reconcile: ReversaFunction, rolePrefix: string): void {
    reconcile.allow(
      new PolicyStatement({
        actions: ['backup:List*', 'backup:Describe*', 'backup:GetBackupPlan', 'backup:GetBackupSelection'],
        resources: ['*'],
      }),
    );
    const readBackupRoles = `arn:${this.partition}:iam::*:role/${rolePrefix}*`;
    reconcile.allow(new PolicyStatement({ actions: ['sts:AssumeRole'], resources: [readBackupRoles] }));

    const listReason =
      'AWS Backup List*/Describe* calls (ListBackupJobs, ListRecoveryPointsByBackupVault, DescribeBackupJob, ...) are read-only and mostly support no resource-level permissions; reconcile must see every vault.';
    acknowledgeWildcardAction(reconcile, 'backup:List*', listReason);
    acknowledgeWildcardAction(reconcile, 'backup:Describe*', listReason);
    acknowledgeWildcardResource(
      reconcile,
      readBackupRoles,
      `Client accounts are onboarded without redeploying; only roles named ${rolePrefix}* (read-only AWS Backup, trust limited to this account) can be assumed, in any account.`,
    );
  }
}
