import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { type EventPattern, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { ReversaFunction } from '../constructs/reversa-function.ts';
import { ScheduledInvoke } from '../constructs/scheduled-invoke.ts';
import {
  DEFAULT_READ_BACKUP_ROLE_PREFIX,
  ownArn,
  readBackupRoleGrant,
  serviceGrant,
  wildcardGrant,
} from '../grants.ts';
import { acknowledgeWildcardAction } from '../nag.ts';
import { ACCOUNT_ROUTES, TENANT_INDEX, TENANT_STRATEGIES } from '../partitions.ts';
import { WorkflowConstruct, type WorkflowProps } from './workflow.ts';

/** AWS Backup event types that change what Reversa knows about jobs and recovery points. */
export const backupEventDetailTypes = [
  'Backup Job State Change',
  'Copy Job State Change',
  'Recovery Point State Change',
] as const;

const backupEventPattern: EventPattern = { source: ['aws.backup'], detailType: [...backupEventDetailTypes] };

export interface IngestionProps extends WorkflowProps {
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

/**
 * How facts come in: the s3-inbox function (job reports dropped under `inbox/<tenant>/`, routed from the data
 * bucket's EventBridge events), backup-event (AWS Backup events of this account and forwarded by client accounts)
 * and reconcile (the AWS Backup API, hourly), each with a dead-letter queue for failed asynchronous invocations, and
 * one for failed event deliveries per route. No function publishes events.
 */
export type IngestionFunctionKey = 's3Inbox' | 'backupEvent' | 'reconcile';

export class Ingestion extends WorkflowConstruct {
  readonly functions: Readonly<Record<IngestionFunctionKey, ReversaFunction>>;
  /** Every dead-letter queue's alarm (functions, routes, the reconcile schedule). */
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id, props, 'reversa-ingest');
    const { table, idempotencyTable, dataBucket } = props.resources;

    // All of it with the tenant of the key (inbox/<tenant>/…): reads and moves the report out of inbox/ (copy = read
    // source + write target); HEADs processed/<key> to tell a redelivered report from a new one; tenants.markDirty,
    // facts.putFacts. Idempotent per object key + ETag (the idempotency table, own role).
    const s3Inbox = this.fn('S3Inbox', 'functions/ingest/s3-inbox.ts', {
      description: 'Ingests backup job reports dropped under inbox/<tenantId>/',
      memorySize: 1024,
      timeout: Duration.minutes(2),
      deadLetterQueue: this.deadLetters('S3InboxFailures', 'inbox report ingestions (s3-inbox)').queue,
    }).bind(
      table.readWrite(),
      idempotencyTable.items(),
      dataBucket.read('inbox/', 'processed/'),
      dataBucket.write('processed/', 'quarantine/'),
      dataBucket.delete('inbox/'),
      dataBucket.list('inbox/', 'processed/'),
    );

    // Routes with its own role (tenants.tenantForAwsAccount: the AWS#<account> / ROUTE index, no tenant's partition),
    // then writes with the routed tenant's (facts.putFacts, tenants.markDirty); idempotent on the event id.
    const backupEvent = this.fn('BackupEvent', 'functions/ingest/backup-event.ts', {
      description: 'Normalises AWS Backup job, copy and recovery point events into backup jobs',
      deadLetterQueue: this.deadLetters('BackupEventFailures', 'AWS Backup event ingestions (backup-event)').queue,
    }).bind(table.crossTenantRead(['dynamodb:GetItem'], [ACCOUNT_ROUTES]), table.readWrite(), idempotencyTable.items());
    // Recovery points are stamped with their vault's Vault Lock state, for vaults of this account and region only:
    // client accounts' vaults are read by reconcile through their ReversaReadBackup role.
    backupEvent.grant(
      wildcardGrant(
        'external',
        ['backup:DescribeBackupVault'],
        [ownArn(this, 'backup', 'backup-vault', '*')],
        'Recovery points arrive from any vault of this account and region; DescribeBackupVault is read-only and the grant stops at the account/region vault ARN prefix.',
      ),
    );

    // Fans out with its own role (strategies.listTenants, getCurrent: the TENANTS index and every tenant's strategy),
    // then per tenant with the tenant's: facts.putFacts, tenants.markDirty, cursors at runs/<tenant>/reconcile/….
    const reconcile = this.fn('Reconcile', 'functions/ingest/reconcile.ts', {
      description: 'Reconciles AWS Backup jobs and recovery points through the API (own and client accounts)',
      timeout: Duration.minutes(10),
      deadLetterQueue: this.deadLetters('ReconcileFailures', 'AWS Backup reconciliations (reconcile)').queue,
    }).bind(
      table.crossTenantRead(['dynamodb:Query'], [TENANT_INDEX, TENANT_STRATEGIES]),
      table.readWrite(),
      dataBucket.read('runs/'),
      dataBucket.write('runs/'),
      dataBucket.list('runs/'),
    );
    this.functions = { s3Inbox, backupEvent, reconcile };
    this.allowReadingAwsBackup(reconcile, props.readBackupRolePrefix ?? DEFAULT_READ_BACKUP_ROLE_PREFIX);

    this.routeEvents(props);
    const schedule = new ScheduledInvoke(this, 'ReconcileSchedule', {
      target: reconcile.function,
      schedule: props.reconcileSchedule ?? ScheduleExpression.rate(Duration.hours(1)),
      description: 'Reversa: reconcile AWS Backup jobs through the API',
      alarmTopic: props.alarmTopic,
      maxEventAge: Duration.minutes(30),
    });
    this.alarms = [...this.deadLetterAlarms, schedule.deadLetterQueue.alarm];
  }

  /** reconcile reads AWS Backup here and, through an assumed read-only role, in client accounts. */
  private allowReadingAwsBackup(reconcile: ReversaFunction, rolePrefix: string): void {
    reconcile.grant(
      serviceGrant(
        ['backup:List*', 'backup:Describe*', 'backup:GetBackupPlan', 'backup:GetBackupSelection'],
        'AWS Backup List*/Describe*/GetBackupPlan/GetBackupSelection are read-only and mostly support no resource-level permission; reconcile must see every vault of its account.',
      ),
      readBackupRoleGrant(
        this,
        rolePrefix,
        `Client accounts are onboarded without redeploying; only roles named ${rolePrefix}* (read-only AWS Backup, trust limited to this account) can be assumed, in any account.`,
      ),
    );
    const listReason =
      'AWS Backup List*/Describe* calls (ListBackupJobs, ListRecoveryPointsByBackupVault, DescribeBackupJob, ...) are read-only and mostly support no resource-level permissions; reconcile must see every vault.';
    acknowledgeWildcardAction(reconcile, 'backup:List*', listReason);
    acknowledgeWildcardAction(reconcile, 'backup:Describe*', listReason);
  }

  /** EventBridge rules: AWS Backup events (own account and forwarded by clients) and inbox object events. */
  private routeEvents(props: IngestionProps): void {
    // EventBridge retries delivery itself (throttling, function unavailable) before using the DLQ.
    const target = (fn: ReversaFunction, deadLetterQueue: IQueue) =>
      new LambdaFunction(fn.function, { deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(2) });
    const backupTarget = target(
      this.functions.backupEvent,
      this.deadLetters('BackupEventsDeliveryFailures', 'AWS Backup event deliveries to backup-event').queue,
    );
    new Rule(this, 'BackupEventsRule', {
      description: 'AWS Backup events of this account to Reversa ingestion',
      eventPattern: backupEventPattern,
      targets: [backupTarget],
    });
    // Client accounts forward their AWS Backup events to the reversa bus (see docs/deploy.md).
    new Rule(this, 'ForwardedBackupEventsRule', {
      description: 'AWS Backup events forwarded by client accounts to Reversa ingestion',
      eventBus: props.resources.eventBus.bus,
      eventPattern: backupEventPattern,
      targets: [backupTarget],
    });
    new Rule(this, 'InboxObjectCreatedRule', {
      description: 'Job reports dropped under inbox/ to Reversa ingestion',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [props.resources.dataBucket.name] }, object: { key: [{ prefix: 'inbox/' }] } },
      },
      targets: [
        target(
          this.functions.s3Inbox,
          this.deadLetters('InboxEventsDeliveryFailures', 'inbox object event deliveries to s3-inbox').queue,
        ),
      ],
    });
  }
}
