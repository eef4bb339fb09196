import { type CfnElement, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import { CONFIG_ENV } from '#config';
import { EXPORT_WORKFLOW, RESTORE_TEST_WORKFLOW, VERIFY_WORKFLOW } from '#statemachines/names.ts';
import { AlarmTopic } from './constructs/alarm-topic.ts';
import { BackupRestoreRole } from './constructs/backup-restore-role.ts';
import type { ReversaFunction } from './constructs/reversa-function.ts';
import { ReversaResources, type StatefulResources, stateMachineArnOf } from './reversa-resources.ts';
import { DossierExportWorkflow } from './workflows/dossier-export-workflow.ts';
import { Ingestion, type IngestionFunctionKey } from './workflows/ingestion.ts';
import { Notifications } from './workflows/notifications.ts';
import { RestoreTestWorkflow, type RestoreTestWorkflowProps } from './workflows/restore-test-workflow.ts';
import { SlaStatements } from './workflows/sla-statements.ts';
import { type VerifyFunctionKey, VerifyWorkflow } from './workflows/verify-workflow.ts';
import { withoutGroupings } from './workflows/workflow.ts';

/** Output keys the CLI reads with DescribeStacks (config.ts STACK_OUTPUTS, read by wiring/aws/platform.ts). */
export const workflowsOutputKeys = [
  'VerifyStateMachineArn',
  'RestoreTestStateMachineArn',
  'ExportStateMachineArn',
  'RestoreDispatcherArn',
  'RestoreSchedulerRoleArn',
  'RestoreScheduleSyncPolicyArn',
  'NotifyEmailTopicArn',
] as const;

/** The restic task and restore bucket options, passed to the restore-test workflow as given. */
type RestoreTestOptions = Pick<
  RestoreTestWorkflowProps,
  'restoreSubnetIds' | 'restoreSecurityGroupIds' | 'restoreSourceBuckets' | 'restoreSandboxBuckets' | 'resticImage'
>;

export interface WorkflowsStackProps extends StackProps, RestoreTestOptions {
  /** Tables, buckets, keys and bus from the stateful stack. */
  readonly stateful: StatefulResources;
  /**
   * ASL file of the verify workflow.
   * @default statemachines/verify-backups.asl.json (repository root)
   */
  readonly verifyDefinitionPath?: string;
  /** @default statemachines/restore-test.asl.json (repository root) */
  readonly restoreTestDefinitionPath?: string;
  /** @default statemachines/reversibility-export.asl.json (repository root) */
  readonly exportDefinitionPath?: string;
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
   * When the SLA statements of the period just ended are issued.
   * @default cron(0 6 2 * ? *) (the 2nd of each month, 06:00 UTC)
   */
  readonly slaSchedule?: ScheduleExpression;
  /**
   * How often AWS Backup jobs are reconciled through the API (catches events EventBridge dropped).
   * @default rate(1 hour)
   */
  readonly reconcileSchedule?: ScheduleExpression;
  /**
   * Name prefix of the role reconcile (and dossier Gather) assume in each client account to read AWS Backup.
   * @default 'ReversaReadBackup'
   */
  readonly readBackupRolePrefix?: string;
}

/**
 * The processing side, one construct per workflow: ingestion, verify, restore tests, dossier export, sharing the
 * alarm topic, the AWS Backup restore role and the resources their functions are bound to. Stateless: it can be
 * destroyed and redeployed at will; all data lives in the stateful stack.
 */
export class WorkflowsStack extends Stack {
  readonly alarmTopic: AlarmTopic;
  /** The role AWS Backup assumes to restore a recovery point into a sandbox (restoreRoleArn in config.ts). */
  readonly restoreRole: BackupRestoreRole;
  /** What the workflows' functions are bound to. */
  readonly resources: ReversaResources;
  readonly ingestion: Ingestion;
  readonly verifyWorkflow: VerifyWorkflow;
  readonly restoreTests: RestoreTestWorkflow;
  readonly dossierExport: DossierExportWorkflow;
  /** The monthly SLA statements (functions/sla/issue.ts) and their schedule. */
  readonly slaStatements: SlaStatements;
  readonly notifications: Notifications;
  /** The ingestion and verify functions, by name. */
  readonly functions: Readonly<Record<IngestionFunctionKey | VerifyFunctionKey, ReversaFunction>>;

  constructor(scope: Construct, id: string, props: WorkflowsStackProps) {
    super(scope, id, props);
    this.alarmTopic = new AlarmTopic(this, 'Alarms', props.alarmEmail === undefined ? {} : { email: props.alarmEmail });
    this.restoreRole = new BackupRestoreRole(this, 'RestoreRole');
    this.resources = new ReversaResources({
      stateful: props.stateful,
      verifyStateMachineArn: stateMachineArnOf(this, VERIFY_WORKFLOW),
      restoreTestStateMachineArn: stateMachineArnOf(this, RESTORE_TEST_WORKFLOW),
      exportStateMachineArn: stateMachineArnOf(this, EXPORT_WORKFLOW),
      restoreRole: this.restoreRole,
    });
    const common = {
      resources: this.resources,
      alarmTopic: this.alarmTopic.topic,
      ...defined(props, 'resolveEntry'),
    };
    this.ingestion = new Ingestion(this, 'Ingestion', {
      ...common,
      ...defined(props, 'readBackupRolePrefix', 'reconcileSchedule'),
    });
    this.verifyWorkflow = new VerifyWorkflow(this, 'Verify', {
      ...common,
      ...defined(props, 'sweepSchedule'),
      ...optional('definitionPath', props.verifyDefinitionPath),
    });
    this.restoreTests = new RestoreTestWorkflow(this, 'RestoreTests', {
      ...common,
      ...defined(
        props,
        'restoreSubnetIds',
        'restoreSecurityGroupIds',
        'restoreSourceBuckets',
        'restoreSandboxBuckets',
        'resticImage',
      ),
      ...optional('definitionPath', props.restoreTestDefinitionPath),
    });
    this.dossierExport = new DossierExportWorkflow(this, 'DossierExport', {
      ...common,
      ...defined(props, 'readBackupRolePrefix'),
      ...optional('definitionPath', props.exportDefinitionPath),
    });
    this.slaStatements = new SlaStatements(this, 'Sla', { ...common, ...optional('schedule', props.slaSchedule) });
    this.notifications = new Notifications(this, 'Notifications', common);
    this.functions = { ...this.ingestion.functions, ...this.verifyWorkflow.functions };
    this.addOutputs();
  }

  /**
   * CDK's naming scheme over the path without the workflow constructs (workflows/workflow.ts keepChildLogicalIds):
   * the resources keep the logical ids they had when this stack was one flat class.
   */
  protected override allocateLogicalId(element: CfnElement): string {
    const scopes = withoutGroupings(element.node.scopes);
    return super.allocateLogicalId({ node: { scopes }, stack: element.stack } as unknown as CfnElement);
  }

  /** What the CLI needs to start workflows and sync restore-test schedules (config.ts STACK_OUTPUTS, read by wiring/aws/platform.ts). */
  private addOutputs(): void {
    const restore = this.restoreTests;
    const outputs: Record<(typeof workflowsOutputKeys)[number], [string, string]> = {
      VerifyStateMachineArn: [
        this.verifyWorkflow.stateMachine.stateMachine.stateMachineArn,
        `Verify-backups state machine (${CONFIG_ENV.verifyStateMachineArn})`,
      ],
      RestoreTestStateMachineArn: [
        restore.stateMachine.stateMachine.stateMachineArn,
        `Restore-test state machine (${CONFIG_ENV.restoreTestStateMachineArn})`,
      ],
      ExportStateMachineArn: [
        this.dossierExport.stateMachine.stateMachine.stateMachineArn,
        `Reversibility-export state machine (${CONFIG_ENV.exportStateMachineArn})`,
      ],
      RestoreDispatcherArn: [
        restore.functions.dispatch.functionArn,
        `What restore-test schedules invoke (${CONFIG_ENV.restoreDispatcherArn})`,
      ],
      RestoreSchedulerRoleArn: [
        restore.scheduling.schedulerRole.roleArn,
        `Role restore-test schedules invoke the dispatcher with (${CONFIG_ENV.restoreSchedulerRoleArn})`,
      ],
      RestoreScheduleSyncPolicyArn: [
        restore.scheduling.syncPolicy.managedPolicyArn,
        'Attach to whoever applies strategies: creates/updates/deletes restore-test schedules',
      ],
      // Optional for the CLI (wiring/aws/platform.ts reads it only for e-mail channels), so not in STACK_OUTPUTS.
      NotifyEmailTopicArn: [
        this.notifications.emailTopic.topicArn,
        `Notification e-mail topic (${CONFIG_ENV.notifyEmailTopicArn}); notify add --email subscribes to it`,
      ],
    };
    for (const [key, [value, description]] of Object.entries(outputs)) new CfnOutput(this, key, { value, description });
  }
}

/** The keys of `props` that are set (exactOptionalPropertyTypes forbids passing `key: undefined` on). */
function defined<T extends object, K extends keyof T>(props: T, ...keys: K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((key) => props[key] !== undefined).map((key) => [key, props[key]])) as Partial<
    Pick<T, K>
  >;
}

/** `{ [key]: value }` when the value is set, `{}` otherwise. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
