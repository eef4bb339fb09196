/** The AWS adapters the reversibility-export Lambdas share, composed once per container at module scope. */

import { DynamoDossierStore } from '#adapters/aws/dynamo-dossier-store.ts';
import { DynamoRestoreTestStore } from '#adapters/aws/dynamo-restore-test-store.ts';
import { S3DossierObjects } from '#adapters/aws/s3-dossier-objects.ts';
import { SecretsManagerSource } from '#adapters/aws/secrets-manager-source.ts';
import { composeAws } from '#adapters/compose.ts';
import { loadConfig } from '#config';
import type { DossierDeps } from '#core/use-cases/dossier-deps.ts';
import { awsDiscovery } from './discovery.ts';

export function dossierDepsFromEnv(): DossierDeps {
  const config = loadConfig(['tableName', 'dataBucket', 'eventBusName', 'dossierBucket']);
  const adapters = composeAws(config);
  return {
    ...adapters,
    objects: new S3DossierObjects({ bucket: config.dataBucket }),
    dossierObjects: new S3DossierObjects({ bucket: config.dossierBucket }),
    dossiers: new DynamoDossierStore({ tableName: config.tableName }),
    // Secrets Manager by tag reversa:tenant=<id>; read in memory only, sealed before anything is written.
    secrets: new SecretsManagerSource(),
    restoreTests: new DynamoRestoreTestStore({ tableName: config.tableName }),
    // Tagged resources of the tenant's AWS accounts join the imported asset registry.
    discover: awsDiscovery({ strategies: adapters.strategies }),
  };
}
