/**
 * The shared adapters on the embedded local cloud (was adapters/compose.ts composeLocal): the same
 * DynamoDB/S3 adapters as AWS pointed at dynalite and s3rver, PEM-file signers (0600) under the
 * local cloud's home, events appended to a JSON-lines file.
 */
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { S3BlobStore } from '#adapters/aws/s3-blob-store.ts';
import { FileEventPublisher } from '#adapters/local/file-event-publisher.ts';
import { FileSigner } from '#adapters/local/file-signer.ts';
import { localDynamoClient, localS3Client } from '#adapters/local/local-clients.ts';
import { bindDynamoToTenant, bindS3ToTenant } from '#adapters/local/tenant-boundary.ts';
import { busEventSink } from '#core/notifications/bus.ts';
import { type Clock, systemClock } from '#core/ports.ts';
import type { LocalCloud } from '#local/cloud.ts';
import type { Adapters } from '../adapters.ts';
import { realRetry } from '../retry.ts';
import { tableStores } from '../table-stores.ts';

export interface LocalAdapters extends Adapters {
  /** The clients these adapters use (bound to the tenant when there is one), for the factories that add more. */
  clients: { dynamodb: DynamoDBClient; s3: S3Client };
}

export interface LocalScope {
  /**
   * Bind every client to this tenant: requests addressing another tenant's partitions or objects
   * are refused, as the tenant-access role's IAM policies refuse them in AWS.
   */
  tenant?: string;
}

export function localAdapters(cloud: LocalCloud, clock: Clock = systemClock, scope: LocalScope = {}): LocalAdapters {
  const dynamo = localDynamoClient(cloud.endpoints);
  const s3 = localS3Client(cloud.endpoints);
  if (scope.tenant !== undefined) {
    bindDynamoToTenant(dynamo, scope.tenant);
    bindS3ToTenant(s3, scope.tenant, {
      [cloud.bucketName]: 'data',
      [cloud.auditBucketName]: 'audit',
      [cloud.dossierBucketName]: 'dossier',
    });
  }
  const { auditStore, stores } = tableStores({ tableName: cloud.tableName, client: dynamo });
  const events = new FileEventPublisher(cloud.eventsFile, clock);
  return {
    clients: { dynamodb: dynamo, s3 },
    audit: {
      store: auditStore,
      blobs: new S3BlobStore({ bucket: cloud.auditBucketName, client: s3 }),
      signer: new FileSigner(join(cloud.home, 'keys', 'audit')),
      retry: realRetry,
    },
    dossierSigner: new FileSigner(join(cloud.home, 'keys', 'dossier')),
    ...stores,
    blobs: new S3BlobStore({ bucket: cloud.bucketName, client: s3 }),
    events,
    notifications: busEventSink(events),
    clock,
  };
}
