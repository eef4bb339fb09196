/**
 * The shared adapters on AWS (was adapters/compose.ts composeAws): DynamoDB stores on the main
 * table, the data and audit buckets, the event bus and the KMS signing keys, all on one set of
 * clients. Ports whose configuration is absent fail on first use, naming the missing variable, so a
 * function that never signs need not be configured with a key.
 */
import { EventBridgePublisher } from '#adapters/aws/eventbridge-publisher.ts';
import { KmsSigner } from '#adapters/aws/kms-signer.ts';
import { S3BlobStore } from '#adapters/aws/s3-blob-store.ts';
import { CONFIG_ENV, type Config, type ConfigKey } from '#config';
import type { Signer } from '#core/audit/ports.ts';
import { ConfigError } from '#core/errors.ts';
import { busEventSink } from '#core/notifications/bus.ts';
import { systemClock } from '#core/ports.ts';
import type { Adapters } from '../adapters.ts';
import { realRetry } from '../retry.ts';
import { tableStores } from '../table-stores.ts';
import { type AwsScope, type BaseClients, baseClients } from './clients.ts';

function required(config: Config, key: ConfigKey): string {
  const value = config[key];
  if (!value) throw new ConfigError('MissingConfig', `missing environment variable ${CONFIG_ENV[key]}`);
  return value;
}

/** A port whose configuration is absent: fails on first use, naming what is missing. */
export function unconfigured<T extends object>(what: string, key: ConfigKey): T {
  return new Proxy({} as T, {
    get() {
      throw new ConfigError('MissingConfig', `${what} is not configured (${CONFIG_ENV[key]})`);
    },
  });
}

export interface AwsAdapters extends Adapters {
  /** The clients these adapters use, for the workflow factories that add more adapters on them. */
  clients: BaseClients;
}

export function awsAdapters(config: Config, scope: AwsScope = {}): AwsAdapters {
  const clients = baseClients(scope);
  const tableName = required(config, 'tableName');
  const { auditStore, stores } = tableStores({ tableName, client: clients.dynamodb });
  const signer = (key: 'auditKeyId' | 'dossierKeyId', what: string): Signer => {
    const keyId = config[key];
    return keyId ? new KmsSigner({ keyId, client: clients.kms }) : unconfigured<Signer>(what, key);
  };
  const events = new EventBridgePublisher({ eventBusName: required(config, 'eventBusName'), client: clients.events });
  return {
    clients,
    audit: {
      store: auditStore,
      blobs: config.auditBucket
        ? new S3BlobStore({ bucket: config.auditBucket, client: clients.s3 })
        : unconfigured<S3BlobStore>('the audit bucket', 'auditBucket'),
      signer: signer('auditKeyId', 'the audit signing key'),
      retry: realRetry,
    },
    dossierSigner: signer('dossierKeyId', 'the dossier signing key'),
    ...stores,
    blobs: new S3BlobStore({ bucket: required(config, 'dataBucket'), client: clients.s3 }),
    events,
    notifications: busEventSink(events),
    clock: systemClock,
  };
}
