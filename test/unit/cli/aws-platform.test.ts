import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { openAwsPlatform } from '#wiring/aws/platform.ts';

const cfn = mockClient(CloudFormationClient);
afterEach(() => cfn.reset());

const outputs = (pairs: Record<string, string>) => ({
  Stacks: [
    {
      StackName: 'x',
      CreationTime: new Date(),
      StackStatus: 'CREATE_COMPLETE' as const,
      Outputs: Object.entries(pairs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
    },
  ],
});

describe('the CLI against a deployed stack', () => {
  it('reads resource names from both stacks’ outputs', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'ReversaStateful' }).resolves(
      outputs({
        TableName: 't',
        DataBucketName: 'data',
        EventBusName: 'bus',
        AuditBucketName: 'audit',
        AuditKeyId: 'k1',
        DossierBucketName: 'dossiers',
        DossierKeyId: 'k2',
      }),
    );
    cfn.on(DescribeStacksCommand, { StackName: 'ReversaWorkflows' }).resolves(
      outputs({
        VerifyStateMachineArn: 'arn:sm',
        ExportStateMachineArn: 'arn:ex',
        RestoreTestStateMachineArn: 'arn:rt',
        RestoreDispatcherArn: 'arn:d',
        RestoreSchedulerRoleArn: 'arn:r',
      }),
    );

    const ctx = await openAwsPlatform('Reversa', 'eu-west-3');

    expect(ctx.target).toBe('aws');
    expect(ctx.describeBlob('reports/a.json')).toBe('s3://data/reports/a.json');
  });

  it('names every missing output at once', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'ReversaStateful' }).resolves(outputs({ TableName: 't' }));
    cfn.on(DescribeStacksCommand, { StackName: 'ReversaWorkflows' }).resolves(outputs({}));

    await expect(openAwsPlatform('Reversa', 'eu-west-3')).rejects.toThrow(
      /lack outputs: DataBucketName, EventBusName, VerifyStateMachineArn, AuditBucketName, AuditKeyId, DossierBucketName, DossierKeyId, ExportStateMachineArn, RestoreTestStateMachineArn, RestoreDispatcherArn, RestoreSchedulerRoleArn/,
    );
  });
});
