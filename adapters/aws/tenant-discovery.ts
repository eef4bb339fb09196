/**
 * Inventory discovery for the dossier in AWS: the tenant's resources tagged `reversa:tenant=<id>`
 * in every account/region its strategy declares for AWS Backup. Accounts with a ReversaReadBackup
 * role are read through it (ExternalId = tenant id, like reconciliation); an account without a
 * role is read with the function's own credentials only when it IS the function's own account —
 * otherwise its resources would be attributed to the wrong tenant.
 */
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { InventoryAsset } from '#core/dossier/contents/inventory.ts';
import type { StrategyStore } from '#core/ports.ts';
import { parseStrategy } from '#core/strategy/parse.ts';
import { awsBackupTargetsOf } from '#core/strategy/routing.ts';
import { assumeRoleParamsOf } from './backup-clients.ts';
import { discoverTaggedResources } from './tagging-discovery.ts';

export interface DiscoveryOptions {
  strategies: Pick<StrategyStore, 'getCurrent'>;
  /** The deployment's own account (default: STS GetCallerIdentity, once). */
  ownAccountId?: () => Promise<string>;
  createClient?: (
    config: ConstructorParameters<typeof ResourceGroupsTaggingAPIClient>[0],
  ) => ResourceGroupsTaggingAPIClient;
  /**
   * The credentials discovery runs with: tag:GetResources in the own account, and the base of the AssumeRole into
   * client accounts. The portal API passes its tenant session's (its own role may only assume the tenant-access
   * role); the dossier export leaves it to the function's own.
   * @default - the default credential chain (the function's role)
   */
  credentials?: TaggingCredentials;
}

type TaggingCredentials = NonNullable<
  NonNullable<ConstructorParameters<typeof ResourceGroupsTaggingAPIClient>[0]>['credentials']
>;

export function awsDiscovery(options: DiscoveryOptions): (tenantId: string) => Promise<InventoryAsset[]> {
  let own: Promise<string> | undefined;
  const ownAccountId =
    options.ownAccountId ??
    (() => {
      own ??= new STSClient({}).send(new GetCallerIdentityCommand({})).then((r) => r.Account ?? '');
      return own;
    });
  const createClient = options.createClient ?? ((config) => new ResourceGroupsTaggingAPIClient(config ?? {}));
  const base = options.credentials === undefined ? {} : { credentials: options.credentials };
  return async (tenantId) => {
    const stored = await options.strategies.getCurrent(tenantId);
    if (!stored) return [];
    const assets: InventoryAsset[] = [];
    for (const target of awsBackupTargetsOf(parseStrategy(stored.source, stored.fileName).document)) {
      const { roleArn } = target;
      if (roleArn === undefined && target.accountId !== (await ownAccountId())) continue;
      assets.push(
        ...(await discoverTaggedResources({
          tenantId,
          regions: target.regions,
          clientFor: (region) =>
            roleArn === undefined
              ? createClient({ region, ...base })
              : createClient({
                  region,
                  credentials: fromTemporaryCredentials({
                    params: assumeRoleParamsOf({ tenantId, accountId: target.accountId, region, roleArn }),
                    clientConfig: { region },
                    ...(options.credentials === undefined ? {} : { masterCredentials: options.credentials }),
                  }),
                }),
        })),
      );
    }
    return assets;
  };
}
