/**
 * The deployment itself on moto (issue 11 §3): both synthesized stacks, ReversaStateful then ReversaWorkflows (which
 * imports its exports), go through moto's CloudFormation to CREATE_COMPLETE, and the CLI's deployed-stack mode
 * (`reversa --stack <prefix>`) runs `status` and `strategy apply` against them as a provider would after
 * `cdk deploy`: stack outputs read with DescribeStacks, strategies written to the stack's table, restore-test
 * schedules created with the stack's dispatcher and scheduler role. What moto's CloudFormation leaves out is listed
 * in docs/aws-emulator.md; NOT_CREATED_BY_MOTO keeps the type-level half of that list honest.
 *
 * One file for both halves: the stacks' KMS aliases, their `reversa` bus and their export names are unique per
 * account and region, so the deployment exists once per moto server.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Capability,
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateScheduleGroupCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { RESTORE_SCHEDULE_GROUP } from '#core/restore/schedule.ts';
import { type CliResult, reversa } from '../e2e/cli-support.ts';
import { archiverZip } from '../support/archiver-zip.ts';
import { MOTO_REGION } from './account.ts';
import type { CfnTemplate } from './global-setup.ts';
import { statefulTemplate } from './stateful-template.ts';
import { motoEndpoint, uniqueName } from './support.ts';

/** Resource types of each stack that moto's CloudFormation skips (it warns and goes on). */
const NOT_CREATED_BY_MOTO = {
  stateful: ['AWS::CDK::Metadata', 'AWS::S3::BucketPolicy'],
  workflows: [
    'AWS::CDK::Metadata',
    'AWS::CloudWatch::Alarm',
    'AWS::Lambda::EventInvokeConfig',
    'AWS::SNS::Subscription',
    'AWS::SNS::TopicPolicy',
    'AWS::SQS::QueuePolicy',
    'AWS::Scheduler::Schedule',
    'AWS::Scheduler::ScheduleGroup',
  ],
};

const STRATEGY = new URL('../../examples/acme.strategy.yaml', import.meta.url).pathname;

/**
 * `cdk bootstrap` leaves /cdk-bootstrap/hnb659fds/version in SSM and every CDK template reads it. There is no SSM
 * client among the dependencies: one JSON-protocol request, which moto does not need signed.
 */
async function bootstrapVersionParameter(): Promise<void> {
  const res = await fetch(`${motoEndpoint()}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'AmazonSSM.PutParameter',
      Authorization: `AWS4-HMAC-SHA256 Credential=AKIAMOTOTESTING00001/20260101/${MOTO_REGION}/ssm/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify({ Name: '/cdk-bootstrap/hnb659fds/version', Value: '30', Type: 'String', Overwrite: true }),
  });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`SSM PutParameter answered ${res.status}`);
}

/**
 * `cdk deploy` uploads every function's bundle to the bootstrap bucket before CreateStack, and moto's Lambda reads
 * the object when it creates a function. The tests synthesize without bundling, so each asset key gets a stand-in
 * zip: moto never runs the code (it would need Docker), it only has to find it.
 */
async function publishAssets(template: CfnTemplate): Promise<void> {
  const s3 = new S3Client({});
  const assets = Object.values(template.Resources).flatMap((r) => {
    const code =
      r.Type === 'AWS::Lambda::Function' ? (r.Properties?.Code as { S3Bucket?: unknown; S3Key?: unknown }) : {};
    return typeof code?.S3Bucket === 'string' && typeof code.S3Key === 'string' ? [[code.S3Bucket, code.S3Key]] : [];
  });
  const zip = await archiverZip({ 'index.mjs': 'export const handler = async () => ({});\n' });
  for (const bucket of new Set(assets.map(([b]) => b as string))) {
    await s3.send(
      new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: MOTO_REGION } }),
    );
  }
  for (const [bucket, key] of assets) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: zip }));
}

const cfn = new CloudFormationClient({});
const prefix = `Reversa${uniqueName('').replaceAll('-', '')}`;
const stacks: Record<'stateful' | 'workflows', Stack | undefined> = { stateful: undefined, workflows: undefined };
const outputs: Record<string, string> = {};
let home: Record<string, string>;

async function createStack(name: string, template: CfnTemplate, capabilities: Capability[] = []): Promise<Stack> {
  await cfn.send(
    new CreateStackCommand({ StackName: name, TemplateBody: JSON.stringify(template), Capabilities: capabilities }),
  );
  const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks ?? [];
  if (stack === undefined) throw new Error(`stack ${name} not found after CreateStack`);
  for (const o of stack.Outputs ?? []) if (o.OutputKey && o.OutputValue) outputs[o.OutputKey] = o.OutputValue;
  return stack;
}

async function createdLogicalIds(stackName: string): Promise<string[]> {
  const created = (await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }))).StackResources ?? [];
  return created.flatMap((r) => (r.LogicalResourceId ? [r.LogicalResourceId] : [])).sort();
}

const declaredLogicalIds = (template: CfnTemplate, skipped: readonly string[]) =>
  Object.entries(template.Resources)
    .filter(([, r]) => !skipped.includes(r.Type))
    .map(([id]) => id)
    .sort();

const cli = (args: string[]): Promise<CliResult> => reversa([...args, '--stack', prefix], home);

beforeAll(async () => {
  await bootstrapVersionParameter();
  await publishAssets(inject('workflowsTemplate'));
  stacks.stateful = await createStack(`${prefix}Stateful`, statefulTemplate());
  stacks.workflows = await createStack(`${prefix}Workflows`, inject('workflowsTemplate'), [
    'CAPABILITY_IAM',
    'CAPABILITY_NAMED_IAM',
  ]);
  // moto's CloudFormation skips AWS::Scheduler::ScheduleGroup: the group is created as the stack would.
  await new SchedulerClient({}).send(new CreateScheduleGroupCommand({ Name: RESTORE_SCHEDULE_GROUP }));
  home = { REVERSA_HOME: await mkdtemp(join(tmpdir(), 'reversa-aws-stack-')) };
}, 120_000);

describe("the synthesized stacks in moto's CloudFormation", () => {
  it('creates the stateful stack, every resource but CDK metadata and bucket policies, its outputs naming real resources', async () => {
    expect(stacks.stateful?.StackStatus).toBe('CREATE_COMPLETE');
    expect(await createdLogicalIds(`${prefix}Stateful`)).toEqual(
      declaredLogicalIds(statefulTemplate(), NOT_CREATED_BY_MOTO.stateful),
    );
    const table = await new DynamoDBClient({}).send(new DescribeTableCommand({ TableName: outputs.TableName }));
    expect(table.Table?.DeletionProtectionEnabled).toBe(true);
    for (const key of ['DataBucketName', 'AuditBucketName', 'DossierBucketName']) {
      await expect(new S3Client({}).send(new HeadBucketCommand({ Bucket: outputs[key] }))).resolves.toBeDefined();
    }
    const bus = await new EventBridgeClient({}).send(new DescribeEventBusCommand({ Name: outputs.EventBusName }));
    expect(bus.Name).toBe('reversa');
  });

  it('creates the workflows stack on its imports, every resource but the types moto skips, with the three workflows', async () => {
    const template = inject('workflowsTemplate');
    expect(stacks.workflows?.StackStatus).toBe('CREATE_COMPLETE');
    expect(await createdLogicalIds(`${prefix}Workflows`)).toEqual(
      declaredLogicalIds(template, NOT_CREATED_BY_MOTO.workflows),
    );
    const sfn = new SFNClient({});
    for (const key of ['VerifyStateMachineArn', 'RestoreTestStateMachineArn', 'ExportStateMachineArn']) {
      const machine = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: outputs[key] }));
      expect(machine.status, key).toBe('ACTIVE');
    }
  });
});

describe('the CLI against the deployed stacks (--stack)', () => {
  it('says there is no tenant yet on a fresh deployment, exit 0', async () => {
    const result = await cli(['status']);

    expect(result.stderr).toBe('');
    expect(result.stdout).toContain("no tenants yet: apply a strategy with 'reversa strategy apply <file>'");
    expect(result.code).toBe(0);
  });

  it("applies a strategy into the stack's table once, and syncs its restore-test schedules onto the stack's dispatcher", async () => {
    const first = await cli(['strategy', 'apply', STRATEGY]);
    const again = await cli(['strategy', 'apply', STRATEGY]);
    const scheduler = new SchedulerClient({});
    const listed = await scheduler.send(new ListSchedulesCommand({ GroupName: RESTORE_SCHEDULE_GROUP }));
    const names = (listed.Schedules ?? []).flatMap((s) => (s.Name ? [s.Name] : []));
    const details = await Promise.all(
      names.map((Name) => scheduler.send(new GetScheduleCommand({ Name, GroupName: RESTORE_SCHEDULE_GROUP }))),
    );

    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(
      /applied .*acme\.strategy\.yaml: tenant acme is now on strategy version 1 \(sha256 [0-9a-f]{12}…\)/,
    );
    expect(first.code).toBe(0);
    expect(again.stdout).toContain('unchanged: tenant acme already runs this content as version 1');
    expect(again.code).toBe(0);
    // examples/acme.strategy.yaml declares two restore-test policies.
    expect(details).toHaveLength(2);
    for (const schedule of details) {
      expect(schedule.Target?.Arn).toBe(outputs.RestoreDispatcherArn);
      expect(schedule.Target?.RoleArn).toBe(outputs.RestoreSchedulerRoleArn);
    }
  });

  it('shows the tenant on its strategy version, never verified, exit 0', async () => {
    const result = await cli(['status', '--json']);
    const { tenants } = JSON.parse(result.stdout) as { tenants: Record<string, unknown>[] };

    expect(result.code).toBe(0);
    expect(tenants).toHaveLength(1);
    expect(tenants[0]).toMatchObject({
      id: 'acme',
      name: 'ACME Industries',
      strategyVersion: 1,
      compliancePercent: null,
    });
  });

  it('names the stack it cannot find, exit non-zero', async () => {
    const result = await reversa(['status', '--stack', `${prefix}Missing`], home);

    expect(result.stderr).toContain(`${prefix}MissingStateful`);
    expect(result.code).not.toBe(0);
  });
});
