/**
 * Ingestion on AWS: the AWS Backup event handler (with the Vault Lock lookup of the function's own
 * account), the S3 inbox handler, the scheduled reconciliation (cross-account through the roles the
 * strategies name), and the idempotency store the event-driven handlers share.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { BackupClient } from '@aws-sdk/client-backup';
import { backupClientFactory } from '#adapters/aws/backup-clients.ts';
import { reconcileAwsBackup } from '#adapters/aws/backup-reconciler.ts';
import { VaultLockLookup } from '#adapters/aws/vault-lock-lookup.ts';
import { loadConfig } from '#config';
import type { Clock } from '#core/ports.ts';
import type { BackupEventDeps } from '#core/use-cases/ingest-backup-event.ts';
import type { IngestDeps } from '#core/use-cases/ingest-report.ts';
import type { ReconcileDeps } from '#core/use-cases/reconcile-aws-backup.ts';
import { perTenant, type TenantScoped } from '../tenant-scope.ts';
import { awsAdapters } from './adapters.ts';
import { tenantScope } from './tenant-credentials.ts';

type IngestConfig = ReturnType<typeof loadConfig<'tableName' | 'dataBucket' | 'eventBusName' | 'idempotencyTableName'>>;

const ingestConfig = (): IngestConfig =>
  loadConfig(['tableName', 'dataBucket', 'eventBusName', 'idempotencyTableName']);

/** Powertools' idempotency records (keyed by event id / object key + ETag): deliveries are at least once. */
export function idempotencyStore(config: Pick<IngestConfig, 'idempotencyTableName'>): DynamoDBPersistenceLayer {
  return new DynamoDBPersistenceLayer({ tableName: config.idempotencyTableName });
}

export interface BackupEventWiring {
  /** Routing reads the account index with the function's role; the facts go in with the tenant's. */
  deps: Omit<BackupEventDeps, 'vaultLocks' | 'onVaultLockLookupFailed'>;
  /** Describes vaults of the function's own account and region (its credentials read nothing else). */
  vaultLocks: VaultLockLookup;
  idempotency: DynamoDBPersistenceLayer;
}

export function awsBackupEventWiring(config = ingestConfig()): BackupEventWiring {
  const adapters = awsAdapters(config);
  const tenants = perTenant((tenantId) => awsAdapters(config, tenantScope(config, tenantId)));
  return {
    deps: { ...adapters, forTenant: (tenantId) => tenants.forTenant(tenantId) },
    // One lookup per container: its cache spares a DescribeBackupVault per event.
    vaultLocks: new VaultLockLookup(new BackupClient({})),
    idempotency: idempotencyStore(config),
  };
}

/** The inbox handler ingests each object with the ports of the tenant its key names (inbox/<tenant>/…). */
export function awsInboxWiring(config = ingestConfig()): {
  deps: TenantScoped<IngestDeps & { clock: Clock }>;
  idempotency: DynamoDBPersistenceLayer;
} {
  return {
    deps: perTenant((tenantId) => awsAdapters(config, tenantScope(config, tenantId))),
    idempotency: idempotencyStore(config),
  };
}

/**
 * Reconciliation deps once the function knows its own account (from its invoked ARN): that account
 * is read with the function's credentials, client accounts through their ReversaReadBackup role.
 */
export function awsReconcileWiring(
  config = loadConfig(['tableName', 'dataBucket', 'eventBusName']),
): (ownAccountId: string) => ReconcileDeps {
  const adapters = awsAdapters(config);
  const tenants = perTenant((tenantId) => awsAdapters(config, tenantScope(config, tenantId)));
  return (ownAccountId) => {
    const clientFor = backupClientFactory({ ownAccountId });
    return {
      ...adapters,
      forTenant: (tenantId) => tenants.forTenant(tenantId),
      readerFor(target) {
        const client = clientFor(target);
        if (!client) return undefined;
        return ({ since, now }) =>
          reconcileAwsBackup(client, {
            tenantId: target.tenantId,
            accountId: target.accountId,
            region: target.region,
            since,
            now,
          });
      },
    };
  };
}
