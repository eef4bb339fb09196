/**
 * Groundwork for creating the deployment itself on moto (issue 11 §3): the synthesized ReversaStateful template
 * goes through moto's CloudFormation. What moto creates from each resource type, and what it leaves out, is listed
 * in docs/aws-emulator.md; this test keeps the first half of that list honest.
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { MOTO_REGION } from './account.ts';
import { statefulTemplate } from './stateful-template.ts';
import { motoEndpoint, uniqueName } from './support.ts';

/** Resource types of the stateful stack that moto's CloudFormation skips (it warns and goes on). */
const NOT_CREATED_BY_MOTO = ['AWS::CDK::Metadata', 'AWS::S3::BucketPolicy'];

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

describe("the synthesized stateful stack in moto's CloudFormation", () => {
  it('completes, creating every resource but CDK metadata and bucket policies, with outputs naming real resources', async () => {
    await bootstrapVersionParameter();
    const cfn = new CloudFormationClient({});
    const template = statefulTemplate();
    const stackName = `ReversaStateful${uniqueName('').replaceAll('-', '')}`;
    // The stack's KMS aliases (alias/reversa-*-signing) are unique per account and region: no other file uses them.
    await cfn.send(new CreateStackCommand({ StackName: stackName, TemplateBody: JSON.stringify(template) }));

    const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks ?? [];
    const created = (await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }))).StackResources ?? [];
    const outputs = Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));

    expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
    const declared = Object.entries(template.Resources)
      .filter(([, r]) => !NOT_CREATED_BY_MOTO.includes(r.Type))
      .map(([id]) => id)
      .sort();
    expect(created.flatMap((r) => (r.LogicalResourceId ? [r.LogicalResourceId] : [])).sort()).toEqual(declared);
    const table = await new DynamoDBClient({}).send(new DescribeTableCommand({ TableName: outputs.TableName }));
    expect(table.Table?.DeletionProtectionEnabled).toBe(true);
    for (const key of ['DataBucketName', 'AuditBucketName', 'DossierBucketName']) {
      await expect(new S3Client({}).send(new HeadBucketCommand({ Bucket: outputs[key] }))).resolves.toBeDefined();
    }
  });
});
