import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '#core/errors.ts';
import { statefulOutputKeys } from '../../infra/stateful-stack.ts';
import { buildTestApp } from './build-app.ts';

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation is untyped JSON; the assertions give it shape.
type Cfn = any;

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

const buckets = () => Object.entries(template.findResources('AWS::S3::Bucket'));
/** A bucket by the prefix its access logs go under (data/, audit/, dossier/). */
const loggedBucket = (logPrefix: string): [string, Cfn] => {
  const found = buckets().find(([, bucket]) => bucket.Properties.LoggingConfiguration?.LogFilePrefix === logPrefix);
  if (found === undefined) throw new Error(`no bucket logging under ${logPrefix}`);
  return found;
};
const accessLogsBucketId = () =>
  buckets().find(([, bucket]) => bucket.Properties.LoggingConfiguration === undefined)?.[0];
const dataBucket = () => loggedBucket('data/');
const auditBucket = () => loggedBucket('audit/');
const dossierBucket = () => loggedBucket('dossier/');
const policyStatementsOfBucket = (bucketId: string): Cfn[] =>
  Object.values(template.findResources('AWS::S3::BucketPolicy'))
    .filter((policy) => policy.Properties.Bucket.Ref === bucketId)
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);

describe('buckets', () => {
  it('creates exactly the data, audit and dossier buckets and their access-log bucket', () => {
    expect(buckets()).toHaveLength(4);
    expect(new Set([dataBucket()[0], auditBucket()[0], dossierBucket()[0], accessLogsBucketId()]).size).toBe(4);
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

  it('logs data, audit and dossier bucket access to the access-log bucket', () => {
    for (const [, bucket] of [dataBucket(), auditBucket(), dossierBucket()]) {
      expect(bucket.Properties.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: accessLogsBucketId() });
    }
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

describe('audit bucket', () => {
  it('locks every object version in COMPLIANCE mode for 7 years (2555 days) by default', () => {
    const [, audit] = auditBucket();
    expect(audit.Properties.ObjectLockEnabled).toBe(true);
    expect(audit.Properties.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2555 } },
    });
  });

  it('takes the retention from the auditRetentionDays option', () => {
    const { assembly } = buildTestApp({ auditRetentionDays: 3650 });
    const other = Template.fromJSON(assembly.getStackByName('ReversaStateful').template);
    other.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 3650 } } },
    });
  });

  it('refuses a retention that is not a whole number of days between 1 and 36500', () => {
    for (const days of [0, 1.5, 36_501]) {
      expect(() => buildTestApp({ auditRetentionDays: days }), String(days)).toThrow(ConfigError);
    }
  });

  it('aborts incomplete multipart uploads after a day and expires nothing', () => {
    const [, audit] = auditBucket();
    expect(audit.Properties.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }),
    ]);
  });

  it('exports its ARN under a stable name for the workflows stack', () => {
    template.hasOutput('*', { Export: { Name: 'ReversaStateful-AuditBucketArn' } });
  });
});

describe('dossier bucket', () => {
  it('is versioned without Object Lock, and aborts a failed upload after a day so no partial dossier stays', () => {
    const [, dossier] = dossierBucket();
    expect(dossier.Properties.ObjectLockEnabled).toBeUndefined();
    expect(dossier.Properties.ObjectLockConfiguration).toBeUndefined();
    expect(dossier.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(dossier.Properties.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }),
    ]);
  });
});

describe('deletion by the application', () => {
  const deletionDenials = (bucketId: string) =>
    policyStatementsOfBucket(bucketId).filter(
      (statement) => statement.Effect === 'Deny' && [statement.Action].flat().includes('s3:DeleteObject'),
    );

  it('is denied on the audit and dossier buckets to every role of the workflows stack, versions included', () => {
    for (const [id] of [auditBucket(), dossierBucket()]) {
      const [deny, ...more] = deletionDenials(id);
      expect(more).toEqual([]);
      expect(deny.Action).toEqual(['s3:DeleteObject', 's3:DeleteObjectVersion']);
      expect(deny.Principal).toEqual({ AWS: '*' });
      expect(JSON.stringify(deny.Condition.ArnLike['aws:PrincipalArn'])).toContain(':role/ReversaWorkflows-*');
    }
  });

  it("lets only the dossier Abort's tenant role place delete markers in the dossier bucket, never delete versions", () => {
    const [markers] = deletionDenials(dossierBucket()[0]);
    expect(markers.Condition.ArnNotLike['aws:PrincipalArn']).toEqual([
      {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':iam::',
            { Ref: 'AWS::AccountId' },
            ':role/ReversaWorkflows-DossierAbort-Tenant',
          ],
        ],
      },
    ]);
    const versions = policyStatementsOfBucket(dossierBucket()[0]).find(
      (statement) => statement.Effect === 'Deny' && statement.Action === 's3:DeleteObjectVersion',
    );
    expect(JSON.stringify(versions.Condition.ArnLike['aws:PrincipalArn'])).toContain(':role/ReversaWorkflows-*');
    expect(versions.Condition.ArnNotLike).toBeUndefined();
  });

  it('stays allowed on the data bucket, where s3-inbox moves reports out of inbox/', () => {
    expect(deletionDenials(dataBucket()[0])).toEqual([]);
  });

  it('follows the stack prefix', () => {
    const { assembly } = buildTestApp({ stackPrefix: 'Acme' });
    const acme = JSON.stringify(assembly.getStackByName('AcmeStateful').template.Resources);
    expect(acme).toContain(':role/AcmeWorkflows-*');
    expect(acme).toContain('alias/acme-audit-signing');
    expect(acme).toContain('alias/acme-dossier-signing');
  });
});

describe('signing keys', () => {
  const keys = () => Object.entries(template.findResources('AWS::KMS::Key'));
  const keyWithAlias = (aliasName: string): [string, Cfn] => {
    const alias = Object.values(template.findResources('AWS::KMS::Alias')).find(
      (a) => a.Properties.AliasName === aliasName,
    );
    const keyId = alias?.Properties.TargetKeyId['Fn::GetAtt'][0];
    const found = keys().find(([id]) => id === keyId);
    if (found === undefined) throw new Error(`no key behind ${aliasName}`);
    return found;
  };
  const signStatements = (key: Cfn): Cfn[] =>
    key.Properties.KeyPolicy.Statement.filter((statement: Cfn) =>
      [statement.Action].flat().some((action: string) => action === 'kms:Sign' || action === 'kms:*'),
    );

  it('creates two ECC_NIST_P256 SIGN_VERIFY keys, retained, aliased audit-signing and dossier-signing', () => {
    expect(keys()).toHaveLength(2);
    for (const aliasName of ['alias/reversa-audit-signing', 'alias/reversa-dossier-signing']) {
      const [, key] = keyWithAlias(aliasName);
      expect(key.Properties).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
      expect(key.DeletionPolicy).toBe('Retain');
      expect(key.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('lets the account manage the keys and read the public key, but never sign through IAM alone', () => {
    for (const [, key] of keys()) {
      const account = key.Properties.KeyPolicy.Statement.find(
        (statement: Cfn) => statement.Sid === 'AccountManagesKeyButDoesNotSign',
      );
      expect(account.Action).toEqual(expect.arrayContaining(['kms:Get*', 'kms:Put*', 'kms:Describe*']));
      expect(account.Action).not.toContain('kms:*');
      expect(account.Action).not.toContain('kms:Sign');
      expect(account.Condition).toBeUndefined();
    }
  });

  it('allows kms:Sign on the audit key only to the audit-log writers, and on the dossier key only to dossier Sign', () => {
    const [auditSign, ...moreAudit] = signStatements(keyWithAlias('alias/reversa-audit-signing')[1]);
    expect(moreAudit).toEqual([]);
    expect(auditSign.Action).toBe('kms:Sign');
    const patterns = JSON.stringify(auditSign.Condition.ArnLike['aws:PrincipalArn']);
    expect(auditSign.Condition.ArnLike['aws:PrincipalArn']).toHaveLength(6);
    // Their tenant-access roles, which sign, by their fixed names: persist (verify runs), Record (restore tests),
    // DxAudit (dossier exports), Gather (seals before packing), IssueSlaStatements (signed statements), and the
    // portal API (audit entries of reads, links).
    for (const owner of ['Persist', 'Record', 'DxAudit', 'Gather', 'IssueSlaStatements']) {
      expect(patterns).toContain(`:role/ReversaWorkflows-${owner}-Tenant"`);
    }
    expect(patterns).toContain(':role/ReversaPortal-ApiHandler-Tenant"');
    expect(patterns).not.toContain('*');
    const [dossierSign, ...moreDossier] = signStatements(keyWithAlias('alias/reversa-dossier-signing')[1]);
    expect(moreDossier).toEqual([]);
    expect(JSON.stringify(dossierSign.Condition.ArnLike['aws:PrincipalArn'])).toContain(
      ':role/ReversaWorkflows-DxSign-Tenant"',
    );
  });
});

describe('outputs for the CLI', () => {
  const outputs = () => template.toJSON().Outputs as Record<string, { Value: Cfn; Export?: unknown }>;

  it('exposes exactly the keys config.ts STACK_OUTPUTS reads, besides cross-stack exports', () => {
    const cliOutputs = Object.keys(outputs()).filter((key) => outputs()[key]?.Export === undefined);
    expect(cliOutputs.sort()).toEqual([...statefulOutputKeys].sort());
    expect([...statefulOutputKeys].sort()).toEqual([
      'AuditBucketName',
      'AuditKeyId',
      'DataBucketName',
      'DossierBucketName',
      'DossierKeyId',
      'EventBusName',
      'TableName',
    ]);
  });

  it('points each output at its resource', () => {
    const refOf = (key: string) => outputs()[key]?.Value.Ref;
    const keyBehind = (aliasName: string) =>
      Object.values(template.findResources('AWS::KMS::Alias')).find((a) => a.Properties.AliasName === aliasName)
        ?.Properties.TargetKeyId['Fn::GetAtt'][0];
    expect(refOf('TableName')).toBe(Object.keys(tableWithKey('pk'))[0]);
    expect(refOf('DataBucketName')).toBe(dataBucket()[0]);
    expect(refOf('EventBusName')).toBe(Object.keys(template.findResources('AWS::Events::EventBus'))[0]);
    expect(refOf('AuditBucketName')).toBe(auditBucket()[0]);
    expect(refOf('DossierBucketName')).toBe(dossierBucket()[0]);
    expect(refOf('AuditKeyId')).toBe(keyBehind('alias/reversa-audit-signing'));
    expect(refOf('DossierKeyId')).toBe(keyBehind('alias/reversa-dossier-signing'));
  });
});
