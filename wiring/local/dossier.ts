/** The reversibility export's ports on the local cloud: the shared adapters plus the dossier store, object stores and secret store. */
import { join } from 'node:path';
import { DynamoDossierStore } from '#adapters/aws/dynamo-dossier-store.ts';
import { S3DossierObjects } from '#adapters/aws/s3-dossier-objects.ts';
import { localDynamoClient, localS3Client } from '#adapters/local/local-clients.ts';
import { LocalSecretStore } from '#adapters/local/local-secret-store.ts';
import type { EventPublisher } from '#core/ports.ts';
import type { RestoreTestStore } from '#core/restore/ports.ts';
import type { DossierDeps } from '#core/use-cases/dossier-deps.ts';
import type { LocalCloud } from '#local/cloud.ts';
import type { Adapters } from '../adapters.ts';
import { localAdapters } from './adapters.ts';

/** The export workflow's deps plus the event publisher its Notify state uses locally. */
export interface LocalDossierDeps extends DossierDeps {
  events: EventPublisher;
}

export interface LocalDossierDepsOptions {
  /** The local secret store directory. Default: <cloud home>/secrets. */
  secretsDir?: string;
  /** Default: the restore-test store of the adapters. */
  restoreTests?: RestoreTestStore;
  adapters?: Adapters;
}

export function localDossierDeps(cloud: LocalCloud, options: LocalDossierDepsOptions = {}): LocalDossierDeps {
  const adapters = options.adapters ?? localAdapters(cloud);
  const s3 = localS3Client(cloud.endpoints);
  return {
    ...adapters,
    objects: new S3DossierObjects({ bucket: cloud.bucketName, client: s3 }),
    dossierObjects: new S3DossierObjects({ bucket: cloud.dossierBucketName, client: s3 }),
    dossiers: new DynamoDossierStore({ tableName: cloud.tableName, client: localDynamoClient(cloud.endpoints) }),
    secrets: new LocalSecretStore({ dir: options.secretsDir ?? join(cloud.home, 'secrets'), clock: adapters.clock }),
    restoreTests: options.restoreTests ?? adapters.restoreTests,
  };
}
