/**
 * The one composition root: the only place that decides between AWS and local adapters.
 * Handlers call composeAws(loadConfig([...])); the CLI, demo and tests call composeLocal(cloud).
 * Each adapter file is imported per service so a Lambda bundle only carries the SDK clients it uses.
 */
import type { Config } from '#config';
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
import type { LocalCloud } from '#local/cloud.ts';
import { DynamoFactStore } from './aws/dynamo-fact-store.ts';
import { DynamoReportStore } from './aws/dynamo-report-store.ts';
import { DynamoStrategyStore } from './aws/dynamo-strategy-store.ts';
import { DynamoTenantStore } from './aws/dynamo-tenant-store.ts';
import { EventBridgePublisher } from './aws/eventbridge-publisher.ts';
import { S3BlobStore } from './aws/s3-blob-store.ts';
import { FileEventPublisher } from './local/file-event-publisher.ts';
import { localDynamoClient, localS3Client } from './local/local-clients.ts';

export interface Adapters {
  facts: FactStore;
  strategies: StrategyStore;
  reports: ReportStore;
  tenants: TenantStore;
  blobs: BlobStore;
  events: EventPublisher;
  clock: Clock;
  /** Wired by the workflow layer (Step Functions in AWS, the in-process ASL runner locally). */
  verify?: VerifyStarter;
}

function required(config: Config, key: keyof Config): string {
  const value = config[key];
  if (!value) throw new ConfigError('MissingConfig', `composeAws needs config.${key}`);
  return value;
}

/** AWS adapters with default SDK clients (region and credentials from the Lambda environment). */
export function composeAws(config: Config): Adapters {
  const tableName = required(config, 'tableName');
  return {
    facts: new DynamoFactStore({ tableName }),
    strategies: new DynamoStrategyStore({ tableName }),
    reports: new DynamoReportStore({ tableName }),
    tenants: new DynamoTenantStore({ tableName }),
    blobs: new S3BlobStore({ bucket: required(config, 'dataBucket') }),
    events: new EventBridgePublisher({ eventBusName: required(config, 'eventBusName') }),
    clock: systemClock,
  };
}

/** The same DynamoDB/S3 adapters pointed at the local cloud; events go to a JSON-lines file. */
export function composeLocal(cloud: LocalCloud, clock: Clock = systemClock): Adapters {
  const dynamo = localDynamoClient(cloud.endpoints);
  const tableName = cloud.tableName;
  return {
    facts: new DynamoFactStore({ tableName, client: dynamo }),
    strategies: new DynamoStrategyStore({ tableName, client: dynamo }),
    reports: new DynamoReportStore({ tableName, client: dynamo }),
    tenants: new DynamoTenantStore({ tableName, client: dynamo }),
    blobs: new S3BlobStore({ bucket: cloud.bucketName, client: localS3Client(cloud.endpoints) }),
    events: new FileEventPublisher(cloud.eventsFile, clock),
    clock,
  };
}
