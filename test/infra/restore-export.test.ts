import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { RESTORE_SCHEDULE_GROUP } from '#core/restore/schedule.ts';
import { readExpandedDefinition } from '#statemachines/definitions.ts';
import { ExportSubstitutions, RESTIC_CONTAINER_NAME, RestoreTestSubstitutions } from '#statemachines/names.ts';
import { defaultExportDefinitionPath, defaultRestoreTestDefinitionPath } from '../../infra/paths.ts';
import { SESSION_TENANT } from '../../infra/tenant-grants.ts';
import { workflowsOutputKeys } from '../../infra/workflows-stack.ts';
import { buildTestApp } from './build-app.ts';

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation is untyped JSON; the assertions give it shape.
type Cfn = any;
type Resource = { Type: string; Properties: Record<string, Cfn> };

let built: ReturnType<typeof buildTestApp>;
let template: Template;
let stateful: Template;

beforeAll(() => {
  built = buildTestApp({
    restoreSubnetIds: ['subnet-0a', 'subnet-0b'],
    restoreSecurityGroupIds: ['sg-01'],
    restoreSourceBuckets: ['acme-backups'],
  });
  template = Template.fromJSON(built.assembly.getStackByName('ReversaWorkflows').template);
  stateful = Template.fromJSON(built.assembly.getStackByName('ReversaStateful').template);
});

const resources = (type: string): [string, Resource][] =>
  Object.entries(template.findResources(type)) as [string, Resource][];
const logicalIdOf = (construct: { node: { defaultChild?: unknown } }): string =>
  built.workflows.getLogicalId(construct.node.defaultChild as never);
const statementsOfRole = (roleLogicalId: string): Cfn[] =>
  resources('AWS::IAM::Policy')
    .filter(([, policy]) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleLogicalId))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
/** A resource as readable text: joins flattened, the partition as `aws`, imports as `<export name>`. */
const label = (resource: Cfn): string => {
  if (typeof resource === 'string') return resource;
  if (resource['Fn::Join']) return resource['Fn::Join'][1].map(label).join(resource['Fn::Join'][0]);
  if (resource.Ref === 'AWS::Partition') return 'aws';
  if (resource['Fn::ImportValue']) return `<${resource['Fn::ImportValue']}>`;
  return JSON.stringify(resource);
};
/** `action resource` pairs of a role, resources as readable text. */
const grantsOfRole = (roleLogicalId: string): string[] =>
  statementsOfRole(roleLogicalId).flatMap((statement) =>
    [statement.Action]
      .flat()
      .flatMap((action: string) => [statement.Resource].flat().map((resource: Cfn) => `${action} ${label(resource)}`)),
  );
const machineNamed = (suffix: string): Resource => {
  const found = resources('AWS::StepFunctions::StateMachine').find(([, machine]) =>
    String(machine.Properties.StateMachineName).endsWith(suffix),
  );
  if (found === undefined) throw new Error(`no state machine named *${suffix}`);
  return found[1];
};
const roleOfMachine = (machine: Resource): string => machine.Properties.RoleArn['Fn::GetAtt'][0];

describe('restore-test workflow', () => {
  const machine = () => machineNamed('-restore-test');

  it('deploys exactly statemachines/restore-test.asl.json (retry policy expanded) with a value for every placeholder', () => {
    const file = readFileSync(defaultRestoreTestDefinitionPath, 'utf8');
    expect(machine().Properties.DefinitionString).toBe(readExpandedDefinition(defaultRestoreTestDefinitionPath));
    const placeholders = new Set([...file.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]));
    expect(new Set(Object.keys(machine().Properties.DefinitionSubstitutions))).toEqual(placeholders);
    expect(placeholders).toEqual(new Set(Object.keys(RestoreTestSubstitutions)));
  });

  it('points each Task at its function, the cluster and task definition, and the subnets given at deploy time', () => {
    const subs = machine().Properties.DefinitionSubstitutions;
    const fns = built.workflows.restoreTests.functions;
    expect(subs.PrepareFunctionArn).toEqual({ 'Fn::GetAtt': [logicalIdOf(fns.prepare.function), 'Arn'] });
    expect(subs.RecordFunctionArn).toEqual({ 'Fn::GetAtt': [logicalIdOf(fns.record.function), 'Arn'] });
    expect(subs.CleanupFunctionArn).toEqual({ 'Fn::GetAtt': [logicalIdOf(fns.cleanup.function), 'Arn'] });
    expect(subs.ClusterArn).toEqual({
      'Fn::GetAtt': [built.workflows.getLogicalId(built.workflows.restoreTests.restic.cluster), 'Arn'],
    });
    expect(subs.ResticTaskDefinitionArn).toEqual({
      Ref: logicalIdOf(built.workflows.restoreTests.restic.taskDefinition),
    });
    expect(subs.SubnetIds).toBe('subnet-0a,subnet-0b');
    expect(subs.SecurityGroupIds).toBe('sg-01');
  });

  it('logs ALL without execution data, traces, and alarms on failed, throttled, aborted and timed-out runs', () => {
    expect(machine().Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    expect(machine().Properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(built.workflows.restoreTests.stateMachine.alarms).toHaveLength(4);
  });

  it('may run the restic task (.sync): RunTask on its family, PassRole of its two roles, the ECS events rule', () => {
    const grants = grantsOfRole(roleOfMachine(machine()));
    expect(grants.some((g) => g.startsWith('ecs:RunTask') && g.includes('task-definition/'))).toBe(true);
    expect(grants.filter((g) => g.startsWith('iam:PassRole'))).toHaveLength(2);
    for (const action of ['events:PutTargets', 'events:PutRule', 'events:DescribeRule']) {
      expect(grants.find((g) => g.startsWith(action))).toContain('rule/StepFunctionsGetEventsForECSTaskRule');
    }
    const stop = statementsOfRole(roleOfMachine(machine())).find((s) => [s.Action].flat().includes('ecs:StopTask'));
    expect(stop.Condition.ArnEquals['ecs:cluster']).toBeDefined();
  });

  it('lets only the dispatcher start restore-test executions', () => {
    const starters = resources('AWS::IAM::Policy')
      .filter(([, policy]) =>
        policy.Properties.PolicyDocument.Statement.some(
          (s: Cfn) => s.Action === 'states:StartExecution' && JSON.stringify(s.Resource).includes('RestoreTest'),
        ),
      )
      .flatMap(([, policy]) => policy.Properties.Roles.map((r: { Ref: string }) => r.Ref));
    expect(starters).toEqual([logicalIdOf(built.workflows.restoreTests.functions.dispatch.role)]);
  });
});

describe('restic Fargate task', () => {
  it('runs the restic-runner container on Fargate with logs, and a cluster with Container Insights', () => {
    const [[, task]] = resources('AWS::ECS::TaskDefinition') as [[string, Resource]];
    expect(task.Properties.RequiresCompatibilities).toEqual(['FARGATE']);
    expect(task.Properties.NetworkMode).toBe('awsvpc');
    const [container, ...others] = task.Properties.ContainerDefinitions;
    expect(others).toEqual([]);
    expect(container.Name).toBe(RESTIC_CONTAINER_NAME);
    expect(container.LogConfiguration.LogDriver).toBe('awslogs');
    expect(container.Environment.map((e: { Name: string }) => e.Name)).toEqual(
      expect.arrayContaining(['REVERSA_TABLE', 'REVERSA_DATA_BUCKET', 'REVERSA_EVENT_BUS']),
    );
    const [[, cluster]] = resources('AWS::ECS::Cluster') as [[string, Resource]];
    expect(cluster.Properties.ClusterSettings).toEqual([{ Name: 'containerInsights', Value: 'enabled' }]);
  });

  it('builds its image from the public restic image plus Node.js, at deploy time (an image asset, no Docker at synth)', async () => {
    const { resticRunnerDockerfile } = await import('../../infra/constructs/restic-runner.ts');
    expect(resticRunnerDockerfile).toMatch(/^FROM restic\/restic:0\.17\.3\n/);
    expect(resticRunnerDockerfile).toContain('apk add --no-cache nodejs');
    const [[, task]] = resources('AWS::ECS::TaskDefinition') as [[string, Resource]];
    expect(JSON.stringify(task.Properties.ContainerDefinitions[0].Image)).toContain('cdk-hnb659fds-container-assets');
  });

  it("reads the repositories with the task role, and the tenant's plan, sandbox and password through its tenant role", () => {
    const restore = built.workflows.restoreTests;
    const taskRole = logicalIdOf(restore.restic.taskDefinition.taskRole as never);
    const grants = grantsOfRole(taskRole);
    expect(grants).toContain('s3:GetObject arn:aws:s3:::acme-backups/*');
    expect(grants).toContain('s3:PutObject arn:aws:s3:::acme-backups/locks/*');
    expect(grants.filter((g) => g.includes('acme-backups') && !/\/(locks\/)?\*$|acme-backups$/.test(g))).toEqual([]);
    expect(grants.filter((g) => g.includes('DataBucketArn') || g.startsWith('secretsmanager:'))).toEqual([]);
    const tenantRole = logicalIdOf(restore.resticTenantAccess?.role as never);
    const tenant = grantsOfRole(tenantRole);
    expect(tenant.some((g) => g.startsWith('s3:PutObject') && g.includes(`/runs/${SESSION_TENANT}/*`))).toBe(true);
    expect(tenant.some((g) => g.startsWith('s3:DeleteObject') && g.includes(`/sandbox/${SESSION_TENANT}/*`))).toBe(
      true,
    );
    const secrets = statementsOfRole(tenantRole).find((s) =>
      [s.Action].flat().includes('secretsmanager:GetSecretValue'),
    );
    expect(secrets.Condition).toEqual({
      StringEquals: { 'secretsmanager:ResourceTag/reversa:tenant': SESSION_TENANT },
    });
    const [[, task]] = resources('AWS::ECS::TaskDefinition') as [[string, Resource]];
    const environment: { Name: string; Value: Cfn }[] = task.Properties.ContainerDefinitions[0].Environment;
    expect(environment.find((e) => e.Name === 'REVERSA_TENANT_ACCESS_ROLE_ARN')?.Value).toEqual({
      'Fn::GetAtt': [tenantRole, 'Arn'],
    });
  });
});

describe('aws-backup runner grants', () => {
  const grantsOf = (key: keyof typeof built.workflows.restoreTests.functions) =>
    grantsOfRole(logicalIdOf(built.workflows.restoreTests.functions[key].role));

  it('lets the start step read restore metadata, start jobs and pass only the restore role to AWS Backup', () => {
    const grants = grantsOf('startAwsBackupRestore');
    expect(
      grants.some((g) => g.startsWith('backup:GetRecoveryPointRestoreMetadata') && g.includes('backup-vault:*')),
    ).toBe(true);
    expect(grants.some((g) => g.startsWith('backup:StartRestoreJob') && g.includes('recovery-point:*'))).toBe(true);
    const pass = statementsOfRole(logicalIdOf(built.workflows.restoreTests.functions.startAwsBackupRestore.role)).find(
      (s) => s.Action === 'iam:PassRole',
    );
    expect(pass.Resource).toEqual({ 'Fn::GetAtt': [logicalIdOf(built.workflows.restoreRole), 'Arn'] });
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'backup.amazonaws.com' } });
  });

  it('lets validate and cleanup touch only tables and buckets carrying the sandbox marker', () => {
    for (const key of ['validate', 'cleanup'] as const) {
      const dynamo = grantsOf(key).filter((g) => /^dynamodb:(DescribeTable|Scan|GetItem|DeleteTable) /.test(g));
      expect(dynamo.length).toBeGreaterThan(0);
      for (const grant of dynamo) expect(grant).toContain('table/*reversa-rt-*');
    }
    expect(grantsOf('cleanup')).toEqual(expect.arrayContaining(['s3:DeleteBucket arn:aws:s3:::*reversa-rt-*']));
    expect(grantsOf('validate').some((g) => g.startsWith('backup:PutRestoreValidationResult'))).toBe(true);
    expect(grantsOf('describeAwsBackupRestore').filter((g) => g.startsWith('backup:'))).toEqual([
      'backup:DescribeRestoreJob *',
    ]);
  });

  it('lets describe tag only untagged volumes with the sandbox tag, and cleanup delete only volumes so tagged', () => {
    const statement = (key: 'describeAwsBackupRestore' | 'cleanup', action: string) =>
      statementsOfRole(logicalIdOf(built.workflows.restoreTests.functions[key].role)).find((s) =>
        [s.Action].flat().includes(action),
      );
    expect(statement('describeAwsBackupRestore', 'ec2:CreateTags')?.Condition).toEqual({
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['reversa:sandbox'] },
      Null: { 'aws:ResourceTag/reversa:sandbox': 'true' },
    });
    expect(statement('cleanup', 'ec2:DeleteVolume')?.Condition).toEqual({
      StringLike: { 'aws:ResourceTag/reversa:sandbox': 'reversa-rt-*' },
    });
    expect(grantsOf('cleanup').filter((g) => g.startsWith('rds:'))).toEqual([
      'rds:DeleteDBInstance arn:aws:rds:eu-west-3:111111111111:db:*reversa-rt-*',
      'rds:DescribeDBInstances arn:aws:rds:eu-west-3:111111111111:db:*reversa-rt-*',
    ]);
  });

  it('hands every function the restore role ARN it passes (REVERSA_RESTORE_ROLE_ARN)', () => {
    const fn = resources('AWS::Lambda::Function').find(
      ([id]) => id === logicalIdOf(built.workflows.restoreTests.functions.startAwsBackupRestore.function),
    )!;
    expect(fn[1].Properties.Environment.Variables.REVERSA_RESTORE_ROLE_ARN).toEqual({
      'Fn::GetAtt': [logicalIdOf(built.workflows.restoreRole), 'Arn'],
    });
  });
});

describe('audit log writers', () => {
  it("lets restore Record and dossier Audit write the tenant's audit/ in the Object Lock bucket and sign with the audit key", () => {
    for (const fn of [built.workflows.restoreTests.functions.record, built.workflows.dossierExport.functions.audit]) {
      const grants = grantsOfRole(logicalIdOf(fn.tenantAccess?.role as never));
      expect(grants).toContain(`s3:PutObject <ReversaStateful-AuditBucketArn>/audit/${SESSION_TENANT}/*`);
      const sign = grants.find((g) => g.startsWith('kms:Sign'));
      expect(sign).toContain('AuditSigningKey');
      expect(grants.filter((g) => g.startsWith('s3:DeleteObject') && g.includes('AuditBucketArn'))).toEqual([]);
    }
  });

  it('keeps the audit bucket under Object Lock in COMPLIANCE mode', () => {
    const locked = Object.values(stateful.findResources('AWS::S3::Bucket')).filter(
      (bucket) => bucket.Properties.ObjectLockEnabled === true,
    );
    expect(locked).toHaveLength(1);
    expect(locked[0]?.Properties.ObjectLockConfiguration.Rule.DefaultRetention.Mode).toBe('COMPLIANCE');
  });
});

describe('reversibility-export workflow', () => {
  const machine = () => machineNamed('-reversibility-export');
  const grantsOf = (key: keyof typeof built.workflows.dossierExport.functions) =>
    grantsOfRole(logicalIdOf(built.workflows.dossierExport.functions[key].tenantAccess?.role as never));

  it('runs Assemble with the GC flags and malloc arenas the dossier bench measures, the others with source maps only', () => {
    const nodeOptions = (logicalId: string) =>
      template.findResources('AWS::Lambda::Function')[logicalId]?.Properties.Environment.Variables
        .NODE_OPTIONS as string;
    const assembleId = logicalIdOf(built.workflows.dossierExport.functions.assemble.function);
    const signId = logicalIdOf(built.workflows.dossierExport.functions.sign.function);
    expect(nodeOptions(assembleId)).toBe('--enable-source-maps --max-semi-space-size=8');
    expect(nodeOptions(signId)).toBe('--enable-source-maps');
    const env = (logicalId: string) =>
      template.findResources('AWS::Lambda::Function')[logicalId]?.Properties.Environment.Variables;
    expect(env(assembleId).MALLOC_ARENA_MAX).toBe('2');
    expect(env(signId).MALLOC_ARENA_MAX).toBeUndefined();
  });

  it('deploys exactly statemachines/reversibility-export.asl.json (retry policy expanded) with a value for every placeholder', () => {
    const file = readFileSync(defaultExportDefinitionPath, 'utf8');
    expect(machine().Properties.DefinitionString).toBe(readExpandedDefinition(defaultExportDefinitionPath));
    const placeholders = new Set([...file.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]));
    expect(new Set(Object.keys(machine().Properties.DefinitionSubstitutions))).toEqual(placeholders);
    expect(placeholders).toEqual(new Set(Object.keys(ExportSubstitutions)));
    expect(machine().Properties.DefinitionSubstitutions.SignFunctionArn).toEqual({
      'Fn::GetAtt': [logicalIdOf(built.workflows.dossierExport.functions.sign.function), 'Arn'],
    });
  });

  it('lets the workflow put the DossierPublished event on the reversa bus (Notify)', () => {
    expect(grantsOfRole(roleOfMachine(machine())).some((g) => g.startsWith('events:PutEvents'))).toBe(true);
  });

  it('lets only Sign sign with the dossier key, and Assemble upload in parts and abort them under dossiers/', () => {
    const signers = Object.keys(built.workflows.dossierExport.functions).filter((key) =>
      grantsOf(key as never).some((g) => g.startsWith('kms:Sign')),
    );
    // gather seals the audit log before packing it (audit key); only Sign signs the dossier.
    expect(signers.sort()).toEqual(['audit', 'gather', 'sign']);
    expect(grantsOf('sign').find((g) => g.startsWith('kms:Sign'))).toContain('DossierSigningKey');
    const assemble = grantsOf('assemble');
    for (const action of ['s3:PutObject', 's3:AbortMultipartUpload']) {
      expect(assemble).toContain(`${action} <ReversaStateful-DossierBucketArn>/dossiers/${SESSION_TENANT}/*`);
    }
    // lib-storage never lists uploads; only Abort looks for the one a killed Assemble left.
    expect(assemble.some((g) => g.startsWith('s3:ListBucketMultipartUploads'))).toBe(false);
    expect(grantsOf('abort').some((g) => g.startsWith('s3:ListBucketMultipartUploads'))).toBe(true);
  });

  it("lets Gather list secrets and read only those whose reversa:tenant tag is the session's tenant", () => {
    const statements = statementsOfRole(
      logicalIdOf(built.workflows.dossierExport.functions.gather.tenantAccess?.role as never),
    );
    const read = statements.find((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(read.Condition).toEqual({
      StringEquals: { 'secretsmanager:ResourceTag/reversa:tenant': SESSION_TENANT },
    });
    expect(statements.some((s) => s.Action === 'secretsmanager:ListSecrets')).toBe(true);
  });
});

describe('restore-test schedules', () => {
  it(`creates the ${RESTORE_SCHEDULE_GROUP} group and a role that may only invoke the dispatcher`, () => {
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: RESTORE_SCHEDULE_GROUP });
    const grants = grantsOfRole(logicalIdOf(built.workflows.restoreTests.scheduling.schedulerRole));
    expect(grants).toEqual([
      `lambda:InvokeFunction ${JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(built.workflows.restoreTests.functions.dispatch.function), 'Arn'] })}`,
    ]);
    const trust = resources('AWS::IAM::Role').find(
      ([id]) => id === logicalIdOf(built.workflows.restoreTests.scheduling.schedulerRole),
    )!;
    expect(JSON.stringify(trust[1].Properties.AssumeRolePolicyDocument)).toContain(
      `:schedule/${RESTORE_SCHEDULE_GROUP}/*`,
    );
  });

  it('offers a managed policy to sync the schedules of that group and pass that role', () => {
    const [[, policy]] = resources('AWS::IAM::ManagedPolicy') as [[string, Resource]];
    const statements: Cfn[] = policy.Properties.PolicyDocument.Statement;
    const write = statements.find((s) => [s.Action].flat().includes('scheduler:CreateSchedule'));
    expect(write.Action).toEqual(
      expect.arrayContaining(['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule']),
    );
    expect(JSON.stringify(write.Resource)).toContain(`:schedule/${RESTORE_SCHEDULE_GROUP}/*`);
    const pass = statements.find((s) => s.Action === 'iam:PassRole');
    expect(pass.Resource).toEqual({
      'Fn::GetAtt': [logicalIdOf(built.workflows.restoreTests.scheduling.schedulerRole), 'Arn'],
    });
  });
});

describe('outputs', () => {
  it('exposes the restore-test and export state machines (the CLI reads ExportStateMachineArn) and the schedule plumbing', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: Cfn }>;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining([...workflowsOutputKeys]));
    const [restoreId] = resources('AWS::StepFunctions::StateMachine').find(([, m]) =>
      String(m.Properties.StateMachineName).endsWith('-restore-test'),
    )!;
    const [exportId] = resources('AWS::StepFunctions::StateMachine').find(([, m]) =>
      String(m.Properties.StateMachineName).endsWith('-reversibility-export'),
    )!;
    expect(outputs.RestoreTestStateMachineArn?.Value).toEqual({ Ref: restoreId });
    expect(outputs.ExportStateMachineArn?.Value).toEqual({ Ref: exportId });
  });
});
