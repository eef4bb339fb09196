/**
 * EventBridge rule on `source: aws.backup` (backup, copy and recovery point state changes): route
 * the event to its tenant by AWS account, stamp recovery points of locked vaults with what Vault
 * Lock guarantees (like the reconciler), store the facts, mark the tenant dirty so the next sweep
 * verifies it. Idempotent on the event id: EventBridge delivers at least once.
 */
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { BackupClient } from '@aws-sdk/client-backup';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { VaultLockLookup } from '#adapters/aws/vault-lock-lookup.ts';
import { composeAws } from '#adapters/compose.ts';
import { loadConfig } from '#config';
import { TransientError } from '#core/errors.ts';
import { normaliseBackupEvent } from '#core/ingest/aws-backup-event.ts';
import { applyVaultLocks, type VaultLockState, vaultsOf } from '#core/ingest/vault-lock.ts';
import type { Clock, FactStore, TenantStore } from '#core/ports.ts';
import { describeError, logger, metrics, withPowertools } from '#functions/shared/powertools.ts';
import { lambdaScopeOf } from './backup-clients.ts';

export type BackupEventResult =
  | { status: 'stored'; tenantId: string; written: number; stale: number }
  | { status: 'ignored'; reason: string }
  | { status: 'unrouted'; account: string };

export interface BackupEventDeps {
  facts: FactStore;
  tenants: TenantStore;
  clock: Clock;
  /**
   * Vault Lock state of the vaults the event's points live in. Only vaults it can describe are returned (the
   * Lambda's own account and region); without it points are stored unstamped.
   */
  vaultLocks?: (vaults: ReturnType<typeof vaultsOf>) => Promise<VaultLockState[]>;
}

/** The use case: route, normalise, stamp Vault Lock, store, mark dirty. Exported for the local cloud and tests. */
export async function ingestBackupEvent(
  deps: BackupEventDeps,
  event: EventBridgeEvent<string, unknown>,
): Promise<BackupEventResult> {
  const account = typeof event?.account === 'string' ? event.account : '';
  const tenantId = account ? await deps.tenants.tenantForAwsAccount(account) : undefined;
  if (!tenantId) return { status: 'unrouted', account };
  const now = deps.clock.now();
  const normalised = normaliseBackupEvent(event, tenantId, now);
  if (normalised.ignored) return { status: 'ignored', reason: normalised.ignored.reason };
  const batch = await withVaultLocks(deps, normalised);
  const { written, stale } = await deps.facts.putFacts(batch);
  if (written > 0) await deps.tenants.markDirty(tenantId, now);
  return { status: 'stored', tenantId, written, stale };
}

async function withVaultLocks<B extends Parameters<typeof applyVaultLocks>[0]>(deps: BackupEventDeps, batch: B) {
  const vaults = vaultsOf(batch);
  if (!deps.vaultLocks || vaults.length === 0) return batch;
  try {
    return applyVaultLocks(batch, await deps.vaultLocks(vaults));
  } catch (error) {
    // Throttling: fail so the event is retried and stored stamped. Anything else (a denied describe) must not
    // lose the job: store it unstamped; the hourly reconcile stamps the point again.
    if (error instanceof TransientError) throw error;
    logger.warn('Vault Lock lookup failed; recovery points stored without it', { error: describeError(error) });
    return batch;
  }
}

const config = loadConfig(['tableName', 'dataBucket', 'eventBusName', 'idempotencyTableName']);
const adapters = composeAws(config);
// One lookup per container: its cache spares a DescribeBackupVault per event.
const vaultLockLookup = new VaultLockLookup(new BackupClient({}));
const persistenceStore = new DynamoDBPersistenceLayer({ tableName: config.idempotencyTableName });
const idempotency = new IdempotencyConfig({ eventKeyJmesPath: 'id', throwOnNoIdempotencyKey: true });

export const handler = withPowertools(async function backupEventHandler(
  event: EventBridgeEvent<string, unknown>,
  context: Context,
) {
  // Our own credentials can describe only our own account's vaults, in the region the function runs in.
  const scope = lambdaScopeOf(context?.invokedFunctionArn);
  const result = await ingestBackupEvent(
    scope === undefined ? adapters : { ...adapters, vaultLocks: (vaults) => vaultLockLookup.describe(vaults, scope) },
    event,
  );
  if (result.status === 'unrouted') {
    // Not an error: an account nobody declared (yet). Worth a warning, retrying would not help.
    logger.warn('AWS Backup event from an account no strategy declares', { account: result.account });
  }
  metrics.addMetric(`BackupEvent_${result.status}`, MetricUnit.Count, 1);
  return result;
}).use(makeHandlerIdempotent({ persistenceStore, config: idempotency }));
