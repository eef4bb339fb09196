/**
 * The reversibility-export Lambdas (functions/dossier/*) on AWS: the data bucket's provider files,
 * the dossier bucket, the dossier store, Secrets Manager by tag `reversa:tenant=<id>` (values in
 * memory only, sealed before anything is written), and the tenant's tagged resources discovered
 * through the Resource Groups Tagging API.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDossierStore } from '#adapters/aws/dynamo-dossier-store.ts';
import { S3DossierObjects } from '#adapters/aws/s3-dossier-objects.ts';
import { SecretsManagerSource } from '#adapters/aws/secrets-manager-source.ts';
import { awsDiscovery } from '#adapters/aws/tenant-discovery.ts';
import { type Config, loadConfig } from '#config';
import type { DossierDeps } from '#core/use-cases/dossier-deps.ts';
import { perTenant, type TenantScoped } from '../tenant-scope.ts';
import { type AwsAdapters, awsAdapters } from './adapters.ts';
import { type AwsScope, clientConfigOf } from './clients.ts';
import { tenantScope } from './tenant-credentials.ts';

type DossierConfig = Config & { tableName: string; dataBucket: string; dossierBucket: string };

/** The dossier deps on given adapters (the CLI's deployed context reuses them). */
export function awsDossierDeps(config: DossierConfig, adapters: AwsAdapters, scope: AwsScope = {}): DossierDeps {
  const { s3, dynamodb } = adapters.clients;
  return {
    ...adapters,
    objects: new S3DossierObjects({ bucket: config.dataBucket, client: s3 }),
    dossierObjects: new S3DossierObjects({ bucket: config.dossierBucket, client: s3 }),
    dossiers: new DynamoDossierStore({ tableName: config.tableName, client: dynamodb }),
    secrets: new SecretsManagerSource({ client: new SecretsManagerClient(clientConfigOf(scope)) }),
    // Tagged resources of the tenant's AWS accounts join the imported asset registry.
    discover: awsDiscovery({ strategies: adapters.strategies }),
  };
}

export function awsDossierWiring(
  config = loadConfig(['tableName', 'dataBucket', 'eventBusName', 'dossierBucket']),
): TenantScoped<DossierDeps> {
  return perTenant((tenantId) => {
    const scope = tenantScope(config, tenantId);
    return awsDossierDeps(config, awsAdapters(config, scope), scope);
  });
}
