import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { awsDiscovery } from '#adapters/aws/tenant-discovery.ts';
import type { StoredStrategyVersion } from '#core/ports.ts';

const tagging = mockClient(ResourceGroupsTaggingAPIClient);
afterEach(() => tagging.reset());

function strategy(accounts: string): { getCurrent: () => Promise<StoredStrategyVersion> } {
  const source = `apiVersion: reversa/v1
tenant: { id: acme, name: ACME }
timezone: Europe/Paris
sources:
  awsBackup:
    accounts:
${accounts}
defaults: { rpo: 24h, retention: 35d }
resources: []
`;
  return {
    getCurrent: async () => ({
      tenantId: 'acme',
      version: 1,
      contentSha256: 'x',
      appliedAt: 0,
      author: 't',
      source,
      fileName: 's.yaml',
    }),
  };
}

describe('dossier inventory discovery in AWS', () => {
  it('reads tagged resources of the own account and of role-assumed accounts, never of an account without a role', async () => {
    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [
        {
          ResourceARN: 'arn:aws:rds:eu-west-3:111122223333:db:orders',
          Tags: [{ Key: 'reversa:tenant', Value: 'acme' }],
        },
      ],
    });
    const regionsAsked: string[] = [];
    const discover = awsDiscovery({
      strategies: strategy(`      - { accountId: "111122223333", regions: [eu-west-3] }
      - { accountId: "444455556666", regions: [eu-central-1] }
      - { accountId: "777788889999", regions: [us-east-1], roleArn: "arn:aws:iam::777788889999:role/ReversaReadBackup" }`),
      ownAccountId: async () => '111122223333',
      createClient: (config) => {
        regionsAsked.push(String(config?.region));
        return new ResourceGroupsTaggingAPIClient(config ?? {});
      },
    });

    const assets = await discover('acme');

    expect(regionsAsked.sort()).toEqual(['eu-west-3', 'us-east-1']);
    expect(tagging.commandCalls(GetResourcesCommand)[0]?.args[0].input.TagFilters).toEqual([
      { Key: 'reversa:tenant', Values: ['acme'] },
    ]);
    expect(assets.map((a) => a.id)).toContain('arn:aws:rds:eu-west-3:111122223333:db:orders');
  });
});
