import { ArnFormat, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { ContainerImage } from 'aws-cdk-lib/aws-ecs';
import { type EventPattern, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type CfnRole, ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { ScheduleExpression, ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ConfigError } from '#core/errors.ts';
import { RESTORE_SCHEDULE_GROUP } from '#core/restore/schedule.ts';
import {
  EXPORT_WORKFLOW,
  type ExportSubstitution,
  RESTORE_TEST_WORKFLOW,
  type RestoreTestSubstitution,
} from '#statemachines/names.ts';
import { AlarmTopic } from './constructs/alarm-topic.ts';
import { AslStateMachine } from './constructs/asl-state-machine.ts';
import { DeadLetterQueue } from './constructs/dead-letter-queue.ts';
import { ResticRunner } from './constructs/restic-runner.ts';
import {
  type ReversaEnvironment,
  ReversaFunction,
  type ReversaFunctionProps,
  reversaEnvVars,
} from './constructs/reversa-function.ts';
import { ScheduledInvoke } from './constructs/scheduled-invoke.ts';
import { roleArnPattern, type SigningKeyRef } from './constructs/signing-key.ts';
import { VerifyStateMachine } from './constructs/verify-state-machine.ts';
import { ASSEMBLE_ENVIRONMENT, ASSEMBLE_NODE_OPTIONS } from './lambda-bundling.ts';
import { acknowledgeWildcardAction, acknowledgeWildcardResource } from './nag.ts';
import {
  defaultExportDefinitionPath,
  defaultRestoreTestDefinitionPath,
  defaultVerifyDefinitionPath,
  entryFromRepoRoot,
} from './paths.ts';

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
export const workflowsOutputKeys = [
  'VerifyStateMachineArn',
  'RestoreTestStateMachineArn',
  'ExportStateMachineArn',
  'RestoreDispatcherArn',
  'RestoreSchedulerRoleArn',
  'RestoreScheduleSyncPolicyArn',
] as const;

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
  /** @default statemachines/restore-test.asl.json (repository root) */
  readonly restoreTestDefinitionPath?: string;
  /** @default statemachines/reversibility-export.asl.json (repository root) */
  readonly exportDefinitionPath?: string;
  /**
   * Subnets (ids) the restic Fargate task runs in: private subnets reaching S3, Secrets Manager, ECR and
   * CloudWatch Logs (NAT or VPC endpoints). Given at deploy time, never looked up.
   * @default - none: restic restore tests fail at RunTask until set
   */
  readonly restoreSubnetIds?: readonly string[];
  /** Security groups of the restic task (egress to the endpoints above). @default - none */
  readonly restoreSecurityGroupIds?: readonly string[];
  /**
   * Buckets (names) holding s3-archive archives and restic repositories: read (and restic's `locks/`) only.
   * @default - none: only archives in the data bucket's `archives/` prefix are readable
   */
  readonly restoreSourceBuckets?: readonly string[];
  /**
   * Buckets (names) that s3-archive policies name as `sandbox.bucket`: restored into, read back, emptied.
   * @default - none: sandboxes live under `sandbox/` in the data bucket
   */
  readonly restoreSandboxBuckets?: readonly string[];
  /**
   * Image of the restic Fargate task.
   * @default - built at deploy time from restic/restic plus Node.js and the bundled runner (infra/constructs/restic-runner.ts)
   */
  readonly resticImage?: ContainerImage;
}

export type RestoreFunctionKey =
  | 'prepare'
  | 'restoreS3Archive'
  | 'startAwsBackupRestore'
  | 'describeAwsBackupRestore'
  | 'validate'
  | 'cleanup'
  | 'record'
  | 'dispatch';
export type DossierFunctionKey =
  | 'prepare'
  | 'gather'
  | 'checklist'
  | 'assemble'
  | 'sign'
  | 'publish'
  | 'audit'
  | 'abort';

/** Creates one ReversaFunction with its grants (the constructor's `make`). */
type Make = (
  fnId: string,
  entry: string,
  access: Access,
  options?: Omit<ReversaFunctionProps, 'entry' | 'environment'>,
) => ReversaFunction;

/**
 * Names every aws-backup sandbox carries (core/restore/aws-backup.ts sandboxName: `[<prefix>-]reversa-rt-<hex>`):
 * the restore-test functions may read and delete only resources matching it.
 */
const SANDBOX_NAME_PATTERN = '*reversa-rt-*';

/** Tag that ties a secret to its tenant: restic passwords and escrowed secrets must carry it in AWS. */
export const TENANT_TAG = 'reversa:tenant';

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
  /** The restore-test Lambdas (functions/restore/*.ts, the restic task aside). */
  readonly restoreFunctions: Record<RestoreFunctionKey, ReversaFunction>;
  /** The reversibility-export Lambdas (functions/dossier/*.ts). */
  readonly dossierFunctions: Record<DossierFunctionKey, ReversaFunction>;
  readonly restoreTest: AslStateMachine;
  readonly export: AslStateMachine;
  readonly restic: ResticRunner;
  /** The role AWS Backup assumes to restore a recovery point into a sandbox (REVERSA_RESTORE_ROLE_ARN). */
  readonly restoreRole: Role;
  /** Role the restore-test schedules use to invoke the dispatcher (REVERSA_RESTORE_SCHEDULER_ROLE_ARN). */
  readonly restoreSchedulerRole: Role;
  readonly restoreScheduleGroup: ScheduleGroup;
  /** What syncing restore-test schedules needs (attach to whoever runs `reversa strategy apply`). */
  readonly scheduleSyncPolicy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: WorkflowsStackProps) {
    super(scope, id, props);
    const { stateful } = props;
    const resolveEntry = props.resolveEntry ?? entryFromRepoRoot;

    this.alarmTopic = new AlarmTopic(this, 'Alarms', props.alarmEmail === undefined ? {} : { email: props.alarmEmail });
    const topic = this.alarmTopic.topic;
    this.restoreRole = this.createRestoreRole();

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
      restoreTestStateMachineArn: this.stateMachineArnOf(RESTORE_TEST_WORKFLOW),
      exportStateMachineArn: this.stateMachineArnOf(EXPORT_WORKFLOW),
      restoreRoleArn: this.restoreRole.roleArn,
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

    const restore = this.addRestoreTests(props, make, asyncDlq, environment);
    this.restoreFunctions = restore.functions;
    this.restoreTest = restore.machine;
    this.restic = restore.restic;
    this.restoreSchedulerRole = restore.schedulerRole;
    this.restoreScheduleGroup = restore.scheduleGroup;
    this.scheduleSyncPolicy = restore.syncPolicy;
    const dossier = this.addDossierExport(props, make);
    this.dossierFunctions = dossier.functions;
    this.export = dossier.machine;

    const outputs: Record<Exclude<(typeof workflowsOutputKeys)[number], 'VerifyStateMachineArn'>, [string, string]> = {
      RestoreTestStateMachineArn: [
        this.restoreTest.stateMachine.stateMachineArn,
        'Restore-test state machine (REVERSA_RESTORE_TEST_STATE_MACHINE_ARN)',
      ],
      ExportStateMachineArn: [
        this.export.stateMachine.stateMachineArn,
        'Reversibility-export state machine (REVERSA_EXPORT_STATE_MACHINE_ARN)',
      ],
      RestoreDispatcherArn: [
        this.restoreFunctions.dispatch.functionArn,
        'What restore-test schedules invoke (REVERSA_RESTORE_DISPATCHER_ARN)',
      ],
      RestoreSchedulerRoleArn: [
        this.restoreSchedulerRole.roleArn,
        'Role restore-test schedules invoke the dispatcher with (REVERSA_RESTORE_SCHEDULER_ROLE_ARN)',
      ],
      RestoreScheduleSyncPolicyArn: [
        this.scheduleSyncPolicy.managedPolicyArn,
        'Attach to whoever applies strategies: creates/updates/deletes restore-test schedules',
      ],
    };
    for (const [key, [value, description]] of Object.entries(outputs)) new CfnOutput(this, key, { value, description });
  }

  private stateMachineArnOf(workflow: string): string {
    return this.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: `${this.stackName}-${workflow}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /**
   * The role AWS Backup assumes to restore a recovery point (StartRestoreJob IamRoleArn). AWS's managed restore
   * policy lists what each resource type's restore needs (it changes as AWS Backup adds types); the restore
   * targets are always new sandbox resources named by the test id, never an existing resource.
   */
  private createRestoreRole(): Role {
    const role = new Role(this, 'RestoreRole', {
      description: 'Reversa restore tests: AWS Backup restores recovery points into sandbox resources with this role',
      assumedBy: new ServicePrincipal('backup.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      managedPolicies: [
        ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForRestores'),
        ManagedPolicy.fromAwsManagedPolicyName('AWSBackupServiceRolePolicyForS3Restore'),
      ],
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores]',
      reason:
        'AWS Backup restores with the permissions of its documented service policy, maintained by AWS per resource type; only AWS Backup can assume this role and restores always target new sandbox resources.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore]',
      reason:
        'S3 restores need the separate AWS-maintained S3 restore policy (AWS Backup documents both); the role is assumable by AWS Backup only.',
    });
    return role;
  }

  /** Grants on object keys of a bucket, one wildcard per prefix, each acknowledged with why it stops there. */
  private allowObjects(
    fn: { allow(statement: PolicyStatement): void } & Construct,
    bucket: IBucket,
    actions: string[],
    prefixes: readonly string[],
    why: string,
  ): void {
    const resources = prefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`));
    fn.allow(new PolicyStatement({ actions, resources }));
    for (const resource of resources) acknowledgeWildcardResource(fn, resource, why);
  }

  /** Named buckets given at deploy time (restore sources and sandboxes): whole-bucket object grants. */
  private allowNamedBuckets(
    fn: ReversaFunction | Role,
    names: readonly string[],
    objectActions: string[],
    why: string,
  ) {
    if (names.length === 0) return;
    const buckets = names.map((name) => `arn:${this.partition}:s3:::${name}`);
    const objects = buckets.map((arn) => `${arn}/*`);
    const add = (statement: PolicyStatement) =>
      fn instanceof Role ? fn.addToPrincipalPolicy(statement) : fn.allow(statement);
    add(new PolicyStatement({ actions: ['s3:ListBucket'], resources: buckets }));
    add(new PolicyStatement({ actions: objectActions, resources: objects }));
    for (const resource of objects) acknowledgeWildcardResource(fn, resource, why);
  }

  /** Secrets tagged `reversa:tenant` (any tenant: the use case asks by name for one tenant's secret). */
  private allowTenantSecrets(fn: ReversaFunction | Role, list: boolean): void {
    const statements = [
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [
          this.formatArn({
            service: 'secretsmanager',
            resource: 'secret',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
        // Only secrets that belong to a tenant: the provider's own secrets stay out of reach.
        conditions: { Null: { [`secretsmanager:ResourceTag/${TENANT_TAG}`]: 'false' } },
      }),
      ...(list ? [new PolicyStatement({ actions: ['secretsmanager:ListSecrets'], resources: ['*'] })] : []),
    ];
    for (const statement of statements) {
      if (fn instanceof Role) fn.addToPrincipalPolicy(statement);
      else fn.allow(statement);
    }
    acknowledgeWildcardResource(
      fn,
      this.formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: '*',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      `Secrets are named by each tenant's strategy; the grant is limited by condition to secrets tagged ${TENANT_TAG}.`,
    );
  }

  /** Functions, restic task, workflow and schedule plumbing of the restore tests (issue 3). */
  private addRestoreTests(
    props: WorkflowsStackProps,
    make: Make,
    asyncDlq: (dlqId: string, purpose: string) => IQueue,
    environment: ReversaEnvironment,
  ) {
    const { stateful } = props;
    const data = stateful.dataBucket;
    const runs = 'runs/';
    const sandbox = 'sandbox/';
    const sourceBuckets = props.restoreSourceBuckets ?? [];
    const sandboxBuckets = props.restoreSandboxBuckets ?? [];
    const opts = (description: string, extra: Omit<ReversaFunctionProps, 'entry' | 'environment'> = {}) => ({
      description,
      serviceName: 'reversa-restore',
      ...extra,
    });
    const sandboxWhy =
      'Each test restores under sandbox/<tenantId>/<testId>/ (ids unknown at deploy time); the grant stops at sandbox/.';

    // strategies.getCurrent, facts.getFacts/listSeenResources; writes runs/<tenant>/<testId>/plan.json.
    const prepare = make(
      'RestorePrepare',
      'functions/restore/prepare.ts',
      { table: 'read', writePrefixes: [runs] },
      opts('Restore test: chooses the recovery point and writes the plan'),
    );
    // Reads the plan, streams the archive (source buckets, or archives/ in the data bucket) into the sandbox, reads
    // it back, empties it; writes restore.json.
    const restoreS3Archive = make(
      'RestoreS3Archive',
      'functions/restore/restore-s3-archive.ts',
      { readPrefixes: [runs, 'archives/'], writePrefixes: [runs], probeMissingKeys: true },
      opts('Restore test (s3-archive): stream-restores an archive into the sandbox and compares it', {
        memorySize: 1024,
        timeout: Duration.minutes(15),
      }),
    );
    this.allowObjects(
      restoreS3Archive,
      data,
      ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
      [sandbox],
      sandboxWhy,
    );
    this.allowNamedBuckets(
      restoreS3Archive,
      sourceBuckets,
      ['s3:GetObject'],
      'Archive keys are patterns per recovery point in a bucket the provider names at deploy time; read-only.',
    );
    this.allowNamedBuckets(
      restoreS3Archive,
      sandboxBuckets,
      ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
      'A sandbox bucket named at deploy time exists only to receive test restores (<prefix><testId>/).',
    );

    const vaults = this.formatArn({
      service: 'backup',
      resource: 'backup-vault',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const points = this.formatArn({
      service: 'backup',
      resource: 'recovery-point',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const ddbBackups = this.formatArn({ service: 'dynamodb', resource: 'table', resourceName: '*/backup/*' });
    const sandboxTables = this.formatArn({
      service: 'dynamodb',
      resource: 'table',
      resourceName: SANDBOX_NAME_PATTERN,
    });
    const sandboxBucketArn = `arn:${this.partition}:s3:::${SANDBOX_NAME_PATTERN}`;
    const pointsWhy =
      'Restore tests pick any recovery point of this account and region (known only at run time); the grant stops at the account/region ARN prefix.';

    // GetRecoveryPointRestoreMetadata + StartRestoreJob (idempotent on the test id), passing the restore role.
    const startAwsBackupRestore = make(
      'RestoreStartAwsBackup',
      'functions/restore/start-aws-backup-restore.ts',
      { readPrefixes: [runs], writePrefixes: [runs] },
      opts('Restore test (aws-backup): starts the restore job into a sandbox'),
    );
    startAwsBackupRestore.allow(
      new PolicyStatement({ actions: ['backup:GetRecoveryPointRestoreMetadata'], resources: [vaults] }),
    );
    startAwsBackupRestore.allow(
      new PolicyStatement({ actions: ['backup:StartRestoreJob'], resources: [points, ddbBackups] }),
    );
    startAwsBackupRestore.allow(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.restoreRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'backup.amazonaws.com' } },
      }),
    );
    for (const resource of [vaults, points, ddbBackups])
      acknowledgeWildcardResource(startAwsBackupRestore, resource, pointsWhy);

    // DescribeRestoreJob (no resource-level permission).
    const describeAwsBackupRestore = make(
      'RestoreDescribeAwsBackup',
      'functions/restore/describe-aws-backup-restore.ts',
      { readPrefixes: [runs], writePrefixes: [runs] },
      opts('Restore test (aws-backup): polls the restore job'),
    );
    describeAwsBackupRestore.allow(new PolicyStatement({ actions: ['backup:DescribeRestoreJob'], resources: ['*'] }));

    // Reads the restored table/bucket back (sandbox names only), the backup's item count, and reports the verdict.
    const validate = make(
      'RestoreValidate',
      'functions/restore/validate.ts',
      { readPrefixes: [runs], writePrefixes: [runs] },
      opts('Restore test: validates the restored data', { timeout: Duration.minutes(15), memorySize: 1024 }),
    );
    validate.allow(new PolicyStatement({ actions: ['dynamodb:DescribeBackup'], resources: [ddbBackups] }));
    validate.allow(
      new PolicyStatement({
        actions: ['dynamodb:DescribeTable', 'dynamodb:Scan', 'dynamodb:GetItem'],
        resources: [sandboxTables],
      }),
    );
    validate.allow(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [sandboxBucketArn] }));
    validate.allow(new PolicyStatement({ actions: ['s3:GetObject'], resources: [`${sandboxBucketArn}/*`] }));
    validate.allow(new PolicyStatement({ actions: ['backup:PutRestoreValidationResult'], resources: ['*'] }));
    const sandboxResourceWhy =
      'Restored sandboxes are named <prefix->reversa-rt-<test hash> at run time; only resources carrying that marker match.';
    for (const resource of [sandboxTables, sandboxBucketArn, `${sandboxBucketArn}/*`]) {
      acknowledgeWildcardResource(validate, resource, sandboxResourceWhy);
    }
    acknowledgeWildcardResource(validate, ddbBackups, pointsWhy);

    // Empties the test's sandbox prefix (every runner) and deletes the restored table/bucket (aws-backup).
    const cleanup = make(
      'RestoreCleanup',
      'functions/restore/cleanup.ts',
      { readPrefixes: [runs], writePrefixes: [runs], probeMissingKeys: true },
      opts('Restore test: deletes the sandbox and proves it is gone (always runs)', {
        timeout: Duration.minutes(5),
      }),
    );
    this.allowObjects(cleanup, data, ['s3:GetObject', 's3:DeleteObject'], [sandbox], sandboxWhy);
    cleanup.allow(
      new PolicyStatement({ actions: ['dynamodb:DeleteTable', 'dynamodb:DescribeTable'], resources: [sandboxTables] }),
    );
    cleanup.allow(
      new PolicyStatement({
        actions: ['s3:ListBucket', 's3:ListBucketVersions', 's3:DeleteBucket'],
        resources: [sandboxBucketArn],
      }),
    );
    cleanup.allow(
      new PolicyStatement({
        actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: [`${sandboxBucketArn}/*`],
      }),
    );
    for (const resource of [sandboxTables, sandboxBucketArn, `${sandboxBucketArn}/*`]) {
      acknowledgeWildcardResource(cleanup, resource, sandboxResourceWhy);
    }
    this.allowNamedBuckets(
      cleanup,
      sandboxBuckets,
      ['s3:GetObject', 's3:DeleteObject'],
      'A sandbox bucket named at deploy time exists only to receive test restores (<prefix><testId>/).',
    );

    // Evidence JSON under restore-tests/, the RestoreTestStore row, a finding, and the tenant's audit-log entry.
    // 'Record' stays short: a signing role's generated name must keep its prefix (see roleNamePrefix).
    const record = make(
      'Record',
      'functions/restore/record.ts',
      {
        table: 'readWrite',
        readPrefixes: [runs, 'restore-tests/'],
        writePrefixes: [runs, 'restore-tests/'],
        probeMissingKeys: true,
        auditLog: true,
      },
      opts('Restore test: records the evidence, the audit-log entry and a finding when not PASSED', {
        timeout: Duration.minutes(2),
      }),
    );

    const restoreMachineName = `${this.stackName}-${RESTORE_TEST_WORKFLOW}`;
    // Starts one execution per resource of the policy, named by the test id (a twice-delivered schedule runs once).
    const dispatch = make(
      'RestoreDispatch',
      'functions/restore/dispatch.ts',
      { table: 'read' },
      opts('Restore test schedules: starts one restore-test execution per resource', {
        deadLetterQueue: asyncDlq('RestoreDispatchFailures', 'restore-test schedule dispatches (dispatch)'),
      }),
    );

    const restic = new ResticRunner(this, 'Restic', {
      entry: (props.resolveEntry ?? entryFromRepoRoot)('functions/restore/restic-task.ts'),
      environment: {
        ...reversaEnvVars(environment),
        POWERTOOLS_SERVICE_NAME: 'reversa-restore',
        POWERTOOLS_METRICS_NAMESPACE: 'Reversa',
      },
      ...(props.resticImage === undefined ? {} : { image: props.resticImage }),
    });
    const taskRole = restic.taskDefinition.taskRole as Role;
    // Plan in, restore.json out; the restic sandbox directory is on the task's disk, the S3 sandbox prefix is
    // emptied by the runner; the repository password is a tenant secret read by name.
    const taskObjects = (actions: string[], prefixes: string[]) => {
      taskRole.addToPrincipalPolicy(
        new PolicyStatement({ actions, resources: prefixes.map((p) => data.arnForObjects(`${p}*`)) }),
      );
    };
    taskObjects(['s3:GetObject', 's3:PutObject'], [runs]);
    taskObjects(['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], [sandbox]);
    taskRole.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [data.bucketArn] }));
    for (const prefix of [runs, sandbox]) {
      acknowledgeWildcardResource(
        taskRole,
        data.arnForObjects(`${prefix}*`),
        `Object keys under ${prefix} are per tenant and per test, unknown at deploy time; the grant stops at the prefix.`,
      );
    }
    this.allowTenantSecrets(taskRole, false);
    // restic reads the repository and, even to restore, writes and removes its own lock under locks/.
    if (sourceBuckets.length > 0) {
      this.allowNamedBuckets(
        taskRole,
        sourceBuckets,
        ['s3:GetObject'],
        'restic repositories live in buckets the provider names at deploy time; pack and index keys are content hashes.',
      );
      const locks = sourceBuckets.map((name) => `arn:${this.partition}:s3:::${name}/locks/*`);
      taskRole.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['s3:PutObject', 's3:DeleteObject'], resources: locks }),
      );
      for (const resource of locks) {
        acknowledgeWildcardResource(
          taskRole,
          resource,
          'restic creates and removes its lock file under locks/ while it reads.',
        );
      }
    }

    const subnets = (props.restoreSubnetIds ?? []).join(',');
    const securityGroups = (props.restoreSecurityGroupIds ?? []).join(',');
    const substitutions: Record<RestoreTestSubstitution, string> = {
      PrepareFunctionArn: prepare.functionArn,
      RestoreS3ArchiveFunctionArn: restoreS3Archive.functionArn,
      StartAwsBackupRestoreFunctionArn: startAwsBackupRestore.functionArn,
      DescribeAwsBackupRestoreFunctionArn: describeAwsBackupRestore.functionArn,
      ValidateFunctionArn: validate.functionArn,
      CleanupFunctionArn: cleanup.functionArn,
      RecordFunctionArn: record.functionArn,
      ClusterArn: restic.cluster.attrArn,
      ResticTaskDefinitionArn: restic.taskDefinition.taskDefinitionArn,
      SubnetIds: subnets,
      SecurityGroupIds: securityGroups,
    };
    const machine = new AslStateMachine(this, 'RestoreTest', {
      definitionPath: props.restoreTestDefinitionPath ?? defaultRestoreTestDefinitionPath,
      substitutions,
      functions: [
        prepare,
        restoreS3Archive,
        startAwsBackupRestore,
        describeAwsBackupRestore,
        validate,
        cleanup,
        record,
      ].map((fn) => fn.function),
      stateMachineName: restoreMachineName,
      label: 'restore-test workflow',
      alarmTopic: this.alarmTopic.topic,
    });
    this.allowRunningResticTask(machine, restic);
    machine.stateMachine.grantStartExecution(dispatch);

    const scheduling = this.addRestoreScheduling(dispatch);
    return {
      functions: {
        prepare,
        restoreS3Archive,
        startAwsBackupRestore,
        describeAwsBackupRestore,
        validate,
        cleanup,
        record,
        dispatch,
      },
      machine,
      restic,
      ...scheduling,
    };
  }

  /**
   * RunTask `.sync`: start the task (its family, any revision), pass its two roles to ECS, watch and stop tasks
   * of that cluster, and manage the managed rule through which Step Functions hears the task end.
   */
  private allowRunningResticTask(machine: AslStateMachine, restic: ResticRunner): void {
    const role = machine.stateMachine.role;
    const family = this.formatArn({
      service: 'ecs',
      resource: 'task-definition',
      resourceName: `${restic.taskDefinition.family}:*`,
    });
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['ecs:RunTask'], resources: [family] }));
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ecs:StopTask', 'ecs:DescribeTasks'],
        resources: ['*'],
        conditions: { ArnEquals: { 'ecs:cluster': restic.cluster.attrArn } },
      }),
    );
    const passed = [restic.taskDefinition.taskRole, restic.taskDefinition.obtainExecutionRole()];
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: passed.map((r) => r.roleArn),
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [
          this.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForECSTaskRule' }),
        ],
      }),
    );
    acknowledgeWildcardResource(
      role,
      family,
      'RunTask names the task definition family; each deployment adds a revision, so the grant covers <family>:*.',
    );
  }

  /**
   * The schedule group the restore-test schedules live in, the role they invoke the dispatcher with, and a
   * managed policy holding what syncing them needs (attached to whoever applies strategies).
   */
  private addRestoreScheduling(dispatch: ReversaFunction) {
    const scheduleGroup = new ScheduleGroup(this, 'RestoreScheduleGroup', {
      scheduleGroupName: RESTORE_SCHEDULE_GROUP,
    });
    const schedulesInGroup = this.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${RESTORE_SCHEDULE_GROUP}/*`,
    });
    const schedulerRole = new Role(this, 'RestoreSchedulerRole', {
      description: 'Lets the restore-test schedules (EventBridge Scheduler) invoke the restore-test dispatcher',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: { 'aws:SourceArn': schedulesInGroup },
        },
      }),
    });
    schedulerRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [dispatch.functionArn] }),
    );
    const syncPolicy = new ManagedPolicy(this, 'RestoreScheduleSyncPolicy', {
      description: 'Reversa: create, update, delete and list restore-test schedules (reversa strategy apply)',
      statements: [
        new PolicyStatement({
          actions: [
            'scheduler:CreateSchedule',
            'scheduler:UpdateSchedule',
            'scheduler:DeleteSchedule',
            'scheduler:GetSchedule',
          ],
          resources: [schedulesInGroup],
        }),
        // ListSchedules supports no resource-level permission; the adapter always filters by group and name prefix.
        new PolicyStatement({ actions: ['scheduler:ListSchedules'], resources: ['*'] }),
        new PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [schedulerRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      ],
    });
    acknowledgeWildcardResource(
      syncPolicy,
      schedulesInGroup,
      `Schedules are named per tenant and policy (rt.<tenant>.<policy>); the grant stops at the ${RESTORE_SCHEDULE_GROUP} group.`,
    );
    Validations.of(syncPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'scheduler:ListSchedules supports no resource-level permission; the adapter lists one group and name prefix.',
    });
    return { scheduleGroup, schedulerRole, syncPolicy };
  }

  /** Functions and workflow of the reversibility export (issue 4). */
  private addDossierExport(props: WorkflowsStackProps, make: Make) {
    const { stateful } = props;
    const runs = 'runs/';
    // The tenant's inputs, under their default prefixes (core/dossier/contents/settings.ts): a strategy that moves
    // them elsewhere in the data bucket needs the same grant there.
    const sources = ['config/', 'procedures/', 'inventory/'];
    const dossier = stateful.dossierBucket;
    const dossierObjects = 'dossiers/';
    const opts = (description: string, extra: Omit<ReversaFunctionProps, 'entry' | 'environment'> = {}) => ({
      description,
      serviceName: 'reversa-dossier',
      ...extra,
    });
    const dossierWhy =
      'Dossiers are stored per tenant and version (dossiers/<tenantId>/v<N>/...); the grant stops at dossiers/.';

    // Reuses a plan (probe), fingerprints the inputs (lists sources, lists secret names), claims the version.
    const prepare = make(
      'DossierPrepare',
      'functions/dossier/prepare.ts',
      { table: 'readWrite', readPrefixes: [runs, ...sources], writePrefixes: [runs], probeMissingKeys: true },
      opts('Dossier export: fingerprints the inputs and claims the next version'),
    );
    prepare.allow(new PolicyStatement({ actions: ['secretsmanager:ListSecrets'], resources: ['*'] }));

    // One function, five parts: inventory, catalogue, evidence (restore tests + audit-log segment), escrow, contacts.
    const gather = make(
      'Gather', // short: a signing role's generated name must keep its prefix (see roleNamePrefix)
      'functions/dossier/gather.ts',
      {
        // readWrite + auditLog: the evidence part seals the audit log (a signed digest) before packing it.
        table: 'readWrite',
        readPrefixes: [runs, ...sources, 'restore-tests/'],
        writePrefixes: [runs],
        probeMissingKeys: true,
        auditLog: true,
      },
      opts('Dossier export: gathers one part into staging (secrets sealed in memory)', {
        memorySize: 1024,
        timeout: Duration.minutes(15),
      }),
    );
    // Inventory discovery: the tenant's tagged resources, in client accounts through their ReversaReadBackup role.
    gather.allow(new PolicyStatement({ actions: ['tag:GetResources'], resources: ['*'] }));
    const readRoles = `arn:${this.partition}:iam::*:role/${props.readBackupRolePrefix ?? 'ReversaReadBackup'}*`;
    gather.allow(new PolicyStatement({ actions: ['sts:AssumeRole'], resources: [readRoles] }));
    acknowledgeWildcardResource(
      gather,
      readRoles,
      'Inventory discovery reads client accounts through the same read-only ReversaReadBackup* roles as reconciliation (trust requires the tenant id as ExternalId).',
    );
    this.allowTenantSecrets(gather, true);

    const checklist = make(
      'DossierChecklist',
      'functions/dossier/checklist.ts',
      { table: 'read', readPrefixes: [runs, ...sources], writePrefixes: [runs], probeMissingKeys: true },
      opts('Dossier export: judges completeness against the checklist'),
    );

    // Streams the bag into a multipart upload in the dossier bucket; the signer's public key names the signer.
    const assemble = make(
      'DossierAssemble',
      'functions/dossier/assemble.ts',
      { table: 'read', readPrefixes: [runs, ...sources], writePrefixes: [runs], probeMissingKeys: true },
      opts('Dossier export: streams the BagIt zip into the dossier bucket', {
        memorySize: 1024,
        timeout: Duration.minutes(15),
        // Most of what Assemble allocates is short-lived buffers streaming by: a small young generation
        // (here) and a fixed old-generation growth factor (functions/dossier/heap-tuning.ts) keep that
        // garbage from piling up before V8 collects it: ~200 MB peak RSS for 1 GB of small files instead
        // of ~230–310 MB, same speed (bench/dossier.ts runs its child with both).
        nodeOptions: [...ASSEMBLE_NODE_OPTIONS],
        extraEnvironment: { ...ASSEMBLE_ENVIRONMENT },
      }),
    );
    this.allowObjects(
      assemble,
      dossier,
      ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      [dossierObjects],
      dossierWhy,
    );
    assemble.allow(new PolicyStatement({ actions: ['s3:ListBucketMultipartUploads'], resources: [dossier.bucketArn] }));
    assemble.allow(
      new PolicyStatement({ actions: ['kms:GetPublicKey'], resources: [stateful.dossierSigningKey.keyArn] }),
    );

    // Signs the tag manifest and the zip checksum with the dossier key. 'DxSign': a signing role keeps its name prefix.
    const sign = make(
      'DxSign',
      'functions/dossier/sign.ts',
      { readPrefixes: [runs] },
      opts('Dossier export: signs the dossier (KMS ECDSA P-256)'),
    );
    this.allowObjects(sign, dossier, ['s3:PutObject'], [dossierObjects], dossierWhy);
    sign.allow(
      new PolicyStatement({
        actions: ['kms:Sign', 'kms:GetPublicKey'],
        resources: [stateful.dossierSigningKey.keyArn],
      }),
    );
    stateful.dossierSigningKey.allowSigningBy(roleArnPattern(this.roleNamePrefix(sign)));

    // Immutable version row (conditional put) with a change summary against the previous version's manifest.
    const publish = make(
      'DossierPublish',
      'functions/dossier/publish.ts',
      { table: 'readWrite', readPrefixes: [runs] },
      opts('Dossier export: publishes the immutable version'),
    );
    this.allowObjects(publish, dossier, ['s3:GetObject'], [dossierObjects], dossierWhy);
    publish.allow(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [dossier.bucketArn] }));

    // The audit-log entry (who, when, version, archive SHA-256, fingerprints), then the run's staging is deleted.
    const audit = make(
      'DxAudit',
      'functions/dossier/audit.ts',
      { table: 'readWrite', readPrefixes: [runs], deletePrefixes: [runs], probeMissingKeys: true, auditLog: true },
      opts('Dossier export: records the export in the tenant audit log'),
    );

    // A failed run: aborts the multipart upload, removes the unpublished version's objects, releases the claim.
    const abort = make(
      'DossierAbort',
      'functions/dossier/abort.ts',
      { table: 'readWrite', readPrefixes: [runs], deletePrefixes: [runs], probeMissingKeys: true },
      opts('Dossier export: aborts a failed run (nothing partial is published)'),
    );
    this.allowObjects(abort, dossier, ['s3:AbortMultipartUpload', 's3:DeleteObject'], [dossierObjects], dossierWhy);
    abort.allow(
      new PolicyStatement({
        actions: ['s3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [dossier.bucketArn],
      }),
    );

    const substitutions: Record<ExportSubstitution, string> = {
      PrepareFunctionArn: prepare.functionArn,
      GatherFunctionArn: gather.functionArn,
      ChecklistFunctionArn: checklist.functionArn,
      AssembleFunctionArn: assemble.functionArn,
      SignFunctionArn: sign.functionArn,
      PublishFunctionArn: publish.functionArn,
      AuditFunctionArn: audit.functionArn,
      AbortFunctionArn: abort.functionArn,
      EventBusName: stateful.eventBus.eventBusName,
    };
    const functions = { prepare, gather, checklist, assemble, sign, publish, audit, abort };
    const machine = new AslStateMachine(this, 'Export', {
      definitionPath: props.exportDefinitionPath ?? defaultExportDefinitionPath,
      substitutions,
      functions: Object.values(functions).map((fn) => fn.function),
      stateMachineName: `${this.stackName}-${EXPORT_WORKFLOW}`,
      label: 'reversibility-export workflow',
      alarmTopic: this.alarmTopic.topic,
    });
    // Notify (events:putEvents) is a state machine task.
    stateful.eventBus.grantPutEventsTo(machine.stateMachine);
    return { functions, machine };
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
