/** The reversibility export's ports on the local cloud: the shared adapters plus the dossier store, object stores and secret store. */
import { join } from 'node:path';
import { DynamoDossierStore } from '#adapters/aws/dynamo-dossier-store.ts';
import { S3DossierObjects } from '#adapters/aws/s3-dossier-objects.ts';
import { LocalSecretStore } from '#adapters/local/local-secret-store.ts';
import type { EventPublisher } from '#core/ports.ts';
import type { RestoreTestStore } from '#core/restore/ports.ts';
import type { DossierDeps } from '#core/use-cases/dossier-deps.ts';
import type { LocalCloud } from '#local/cloud.ts';
import { type LocalAdapters, localAdapters } from './adapters.ts';

/** The export workflow's deps plus the event publisher its Notify state uses locally. */
export interface LocalDossierDeps extends DossierDeps {
  events: EventPublisher;
}

export interface LocalDossierDepsOptions {
  /** The local secret store directory. Default: <cloud home>/secrets. */
  secretsDir?: string;
  /** Default: the restore-test store of the adapters. */
  restoreTests?: RestoreTestStore;
  adapters?: LocalAdapters;
}

export function localDossierDeps(cloud: LocalCloud, options: LocalDossierDepsOptions = {}): LocalDossierDeps {
  const adapters = options.adapters ?? localAdapters(cloud);
  const { s3, dynamodb } = adapters.clients;
  return {
    ...adapters,
    objects: new S3DossierObjects({ bucket: cloud.bucketName, client: s3 }),
    dossierObjects: new S3DossierObjects({ bucket: cloud.dossierBucketName, client: s3 }),
    dossiers: new DynamoDossierStore({ tableName: cloud.tableName, client: dynamodb }),
    secrets: new LocalSecretStore({ dir: options.secretsDir ?? join(cloud.home, 'secrets'), clock: adapters.clock }),
    restoreTests: options.restoreTests ?? adapters.restoreTests,
  };
}
