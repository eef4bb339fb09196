import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { assetFromTaggedResource, discoverTaggedResources } from '#adapters/aws/tagging-discovery.ts';
import { ConfigError, TransientError, ValidationError } from '#core/errors.ts';

const tagging = mockClient(ResourceGroupsTaggingAPIClient);
afterEach(() => tagging.reset());

const ORDERS = 'arn:aws:rds:eu-west-3:111122223333:db:orders';
const VOLUME = 'arn:aws:ec2:eu-west-3:111122223333:volume/vol-0abc';
const BUCKET = 'arn:aws:s3:::acme-exports';

describe('discovery of tagged AWS resources', () => {
  it('follows every page in every region, filtering on reversa:tenant', async () => {
    tagging
      .on(GetResourcesCommand, { PaginationToken: undefined })
      .resolvesOnce({
        ResourceTagMappingList: [
          {
            ResourceARN: ORDERS,
            Tags: [
              { Key: 'Name', Value: 'Orders DB' },
              { Key: 'reversa:criticality', Value: 'Critical' },
              { Key: 'owner', Value: 'dba@acme' },
            ],
          },
        ],
        PaginationToken: 'page-2',
      })
      .resolvesOnce({ ResourceTagMappingList: [{ ResourceARN: BUCKET, Tags: [] }], PaginationToken: '' })
      .on(GetResourcesCommand, { PaginationToken: 'page-2' })
      .resolves({ ResourceTagMappingList: [{ ResourceARN: VOLUME, Tags: [] }], PaginationToken: '' });
    const client = new ResourceGroupsTaggingAPIClient({ region: 'eu-west-3' });

    const assets = await discoverTaggedResources({
      tenantId: 'acme',
      regions: ['eu-west-3', 'eu-central-1'],
      clientFor: () => client,
    });

    const calls = tagging.commandCalls(GetResourcesCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([
      { TagFilters: [{ Key: 'reversa:tenant', Values: ['acme'] }], ResourcesPerPage: 100 },
      { TagFilters: [{ Key: 'reversa:tenant', Values: ['acme'] }], ResourcesPerPage: 100, PaginationToken: 'page-2' },
      { TagFilters: [{ Key: 'reversa:tenant', Values: ['acme'] }], ResourcesPerPage: 100 },
    ]);
    expect(assets.map((a) => a.id)).toEqual([VOLUME, ORDERS, BUCKET]);
    expect(assets.find((a) => a.id === ORDERS)).toEqual({
      id: ORDERS,
      type: 'rds:db',
      name: 'Orders DB',
      account: '111122223333',
      region: 'eu-west-3',
      owner: 'dba@acme',
      criticality: 'critical',
      dependencies: [],
      contracts: [],
      locators: [],
      tags: { Name: 'Orders DB', 'reversa:criticality': 'Critical', owner: 'dba@acme' },
    });
  });

  it('names resources without a Name tag after their ARN and keeps global ones without region', () => {
    expect(assetFromTaggedResource(VOLUME, [])).toMatchObject({ type: 'ec2:volume', name: 'vol-0abc' });
    const bucket = assetFromTaggedResource(BUCKET, []);
    expect(bucket).toMatchObject({ type: 's3', name: 'acme-exports' });
    expect(bucket?.region).toBeUndefined();
    expect(assetFromTaggedResource('not-an-arn', [])).toBeUndefined();
  });

  it('ignores a criticality tag that is not a known level', () => {
    expect(assetFromTaggedResource(ORDERS, [{ Key: 'criticality', Value: 'very' }])?.criticality).toBeUndefined();
  });

  it('turns throttling into a retryable TransientError', async () => {
    tagging.on(GetResourcesCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottledException' }));
    const client = new ResourceGroupsTaggingAPIClient({ region: 'eu-west-3' });

    const run = discoverTaggedResources({ tenantId: 'acme', regions: ['eu-west-3'], clientFor: () => client });

    await expect(run).rejects.toBeInstanceOf(TransientError);
    await expect(run).rejects.toMatchObject({ retryable: true });
  });

  it('turns access denied into a ConfigError naming the permission', async () => {
    tagging.on(GetResourcesCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
    const client = new ResourceGroupsTaggingAPIClient({ region: 'eu-west-3' });

    const run = discoverTaggedResources({ tenantId: 'acme', regions: ['eu-west-3'], clientFor: () => client });

    await expect(run).rejects.toBeInstanceOf(ConfigError);
    await expect(run).rejects.toThrow(/tag:GetResources/);
  });

  it('stops at the resource limit instead of listing a mis-tagged account forever', async () => {
    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [{ ResourceARN: ORDERS }, { ResourceARN: VOLUME }, { ResourceARN: BUCKET }],
    });
    const client = new ResourceGroupsTaggingAPIClient({ region: 'eu-west-3' });

    const run = discoverTaggedResources({
      tenantId: 'acme',
      regions: ['eu-west-3'],
      clientFor: () => client,
      maxResources: 2,
    });

    await expect(run).rejects.toBeInstanceOf(ValidationError);
  });
});
