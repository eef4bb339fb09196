/**
 * EventBridge rule on `source: aws.backup` (backup, copy and recovery point state changes): route
 * the event to its tenant by AWS account, store its facts, mark the tenant dirty so the next sweep
 * verifies it. Idempotent on the event id: EventBridge delivers at least once.
 */
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EventBridgeEvent } from 'aws-lambda';
import { composeAws } from '#adapters/compose.ts';
import { loadConfig } from '#config';
import { normaliseBackupEvent } from '#core/ingest/aws-backup-event.ts';
import type { Clock, FactStore, TenantStore } from '#core/ports.ts';
import { logger, metrics, withPowertools } from '#functions/shared/powertools.ts';

export type BackupEventResult =
  | { status: 'stored'; tenantId: string; written: number; stale: number }
  | { status: 'ignored'; reason: string }
  | { status: 'unrouted'; account: string };

/** The use case: route, normalise, store, mark dirty. Exported for the local cloud and tests. */
export async function ingestBackupEvent(
  deps: { facts: FactStore; tenants: TenantStore; clock: Clock },
  event: EventBridgeEvent<string, unknown>,
): Promise<BackupEventResult> {
  const account = typeof event?.account === 'string' ? event.account : '';
  const tenantId = account ? await deps.tenants.tenantForAwsAccount(account) : undefined;
  if (!tenantId) return { status: 'unrouted', account };
  const now = deps.clock.now();
  const normalised = normaliseBackupEvent(event, tenantId, now);
  if (normalised.ignored) return { status: 'ignored', reason: normalised.ignored.reason };
  const { written, stale } = await deps.facts.putFacts(normalised);
  if (written > 0) await deps.tenants.markDirty(tenantId, now);
  return { status: 'stored', tenantId, written, stale };
}

const config = loadConfig(['tableName', 'dataBucket', 'eventBusName', 'idempotencyTableName']);
const adapters = composeAws(config);
const persistenceStore = new DynamoDBPersistenceLayer({ tableName: config.idempotencyTableName });
const idempotency = new IdempotencyConfig({ eventKeyJmesPath: 'id', throwOnNoIdempotencyKey: true });

export const handler = withPowertools(async function backupEventHandler(event: EventBridgeEvent<string, unknown>) {
  const result = await ingestBackupEvent(adapters, event);
  if (result.status === 'unrouted') {
    // Not an error: an account nobody declared (yet). Worth a warning, retrying would not help.
    logger.warn('AWS Backup event from an account no strategy declares', { account: result.account });
  }
  metrics.addMetric(`BackupEvent_${result.status}`, MetricUnit.Count, 1);
  return result;
}).use(makeHandlerIdempotent({ persistenceStore, config: idempotency }));
