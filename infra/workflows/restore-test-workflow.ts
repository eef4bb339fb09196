import { Duration, Stack } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ContainerImage } from 'aws-cdk-lib/aws-ecs';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { CONFIG_ENV } from '#config';
import { RESTORE_TEST_WORKFLOW, type RestoreTestSubstitution } from '#statemachines/names.ts';
import { Binder } from '../binder.ts';
import { environmentVariables, type TenantSecrets } from '../bindings.ts';
import { AslStateMachine } from '../constructs/asl-state-machine.ts';
import { ResticRunner } from '../constructs/restic-runner.ts';
import type { ReversaFunction } from '../constructs/reversa-function.ts';
import type { TenantAccessRole } from '../constructs/tenant-access-role.ts';
import { applyGrants } from '../grants.ts';
import { defaultRestoreTestDefinitionPath, entryFromRepoRoot } from '../paths.ts';
import { type ReversaResources, stateMachineNameOf } from '../reversa-resources.ts';
import { TENANT_ROLE_ID_SUFFIX, tenantRoleName } from '../role-names.ts';
import { RestoreTestGrants } from './restore-test-grants.ts';
import { RestoreTestScheduling } from './restore-test-scheduling.ts';
import { WorkflowConstruct, type WorkflowProps } from './workflow.ts';

export interface RestoreTestWorkflowProps extends WorkflowProps {
  /** @default statemachines/restore-test.asl.json (repository root) */
  readonly definitionPath?: string;
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

const runs = 'runs/';
const sandbox = 'sandbox/';
/**
 * What the dispatcher reads with its own role today (see RestoreDispatch below): the partitions of every tenant's
 * strategy and seen resources. Remove once the runtime dispatches with the tenant's credentials.
 */
/** The provider's archives in the data bucket (no tenant prefix: strategies name archive keys as patterns). */
const archives = 'archives/';
const archivesWhy =
  "archives/ in the data bucket is the provider's own archive area, like a restoreSourceBuckets bucket: strategies name archive keys by pattern per recovery point; read-only, with the function's role.";

/**
 * Scheduled restore tests: the `<stack>-restore-test` state machine (statemachines/restore-test.asl.json), its
 * Task functions (prepare, one runner per kind, validate, cleanup, record), the restic Fargate task, and the
 * scheduling plumbing (dispatcher, schedule group, scheduler role, sync policy). Each grant is what the step's use
 * case touches (core/use-cases/restore-test.ts); sandboxes are touched only under `sandbox/` or by their marker.
 */
export class RestoreTestWorkflow extends WorkflowConstruct {
  /** The restore-test Lambdas (functions/restore/*.ts, the restic task aside). */
  readonly functions: Readonly<Record<RestoreFunctionKey, ReversaFunction>>;
  readonly stateMachine: AslStateMachine;
  readonly restic: ResticRunner;
  /** The restic task's tenant-access role (its runner's clients; restic itself reads repositories with the task role). */
  readonly resticTenantAccess: TenantAccessRole | undefined;
  readonly scheduling: RestoreTestScheduling;
  /** Execution alarms and the dispatcher's dead-letter queue. */
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: RestoreTestWorkflowProps) {
    super(scope, id, props, 'reversa-restore');
    const { table, dataBucket: data, restoreRole, tenantSecrets } = props.resources;
    const grants = new RestoreTestGrants(this, {
      sources: props.restoreSourceBuckets ?? [],
      sandboxes: props.restoreSandboxBuckets ?? [],
    });

    // strategies.getCurrent, facts.getFacts/listSeenResources; writes runs/<tenant>/<testId>/plan.json.
    const prepare = this.fn('RestorePrepare', 'functions/restore/prepare.ts', {
      description: 'Restore test: chooses the recovery point and writes the plan',
    }).bind(table.read(), data.write(runs));

    // Reads the plan, streams the archive (source buckets, or archives/ in the data bucket: the provider's, with the
    // function's role) into the sandbox (sandbox/<tenant>/: uploads in parts, aborted on failure), reads it back,
    // empties it; writes restore.json.
    const restoreS3Archive = this.fn('RestoreS3Archive', 'functions/restore/restore-s3-archive.ts', {
      description: 'Restore test (s3-archive): stream-restores an archive into the sandbox and compares it',
      memorySize: 1024,
      timeout: Duration.minutes(15),
    })
      .bind(
        data.read(runs),
        data.write(runs),
        data.objects(['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], [sandbox]),
        data.list(runs, sandbox),
        data.providerObjects(['s3:GetObject'], [archives], archivesWhy),
      )
      .grant(...grants.archiveRestore());

    // GetRecoveryPointRestoreMetadata + StartRestoreJob (idempotent on the test id), passing the restore role.
    const startAwsBackupRestore = this.fn('RestoreStartAwsBackup', 'functions/restore/start-aws-backup-restore.ts', {
      description: 'Restore test (aws-backup): starts the restore job into a sandbox',
    })
      .bind(data.read(runs), data.write(runs))
      .grant(...grants.startRestoreJob())
      .bind(restoreRole.passTo('backup.amazonaws.com'));

    // DescribeRestoreJob (no resource-level permission).
    const describeAwsBackupRestore = this.fn(
      'RestoreDescribeAwsBackup',
      'functions/restore/describe-aws-backup-restore.ts',
      {
        description: 'Restore test (aws-backup): polls the restore job',
      },
    )
      .bind(data.read(runs), data.write(runs))
      .grant(...grants.describeRestoreJob());

    // Reads the restored table/bucket back (sandbox names only), the backup's item count, and reports the verdict.
    const validate = this.fn('RestoreValidate', 'functions/restore/validate.ts', {
      description: 'Restore test: validates the restored data',
      timeout: Duration.minutes(15),
      memorySize: 1024,
    })
      .bind(data.read(runs), data.write(runs))
      .grant(...grants.validateSandbox());

    // Empties the test's sandbox prefix (every runner) and deletes the restored table/bucket (aws-backup).
    const cleanup = this.fn('RestoreCleanup', 'functions/restore/cleanup.ts', {
      description: 'Restore test: deletes the sandbox and proves it is gone (always runs)',
      timeout: Duration.minutes(5),
    })
      .bind(
        data.read(runs),
        data.write(runs),
        data.objects(['s3:GetObject', 's3:DeleteObject'], [sandbox]),
        data.list(runs, sandbox),
      )
      .grant(...grants.deleteSandbox());

    // Evidence JSON under restore-tests/, the RestoreTestStore row, a finding, and the tenant's audit-log entry.
    // 'Record' stays short: a signing role's generated name must keep its prefix (see grants.ts signerRolePrefix).
    const record = this.fn('Record', 'functions/restore/record.ts', {
      description: 'Restore test: records the evidence, the audit-log entry and a finding when not PASSED',
      timeout: Duration.minutes(2),
    }).bind(
      table.readWrite(),
      data.read(runs, 'restore-tests/'),
      data.write(runs, 'restore-tests/'),
      data.list(runs, 'restore-tests/'),
      props.resources.auditLog(),
      // A test that did not pass is told on the bus (notifications).
      props.resources.eventBus.putEvents(),
    );

    // Starts one execution per resource of the policy, named by the test id (a twice-delivered schedule runs once):
    // strategies.getCurrent and facts.listSeenResources of the schedule's tenant, read with its tenant role.
    const dispatch = this.fn('RestoreDispatch', 'functions/restore/dispatch.ts', {
      description: 'Restore test schedules: starts one restore-test execution per resource',
      deadLetterQueue: this.deadLetters('RestoreDispatchFailures', 'restore-test schedule dispatches (dispatch)').queue,
    }).bind(table.read());

    this.restic = this.addResticTask(props);
    this.resticTenantAccess = this.bindResticTask(props.resources, grants, tenantSecrets);
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
      ClusterArn: this.restic.cluster.attrArn,
      ResticTaskDefinitionArn: this.restic.taskDefinition.taskDefinitionArn,
      SubnetIds: subnets,
      SecurityGroupIds: securityGroups,
    };
    const tasks = {
      prepare,
      restoreS3Archive,
      startAwsBackupRestore,
      describeAwsBackupRestore,
      validate,
      cleanup,
      record,
    };
    this.stateMachine = new AslStateMachine(this, 'RestoreTest', {
      definitionPath: props.definitionPath ?? defaultRestoreTestDefinitionPath,
      substitutions,
      functions: Object.values(tasks).map((fn) => fn.function),
      stateMachineName: stateMachineNameOf(this, RESTORE_TEST_WORKFLOW),
      label: 'restore-test workflow',
      alarmTopic: props.alarmTopic,
    });
    applyGrants(this.stateMachine.stateMachine.role, grants.runResticTask(this.restic));
    dispatch.bind(props.resources.restoreTestWorkflow.startExecution(this.stateMachine.stateMachine));

    this.scheduling = new RestoreTestScheduling(this, 'Scheduling', { dispatcher: dispatch });
    this.functions = { ...tasks, dispatch };
    this.alarms = [...this.stateMachine.alarms, ...this.deadLetterAlarms];
  }

  /**
   * The restic task's grants: the tenant's plan, sandbox and repository password through its tenant-access role
   * (the runner's clients are the tenant's), the repositories through the task role (the restic binary reads them
   * with the task's own credentials).
   */
  private bindResticTask(
    resources: ReversaResources,
    grants: RestoreTestGrants,
    secrets: TenantSecrets,
  ): TenantAccessRole | undefined {
    const { taskDefinition } = this.restic;
    const taskRole = taskDefinition.taskRole as Role;
    const binder = new Binder({
      path: this.restic.node.path,
      target: taskRole,
      role: taskRole,
      addEnvironment: (name, value) => taskDefinition.defaultContainer?.addEnvironment(name, value),
      tenantRole: {
        scope: this.restic,
        id: TENANT_ROLE_ID_SUFFIX,
        roleName: tenantRoleName(`${Stack.of(this).stackName}-`, this.restic.node.id),
      },
    });
    const data = resources.dataBucket;
    for (const binding of [
      data.objects(['s3:GetObject', 's3:PutObject'], [runs]),
      data.objects(['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], [sandbox]),
      data.list(runs, sandbox),
      secrets.read(),
    ]) {
      binder.bind(binding);
    }
    applyGrants(taskRole, grants.resticRepositories());
    return binder.tenantAccess;
  }

  /** The restic runner, with the environment every function gets and the restore tests' Powertools service. */
  private addResticTask(props: RestoreTestWorkflowProps): ResticRunner {
    return new ResticRunner(this, 'Restic', {
      entry: (props.resolveEntry ?? entryFromRepoRoot)('functions/restore/restic-task.ts'),
      environment: {
        ...environmentVariables(props.resources.environment),
        [CONFIG_ENV.serviceName]: 'reversa-restore',
        [CONFIG_ENV.metricsNamespace]: 'Reversa',
      },
      ...(props.resticImage === undefined ? {} : { image: props.resticImage }),
    });
  }
}
