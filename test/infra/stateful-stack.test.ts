import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './build-app.ts';

let template: Template;

beforeAll(() => {
  const { assembly } = buildTestApp({ clientAccountIds: ['222222222222'], clientOrganizationId: 'o-abc123' });
  template = Template.fromJSON(assembly.getStackByName('ReversaStateful').template);
});

const tableWithKey = (name: string) =>
  template.findResources('AWS::DynamoDB::Table', {
    Properties: { KeySchema: Match.arrayWith([{ AttributeName: name, KeyType: 'HASH' }]) },
  });

describe('main table', () => {
  it('uses string keys pk/sk on demand, with point-in-time recovery, TTL on expiresAt and deletion protection', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ]),
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  it('is retained when the stack is deleted and declares no secondary index', () => {
    const [main] = Object.values(tableWithKey('pk'));
    expect(main?.DeletionPolicy).toBe('Retain');
    expect(main?.UpdateReplacePolicy).toBe('Retain');
    expect(main?.Properties.GlobalSecondaryIndexes).toBeUndefined();
  });
});

describe('idempotency table', () => {
  it('is keyed by id with TTL on expiration, as Powertools expects', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
  });
});

describe('buckets', () => {
  const buckets = () => Object.entries(template.findResources('AWS::S3::Bucket'));
  const dataBucket = () => {
    const found = buckets().find(([, bucket]) => bucket.Properties.LoggingConfiguration !== undefined);
    if (found === undefined) throw new Error('no bucket with access logging');
    return found;
  };

  it('creates exactly the data bucket and its access-log bucket', () => {
    expect(buckets()).toHaveLength(2);
  });

  it('versions, encrypts, blocks public access on and retains every bucket', () => {
    for (const [, bucket] of buckets()) {
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(
        bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault,
      ).toEqual({ SSEAlgorithm: 'AES256' });
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
  });

  it('denies every request made without TLS on every bucket', () => {
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    const bucketIds = buckets().map(([id]) => id);
    const deniedInsecure = policies
      .filter((policy) =>
        policy.Properties.PolicyDocument.Statement.some(
          (statement: { Effect: string; Condition?: { Bool?: Record<string, string> } }) =>
            statement.Effect === 'Deny' && statement.Condition?.Bool?.['aws:SecureTransport'] === 'false',
        ),
      )
      .map((policy) => policy.Properties.Bucket.Ref);
    expect(deniedInsecure.sort()).toEqual(bucketIds.sort());
  });

  it('logs data bucket access to the access-log bucket', () => {
    const [, data] = dataBucket();
    const logsId = buckets().find(([id]) => id !== dataBucket()[0])?.[0];
    expect(data.Properties.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: logsId });
  });

  it('aborts incomplete uploads after a day and expires processed reports after 90 days', () => {
    const [, data] = dataBucket();
    expect(data.Properties.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }),
        expect.objectContaining({ Prefix: 'processed/', ExpirationInDays: 90, Status: 'Enabled' }),
      ]),
    );
  });

  it('sends data bucket object events to EventBridge natively, without a custom resource', () => {
    const [, data] = dataBucket();
    expect(data.Properties.NotificationConfiguration).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
    });
    expect(template.findResources('Custom::S3BucketNotifications')).toEqual({});
    expect(template.findResources('AWS::Lambda::Function')).toEqual({});
  });

  it('exports the data bucket ARN under a stable name for the workflows stack', () => {
    template.hasOutput('*', { Export: { Name: 'ReversaStateful-DataBucketArn' } });
  });
});

describe('event bus', () => {
  it('is named reversa', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'reversa' });
  });

  it('lets listed client accounts and the client organization put events, nothing more', () => {
    const policies = Object.values(template.findResources('AWS::Events::EventBusPolicy'));
    const statements = policies.map((policy) => policy.Properties.Statement);
    expect(statements).toHaveLength(2);
    for (const statement of statements) expect(statement.Action).toBe('events:PutEvents');
    expect(statements).toContainEqual(
      expect.objectContaining({
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } }),
    );
  });
});
