/**
 * The one composition root: the only place that decides between AWS and local adapters.
 * Handlers call composeAws(loadConfig([...])); the CLI, demo and tests call composeLocal(cloud).
 * Each adapter file is imported per service so a Lambda bundle only carries the SDK clients it uses.
 */

import { join } from 'node:path';
import type { Config } from '#config';
import type { AuditDeps, Signer } from '#core/audit/ports.ts';
import { ConfigError } from '#core/errors.ts';
import type {
  BlobStore,
  Clock,
  EventPublisher,
  FactStore,
  ReportStore,
  StrategyStore,
  TenantStore,
  VerifyStarter,
} from '#core/ports.ts';
import { systemClock } from '#core/ports.ts';
import type { FindingStore, RestoreTestStore } from '#core/restore/ports.ts';
import type { LocalCloud } from '#local/cloud.ts';
import { DynamoAuditStore } from './aws/dynamo-audit-store.ts';
import { DynamoFactStore } from './aws/dynamo-fact-store.ts';
import { DynamoFindingStore } from './aws/dynamo-finding-store.ts';
import { DynamoReportStore } from './aws/dynamo-report-store.ts';
import { DynamoRestoreTestStore } from './aws/dynamo-restore-test-store.ts';
import { DynamoStrategyStore } from './aws/dynamo-strategy-store.ts';
import { DynamoTenantStore } from './aws/dynamo-tenant-store.ts';
import { EventBridgePublisher } from './aws/eventbridge-publisher.ts';
import { KmsSigner } from './aws/kms-signer.ts';
import { S3BlobStore } from './aws/s3-blob-store.ts';
import { FileEventPublisher } from './local/file-event-publisher.ts';
import { FileSigner } from './local/file-signer.ts';
import { localDynamoClient, localS3Client } from './local/local-clients.ts';

export interface Adapters {
  facts: FactStore;
  strategies: StrategyStore;
  reports: ReportStore;
  tenants: TenantStore;
  blobs: BlobStore;
  events: EventPublisher;
  clock: Clock;
  /** The tenant audit logs: DynamoDB serialises appends, the audit bucket keeps the exportable copy. */
  audit: AuditDeps;
  /** Signs reversibility dossiers (KMS in AWS, a PEM file locally). */
  dossierSigner: Signer;
  /** Restore-test index rows (the evidence JSON itself is in `blobs`). */
  restoreTests: RestoreTestStore;
  /** Findings opened by failed restore tests; the provider fills in root cause and corrective action. */
  findings: FindingStore;
  /** Wired by the workflow layer (Step Functions in AWS, the in-process ASL runner locally). */
  verify?: VerifyStarter;
}

function required(config: Config, key: keyof Config): string {
  const value = config[key];
  if (!value) throw new ConfigError('MissingConfig', `composeAws needs config.${key}`);
  return value;
}

/** AWS adapters with default SDK clients (region and credentials from the Lambda environment). */
/** Real waits between conflicting audit appends (core takes them injected, tests pass none). */
const realRetry = { delay: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)), random: Math.random };

/** A port whose configuration is absent: fails on first use, naming what is missing, so functions that never use it need not be configured for it. */
function unconfigured<T extends object>(what: string, key: string): T {
  return new Proxy({} as T, {
    get() {
      throw new ConfigError('MissingConfig', `${what} is not configured (${key})`);
    },
  });
}

export function composeAws(config: Config): Adapters {
  const tableName = required(config, 'tableName');
  const auditBlobs = config.auditBucket
    ? new S3BlobStore({ bucket: config.auditBucket })
    : unconfigured<S3BlobStore>('the audit bucket', 'REVERSA_AUDIT_BUCKET');
  return {
    audit: {
      store: new DynamoAuditStore({ tableName }),
      blobs: auditBlobs,
      signer: config.auditKeyId
        ? new KmsSigner({ keyId: config.auditKeyId })
        : unconfigured<Signer>('the audit signing key', 'REVERSA_AUDIT_KEY_ID'),
      retry: realRetry,
    },
    dossierSigner: config.dossierKeyId
      ? new KmsSigner({ keyId: config.dossierKeyId })
      : unconfigured<Signer>('the dossier signing key', 'REVERSA_DOSSIER_KEY_ID'),
    facts: new DynamoFactStore({ tableName }),
    strategies: new DynamoStrategyStore({ tableName }),
    reports: new DynamoReportStore({ tableName }),
    tenants: new DynamoTenantStore({ tableName }),
    restoreTests: new DynamoRestoreTestStore({ tableName }),
    findings: new DynamoFindingStore({ tableName }),
    blobs: new S3BlobStore({ bucket: required(config, 'dataBucket') }),
    events: new EventBridgePublisher({ eventBusName: required(config, 'eventBusName') }),
    clock: systemClock,
  };
}

/** The same DynamoDB/S3 adapters pointed at the local cloud; events go to a JSON-lines file. */
export function composeLocal(cloud: LocalCloud, clock: Clock = systemClock): Adapters {
  const dynamo = localDynamoClient(cloud.endpoints);
  const tableName = cloud.tableName;
  const s3 = localS3Client(cloud.endpoints);
  return {
    audit: {
      store: new DynamoAuditStore({ tableName, client: dynamo }),
      blobs: new S3BlobStore({ bucket: cloud.auditBucketName, client: s3 }),
      // Locally the signing keys are PEM files (0600) under the local cloud's home.
      signer: new FileSigner(join(cloud.home, 'keys', 'audit')),
      retry: realRetry,
    },
    dossierSigner: new FileSigner(join(cloud.home, 'keys', 'dossier')),
    facts: new DynamoFactStore({ tableName, client: dynamo }),
    strategies: new DynamoStrategyStore({ tableName, client: dynamo }),
    reports: new DynamoReportStore({ tableName, client: dynamo }),
    tenants: new DynamoTenantStore({ tableName, client: dynamo }),
    restoreTests: new DynamoRestoreTestStore({ tableName, client: dynamo }),
    findings: new DynamoFindingStore({ tableName, client: dynamo }),
    blobs: new S3BlobStore({ bucket: cloud.bucketName, client: s3 }),
    events: new FileEventPublisher(cloud.eventsFile, clock),
    clock,
  };
}
