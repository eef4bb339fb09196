/**
 * The shared adapters on the embedded local cloud (was adapters/compose.ts composeLocal): the same
 * DynamoDB/S3 adapters as AWS pointed at dynalite and s3rver, PEM-file signers (0600) under the
 * local cloud's home, events appended to a JSON-lines file.
 */
import { join } from 'node:path';
import { DynamoAuditStore } from '#adapters/aws/dynamo-audit-store.ts';
import { DynamoFactStore } from '#adapters/aws/dynamo-fact-store.ts';
import { DynamoFindingStore } from '#adapters/aws/dynamo-finding-store.ts';
import { DynamoReportStore } from '#adapters/aws/dynamo-report-store.ts';
import { DynamoRestoreTestStore } from '#adapters/aws/dynamo-restore-test-store.ts';
import { DynamoStrategyStore } from '#adapters/aws/dynamo-strategy-store.ts';
import { DynamoTenantStore } from '#adapters/aws/dynamo-tenant-store.ts';
import { S3BlobStore } from '#adapters/aws/s3-blob-store.ts';
import { FileEventPublisher } from '#adapters/local/file-event-publisher.ts';
import { FileSigner } from '#adapters/local/file-signer.ts';
import { localDynamoClient, localS3Client } from '#adapters/local/local-clients.ts';
import { type Clock, systemClock } from '#core/ports.ts';
import type { LocalCloud } from '#local/cloud.ts';
import type { Adapters } from '../adapters.ts';
import { realRetry } from '../retry.ts';

export function localAdapters(cloud: LocalCloud, clock: Clock = systemClock): Adapters {
  const dynamo = localDynamoClient(cloud.endpoints);
  const table = { tableName: cloud.tableName, client: dynamo };
  const s3 = localS3Client(cloud.endpoints);
  return {
    audit: {
      store: new DynamoAuditStore(table),
      blobs: new S3BlobStore({ bucket: cloud.auditBucketName, client: s3 }),
      signer: new FileSigner(join(cloud.home, 'keys', 'audit')),
      retry: realRetry,
    },
    dossierSigner: new FileSigner(join(cloud.home, 'keys', 'dossier')),
    facts: new DynamoFactStore(table),
    strategies: new DynamoStrategyStore(table),
    reports: new DynamoReportStore(table),
    tenants: new DynamoTenantStore(table),
    restoreTests: new DynamoRestoreTestStore(table),
    findings: new DynamoFindingStore(table),
    blobs: new S3BlobStore({ bucket: cloud.bucketName, client: s3 }),
    events: new FileEventPublisher(cloud.eventsFile, clock),
    clock,
  };
}
