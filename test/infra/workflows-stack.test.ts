import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readExpandedDefinition } from '#statemachines/definitions.ts';
import { backupEventDetailTypes } from '../../infra/workflows/ingestion.ts';
import { workflowsOutputKeys } from '../../infra/workflows-stack.ts';
import { buildTestApp, testVerifyDefinitionPath } from './build-app.ts';

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation is untyped JSON; the assertions give it shape.
type Cfn = any;
type Resource = { Type: string; Properties: Record<string, Cfn>; DependsOn?: string[] };

let template: Template;
let built: ReturnType<typeof buildTestApp>;

beforeAll(() => {
  built = buildTestApp();
  template = Template.fromJSON(built.assembly.getStackByName('ReversaWorkflows').template);
});

const resources = (type: string): [string, Resource][] =>
  Object.entries(template.findResources(type)) as [string, Resource][];
const logicalIdOf = (construct: { node: { defaultChild?: unknown } }): string =>
  built.workflows.getLogicalId(construct.node.defaultChild as never);
const functionLogicalId = (key: keyof typeof built.workflows.functions): string =>
  logicalIdOf(built.workflows.functions[key].function);
const policyStatementsOfRole = (roleLogicalId: string): Record<string, Cfn>[] =>
  resources('AWS::IAM::Policy')
    .filter(([, policy]) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleLogicalId))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);

/** Collects state names, descending into Parallel branches and Map item processors. */
const stateNames = (machine: { States: Record<string, Cfn> }): string[] =>
  Object.entries(machine.States).flatMap(([name, state]) => [
    name,
    ...(state.ItemProcessor ? stateNames(state.ItemProcessor) : []),
    ...(state.Iterator ? stateNames(state.Iterator) : []),
    ...(state.Branches ?? []).flatMap(stateNames),
  ]);

describe('functions', () => {
  it('deploys the 8 verify/ingest, 8 restore-test, 8 dossier and 1 SLA handlers and notification delivery, and only them (no custom-resource Lambdas)', () => {
    const all = { ...built.workflows.functions };
    expect(resources('AWS::Lambda::Function')).toHaveLength(
      Object.keys(all).length +
        Object.keys(built.workflows.restoreTests.functions).length +
        Object.keys(built.workflows.dossierExport.functions).length +
        2, // the SLA statements' and notification delivery's
    );
    expect(resources('AWS::Lambda::Function')).toHaveLength(26);
  });

  it('runs every function on nodejs24.x, arm64, with active tracing', () => {
    for (const [, fn] of resources('AWS::Lambda::Function')) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
  });

  it('gives every function the REVERSA_* and Powertools env vars config.ts reads', () => {
    for (const [, fn] of resources('AWS::Lambda::Function')) {
      expect(Object.keys(fn.Properties.Environment.Variables)).toEqual(
        expect.arrayContaining([
          'REVERSA_TABLE',
          'REVERSA_IDEMPOTENCY_TABLE',
          'REVERSA_DATA_BUCKET',
          'REVERSA_EVENT_BUS',
          'REVERSA_VERIFY_STATE_MACHINE_ARN',
          'REVERSA_AUDIT_BUCKET',
          'REVERSA_AUDIT_KEY_ID',
          'REVERSA_DOSSIER_BUCKET',
          'REVERSA_DOSSIER_KEY_ID',
          'POWERTOOLS_SERVICE_NAME',
          'POWERTOOLS_METRICS_NAMESPACE',
        ]),
      );
    }
  });

  it('points the audit and dossier env vars at the stateful buckets and the signing key ids', () => {
    const stateful = built.stateful;
    const imported = (value: Cfn): string => String(value['Fn::ImportValue']);
    const exportOf = (element: { node: { defaultChild?: unknown } } | { node: unknown }): string =>
      stateful.getLogicalId((element as { node: { defaultChild: never } }).node.defaultChild);
    for (const [, fn] of resources('AWS::Lambda::Function')) {
      const vars = fn.Properties.Environment.Variables;
      expect(imported(vars.REVERSA_AUDIT_BUCKET)).toContain(`ExportsOutputRef${exportOf(stateful.auditBucket.bucket)}`);
      expect(imported(vars.REVERSA_DOSSIER_BUCKET)).toContain(
        `ExportsOutputRef${exportOf(stateful.dossierBucket.bucket)}`,
      );
      expect(imported(vars.REVERSA_AUDIT_KEY_ID)).toContain(
        `ExportsOutputRef${exportOf(stateful.auditSigningKey.key)}`,
      );
      expect(imported(vars.REVERSA_DOSSIER_KEY_ID)).toContain(
        `ExportsOutputRef${exportOf(stateful.dossierSigningKey.key)}`,
      );
    }
  });

  it('points REVERSA_VERIFY_STATE_MACHINE_ARN at the deployed state machine name', () => {
    const [, machine] = resources('AWS::StepFunctions::StateMachine')[0]!;
    const [, sweep] = resources('AWS::Lambda::Function').find(([id]) => id === functionLogicalId('sweep'))!;
    const arn = JSON.stringify(sweep.Properties.Environment.Variables.REVERSA_VERIFY_STATE_MACHINE_ARN);
    expect(arn).toContain(`:stateMachine:${machine.Properties.StateMachineName}`);
  });

  it('gives each function its own log group with a retention, and no managed policy but the AWS Backup restore role', () => {
    // 25 functions, 3 state machines, the restic task.
    expect(
      resources('AWS::Logs::LogGroup').filter(([, group]) => group.Properties.RetentionInDays === 90),
    ).toHaveLength(30);
    for (const [id, fn] of resources('AWS::Lambda::Function')) {
      expect(fn.Properties.LoggingConfig?.LogGroup, id).toBeDefined();
    }
    const withManaged = resources('AWS::IAM::Role').filter(([, role]) => role.Properties.ManagedPolicyArns);
    expect(withManaged.map(([id]) => id)).toEqual([logicalIdOf(built.workflows.restoreRole)]);
  });

  it('sends failed asynchronous invocations of the event-driven and scheduled functions to a dead-letter queue', () => {
    const withDlq = resources('AWS::Lambda::Function')
      .filter(([, fn]) => fn.Properties.DeadLetterConfig?.TargetArn !== undefined)
      .map(([id]) => id)
      .sort();
    expect(withDlq).toEqual(
      [
        ...['s3Inbox', 'backupEvent', 'reconcile', 'sweep'].map((key) => functionLogicalId(key as never)),
        logicalIdOf(built.workflows.restoreTests.functions.dispatch.function),
        logicalIdOf(built.workflows.slaStatements.function.function),
      ].sort(),
    );
  });
});

// What each function's roles may do: test/infra/least-privilege.test.ts; tenant isolation: tenant-isolation.test.ts.

describe('verify state machine', () => {
  const machine = () => resources('AWS::StepFunctions::StateMachine')[0]![1];

  it('deploys exactly the ASL file, with the retry policy expanded as the local runner runs it', () => {
    const file = readFileSync(testVerifyDefinitionPath, 'utf8');
    expect(machine().Properties.DefinitionString).toBe(readExpandedDefinition(testVerifyDefinitionPath));
    expect(stateNames(JSON.parse(machine().Properties.DefinitionString))).toEqual(stateNames(JSON.parse(file)));
  });

  it('substitutes every placeholder the file uses with the matching function or bus', () => {
    const file = readFileSync(testVerifyDefinitionPath, 'utf8');
    const placeholders = new Set([...file.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]));
    const substitutions = machine().Properties.DefinitionSubstitutions;
    expect(new Set(Object.keys(substitutions))).toEqual(placeholders);
    expect(substitutions).toMatchObject({
      LoadStrategyFunctionArn: { 'Fn::GetAtt': [functionLogicalId('loadStrategy'), 'Arn'] },
      EvaluateBatchFunctionArn: { 'Fn::GetAtt': [functionLogicalId('evaluateBatch'), 'Arn'] },
      AggregateFunctionArn: { 'Fn::GetAtt': [functionLogicalId('aggregate'), 'Arn'] },
      PersistFunctionArn: { 'Fn::GetAtt': [functionLogicalId('persist'), 'Arn'] },
    });
    expect(JSON.stringify(substitutions.EventBusName)).toContain('EventBus');
  });

  it('logs ALL events without execution data and traces with X-Ray', () => {
    expect(machine().Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    expect(machine().Properties.LoggingConfiguration.Destinations).toHaveLength(1);
    expect(machine().Properties.TracingConfiguration).toEqual({ Enabled: true });
  });

  it('may invoke exactly its four Task functions', () => {
    const roleId = machine().Properties.RoleArn['Fn::GetAtt'][0];
    const invoked = policyStatementsOfRole(roleId)
      .filter((statement) => statement.Action === 'lambda:InvokeFunction')
      .flatMap((statement) => statement.Resource)
      .filter((resource: Cfn) => resource['Fn::GetAtt'] !== undefined)
      .map((resource: Cfn) => resource['Fn::GetAtt'][0])
      .sort();
    expect(invoked).toEqual(
      ['loadStrategy', 'evaluateBatch', 'aggregate', 'persist'].map((key) => functionLogicalId(key as never)).sort(),
    );
  });

  it('alarms on failed, throttled, aborted and timed-out executions through the encrypted alarm topic', () => {
    const machineId = resources('AWS::StepFunctions::StateMachine')[0]![0];
    const alarms = resources('AWS::CloudWatch::Alarm').filter(
      ([, alarm]) =>
        alarm.Properties.Namespace === 'AWS/States' &&
        JSON.stringify(alarm.Properties.Dimensions).includes(`"Ref":"${machineId}"`),
    );
    expect(alarms.map(([, alarm]) => alarm.Properties.MetricName).sort()).toEqual([
      'ExecutionThrottled',
      'ExecutionsAborted',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
    ]);
    const [[topicId, topic]] = resources('AWS::SNS::Topic') as [[string, Resource]];
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    for (const [, alarm] of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
  });
});

describe('workflow constructs', () => {
  it('keep the logical ids functions and state machines had in the single-class stack (a rename would replace them)', () => {
    const ids = resources('AWS::Lambda::Function')
      .concat(resources('AWS::StepFunctions::StateMachine'))
      .map(([id]) => id)
      .sort();
    expect(ids).toEqual([
      'AggregateFunction830C9CCB',
      'BackupEventFunctionA85C1D06',
      'DossierAbortFunction888B5574',
      'DossierAssembleFunctionF5D4AD35',
      'DossierChecklistFunction4F4AFE93',
      'DossierPrepareFunction4A0080D1',
      'DossierPublishFunction32174A8C',
      'DxAuditFunctionBF55330B',
      'DxSignFunctionD48FCF12',
      'EvaluateBatchFunctionAC2B2549',
      'ExportStateMachine2DF0AD0F',
      'GatherFunction33F6BF49',
      'IssueSlaStatementsFunction9A60F436',
      'LoadStrategyFunction36026C8B',
      'NotifyDeliverFunction138C3559',
      'PersistFunction29066D4E',
      'ReconcileFunction585E26B3',
      'RecordFunction0FDC7770',
      'RestoreCleanupFunction852CA695',
      'RestoreDescribeAwsBackupFunction75802272',
      'RestoreDispatchFunction91420A1C',
      'RestorePrepareFunctionA148700C',
      'RestoreS3ArchiveFunction2FDCED24',
      'RestoreStartAwsBackupFunction3AFFACD2',
      'RestoreTestStateMachine8DDF082D',
      'RestoreValidateFunctionA8639C6B',
      'S3InboxFunction8AE7E284',
      'SweepFunctionA7728703',
      'VerifyBackupsStateMachineD1BE21F1',
    ]);
  });

  it('own every alarm of the stack, each alarm in exactly one workflow', () => {
    const { ingestion, verifyWorkflow, restoreTests, dossierExport, slaStatements, notifications } = built.workflows;
    const owned = [ingestion, verifyWorkflow, restoreTests, dossierExport, slaStatements, notifications]
      .flatMap((workflow) => workflow.alarms)
      .map((alarm) => logicalIdOf(alarm));
    expect(new Set(owned).size).toBe(owned.length);
    expect(owned.sort()).toEqual(
      resources('AWS::CloudWatch::Alarm')
        .map(([id]) => id)
        .sort(),
    );
  });
});

describe('outputs', () => {
  it('exposes the verify state machine ARN under the key the CLI reads', () => {
    const [[machineId]] = resources('AWS::StepFunctions::StateMachine') as [[string, Resource]];
    const outputs = template.toJSON().Outputs as Record<string, { Value: Cfn; Export?: unknown }>;
    expect(Object.keys(outputs).filter((key) => outputs[key]?.Export === undefined)).toEqual([...workflowsOutputKeys]);
    expect(outputs.VerifyStateMachineArn?.Value).toEqual({ Ref: machineId });
  });
});

describe('event wiring', () => {
  const rules = () => resources('AWS::Events::Rule');

  it('routes AWS Backup job, copy and recovery point events of this account and of client accounts to backup-event', () => {
    const backupRules = rules().filter(([, rule]) => rule.Properties.EventPattern.source?.[0] === 'aws.backup');
    expect(backupRules.map(([, rule]) => rule.Properties.EventBusName === undefined).sort()).toEqual([false, true]);
    for (const [, rule] of backupRules) {
      expect(rule.Properties.EventPattern['detail-type']).toEqual([...backupEventDetailTypes]);
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [functionLogicalId('backupEvent'), 'Arn'] },
          DeadLetterConfig: { Arn: expect.anything() },
          RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 8 },
        }),
      ]);
    }
  });

  it('routes objects created under inbox/ of the data bucket to s3-inbox', () => {
    const [[, inbox]] = rules().filter(([, rule]) => rule.Properties.EventPattern.source?.[0] === 'aws.s3') as [
      [string, Resource],
    ];
    expect(inbox.Properties.EventPattern['detail-type']).toEqual(['Object Created']);
    expect(inbox.Properties.EventPattern.detail.object).toEqual({ key: [{ prefix: 'inbox/' }] });
    expect(inbox.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [functionLogicalId('s3Inbox'), 'Arn'] });
    expect(inbox.Properties.Targets[0].DeadLetterConfig).toBeDefined();
  });

  it('runs the sweep every 5 minutes, reconcile hourly and the SLA statements monthly, each with a DLQ, retries and its own role', () => {
    const schedules: Record<string, Cfn> = Object.fromEntries(
      resources('AWS::Scheduler::Schedule').map(([, schedule]): [string, Cfn] => [
        schedule.Properties.ScheduleExpression,
        schedule.Properties.Target,
      ]),
    );
    expect(Object.keys(schedules).sort()).toEqual(['cron(0 6 2 * ? *)', 'rate(1 hour)', 'rate(5 minutes)']);
    expect(schedules['cron(0 6 2 * ? *)'].Arn).toEqual({
      'Fn::GetAtt': [logicalIdOf(built.workflows.slaStatements.function.function), 'Arn'],
    });
    expect(schedules['rate(5 minutes)'].Arn).toEqual({ 'Fn::GetAtt': [functionLogicalId('sweep'), 'Arn'] });
    expect(schedules['rate(1 hour)'].Arn).toEqual({ 'Fn::GetAtt': [functionLogicalId('reconcile'), 'Arn'] });
    for (const target of Object.values(schedules)) {
      expect(target.DeadLetterConfig.Arn).toBeDefined();
      expect(target.RetryPolicy.MaximumRetryAttempts).toBe(3);
      const statements = policyStatementsOfRole(target.RoleArn['Fn::GetAtt'][0]);
      expect(statements.map((statement) => statement.Action).sort()).toEqual([
        'lambda:InvokeFunction',
        'sqs:SendMessage',
      ]);
      const invoke = statements.find((statement) => statement.Action === 'lambda:InvokeFunction');
      expect(invoke?.Resource[0]).toEqual(target.Arn);
    }
  });

  it('encrypts every dead-letter queue, refuses non-TLS access to it and alarms on its first message', () => {
    const queues = resources('AWS::SQS::Queue');
    // 8 verify/ingest DLQs, the restore-test dispatcher's, the SLA function's and its schedule's,
    // notifications' two and its delivery queue.
    expect(queues).toHaveLength(14);
    for (const [, queue] of queues) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    const tlsOnlyQueues = resources('AWS::SQS::QueuePolicy')
      .filter(([, policy]) =>
        policy.Properties.PolicyDocument.Statement.some(
          (statement: Cfn) =>
            statement.Effect === 'Deny' && statement.Condition?.Bool?.['aws:SecureTransport'] === 'false',
        ),
      )
      .flatMap(([, policy]) => policy.Properties.Queues.map((queue: { Ref: string }) => queue.Ref));
    expect(tlsOnlyQueues.sort()).toEqual(queues.map(([id]) => id).sort());
    const sqsAlarms = resources('AWS::CloudWatch::Alarm').filter(
      ([, alarm]) => alarm.Properties.Namespace === 'AWS/SQS',
    );
    expect(sqsAlarms).toHaveLength(13); // every queue but the delivery queue, whose failures land in a dead letter
  });
});
