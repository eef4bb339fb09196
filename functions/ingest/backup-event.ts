/**
 * EventBridge rule on `source: aws.backup` (backup, copy and recovery point state changes): route
 * the event to its tenant by AWS account, stamp recovery points of locked vaults with what Vault
 * Lock guarantees (like the reconciler), store the facts, mark the tenant dirty so the next sweep
 * verifies it. Idempotent on the event id: EventBridge delivers at least once.
 */
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { lambdaScopeOf } from '#adapters/aws/backup-clients.ts';
import { ingestBackupEvent } from '#core/use-cases/ingest-backup-event.ts';
import { describeError, logger, metrics, withPowertools } from '#functions/shared/powertools.ts';
import { awsBackupEventWiring } from '#wiring/aws/ingest.ts';

export {
  type BackupEventDeps,
  type BackupEventResult,
  ingestBackupEvent,
} from '#core/use-cases/ingest-backup-event.ts';

const { deps, vaultLocks, idempotency: persistenceStore } = awsBackupEventWiring();
const idempotency = new IdempotencyConfig({ eventKeyJmesPath: 'id', throwOnNoIdempotencyKey: true });

function onVaultLockLookupFailed(error: unknown): void {
  logger.warn('Vault Lock lookup failed; recovery points stored without it', { error: describeError(error) });
}

export const handler = withPowertools(async function backupEventHandler(
  event: EventBridgeEvent<string, unknown>,
  context: Context,
) {
  // Our own credentials can describe only our own account's vaults, in the region the function runs in.
  const scope = lambdaScopeOf(context?.invokedFunctionArn);
  const result = await ingestBackupEvent(
    scope === undefined
      ? { ...deps, onVaultLockLookupFailed }
      : { ...deps, onVaultLockLookupFailed, vaultLocks: (vaults) => vaultLocks.describe(vaults, scope) },
    event,
  );
  if (result.status === 'unrouted') {
    // Not an error: an account nobody declared (yet). Worth a warning, retrying would not help.
    logger.warn('AWS Backup event from an account no strategy declares', { account: result.account });
  }
  metrics.addMetric(`BackupEvent_${result.status}`, MetricUnit.Count, 1);
  return result;
}).use(makeHandlerIdempotent({ persistenceStore, config: idempotency }));
