/**
 * The shared adapters on the embedded local cloud (was adapters/compose.ts composeLocal): the same
 * DynamoDB/S3 adapters as AWS pointed at dynalite and s3rver, PEM-file signers (0600) under the
 * local cloud's home, events appended to a JSON-lines file.
 */
import { join } from 'node:path';
import { S3BlobStore } from '#adapters/aws/s3-blob-store.ts';
import { FileEventPublisher } from '#adapters/local/file-event-publisher.ts';
import { FileSigner } from '#adapters/local/file-signer.ts';
import { localDynamoClient, localS3Client } from '#adapters/local/local-clients.ts';
import { type Clock, systemClock } from '#core/ports.ts';
import type { LocalCloud } from '#local/cloud.ts';
import type { Adapters } from '../adapters.ts';
import { realRetry } from '../retry.ts';
import { tableStores } from '../table-stores.ts';

export function localAdapters(cloud: LocalCloud, clock: Clock = systemClock): Adapters {
  const dynamo = localDynamoClient(cloud.endpoints);
  const { auditStore, stores } = tableStores({ tableName: cloud.tableName, client: dynamo });
  const s3 = localS3Client(cloud.endpoints);
  return {
    audit: {
      store: auditStore,
      blobs: new S3BlobStore({ bucket: cloud.auditBucketName, client: s3 }),
      signer: new FileSigner(join(cloud.home, 'keys', 'audit')),
      retry: realRetry,
    },
    dossierSigner: new FileSigner(join(cloud.home, 'keys', 'dossier')),
    ...stores,
    blobs: new S3BlobStore({ bucket: cloud.bucketName, client: s3 }),
    events: new FileEventPublisher(cloud.eventsFile, clock),
    clock,
  };
}
