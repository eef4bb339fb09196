/**
 * discoverTaggedResources against moto's Resource Groups Tagging API: every resource tagged
 * `reversa:tenant=<id>` in each region asked, over several GetResources pages, with the inventory fields its
 * tags give (name, owner, criticality) and its type read from the ARN.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { CreateBucketCommand, PutBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { beforeAll, describe, expect, it } from 'vitest';
import { discoverTaggedResources } from '#adapters/aws/tagging-discovery.ts';
import { MOTO_REGION, recordCommands, type SentCommand, uniqueName } from './support.ts';

const OTHER_REGION = 'eu-west-1';
let tenant: string;
let table: string;
let bucket: string;

beforeAll(async () => {
  tenant = uniqueName('acme');
  table = uniqueName('orders');
  bucket = uniqueName('reports');
  const tags = (extra: Record<string, string> = {}) =>
    Object.entries({ 'reversa:tenant': tenant, ...extra }).map(([Key, Value]) => ({ Key, Value }));
  await new DynamoDBClient({}).send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      Tags: tags({ Name: 'Orders database', 'reversa:owner': 'dba@acme.example', 'reversa:criticality': 'Critical' }),
    }),
  );
  const s3 = new S3Client({});
  await s3.send(
    new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: MOTO_REGION } }),
  );
  await s3.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: tags({ owner: 'ops' }) } }));
  await new KMSClient({}).send(
    new CreateKeyCommand({
      Description: 'acme data key',
      Tags: tags().map((t) => ({ TagKey: t.Key, TagValue: t.Value })),
    }),
  );
  // 60 secrets with two tags each: more than one GetResources page (moto pages by resources and by tags).
  const secrets = new SecretsManagerClient({});
  await Promise.all(
    Array.from({ length: 60 }, (_, i) =>
      secrets.send(
        new CreateSecretCommand({ Name: `${tenant}/app-${i}`, SecretString: 'x', Tags: tags({ Name: `app ${i}` }) }),
      ),
    ),
  );
  await new SecretsManagerClient({ region: OTHER_REGION }).send(
    new CreateSecretCommand({ Name: `${tenant}/dr-copy`, SecretString: 'x', Tags: tags() }),
  );
  await secrets.send(
    new CreateSecretCommand({
      Name: `${uniqueName('other')}/app`,
      SecretString: 'x',
      Tags: [{ Key: 'reversa:tenant', Value: 'other' }],
    }),
  );
});

describe('discoverTaggedResources on moto', () => {
  it("finds every resource tagged with the tenant, over several pages and in each region, and no one else's", async () => {
    const sent = new Map<string, SentCommand[]>();
    const clientFor = (region: string) => {
      const client = new ResourceGroupsTaggingAPIClient({ region });
      sent.set(region, recordCommands(client));
      return client;
    };

    const assets = await discoverTaggedResources({ tenantId: tenant, regions: [MOTO_REGION, OTHER_REGION], clientFor });

    expect(assets).toHaveLength(64);
    expect(assets.map((a) => a.id)).toEqual([...assets.map((a) => a.id)].sort());
    expect(new Set(assets.map((a) => a.type))).toEqual(
      new Set(['dynamodb:table', 's3', 'kms:key', 'secretsmanager:secret']),
    );
    expect(assets.find((a) => a.type === 'dynamodb:table')).toMatchObject({
      name: 'Orders database',
      owner: 'dba@acme.example',
      criticality: 'critical',
      region: MOTO_REGION,
    });
    expect(assets.find((a) => a.id === `arn:aws:s3:::${bucket}`)).toMatchObject({ name: bucket, owner: 'ops' });
    expect(assets.filter((a) => a.region === OTHER_REGION).map((a) => a.name)).toEqual([
      expect.stringMatching(/^dr-copy/),
    ]);
    const continued = (sent.get(MOTO_REGION) ?? []).filter((c) => c.input.PaginationToken !== undefined);
    expect(continued.length).toBeGreaterThanOrEqual(1);
  });
});
