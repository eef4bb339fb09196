/**
 * Scheduled reconciliation with the AWS Backup APIs, because EventBridge delivery is best effort:
 * for every tenant and every (account, region) its strategy lists, read the jobs created since the
 * stored cursor, store the facts, mark the tenant dirty when something new was found. Client
 * accounts are read through the role the strategy names (see backup-clients.ts).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { BackupClient } from '@aws-sdk/client-backup';
import type { Context } from 'aws-lambda';
import { reconcileAwsBackup } from '#adapters/aws/backup-reconciler.ts';
import { type Adapters, composeAws } from '#adapters/compose.ts';
import { loadConfig } from '#config';
import { ConfigError, NotFoundError } from '#core/errors.ts';
import type { BlobStore, Clock, FactStore, StrategyStore, TenantStore } from '#core/ports.ts';
import { parseStrategy } from '#core/strategy/parse.ts';
import { awsBackupTargetsOf } from '#core/strategy/routing.ts';
import { describeError, logger, metrics, withPowertools } from '#functions/shared/powertools.ts';
import { type BackupTarget, backupClientFactory, lambdaScopeOf } from './backup-clients.ts';

/** How far back the first reconcile of an account looks: AWS Backup keeps job history about 30 days. */
export const FIRST_RECONCILE_LOOKBACK_MS = 30 * 24 * 3_600_000;

export const cursorKeyOf = (tenantId: string, accountId: string, region: string): string =>
  `runs/${tenantId}/reconcile/${accountId}-${region}.json`;

export interface ReconcileDeps {
  strategies: StrategyStore;
  facts: FactStore;
  tenants: TenantStore;
  blobs: BlobStore;
  clock: Clock;
  /** The client reading one target, or undefined when nothing may read it (no role, not our account): skipped. */
  backupClientFor(target: BackupTarget): BackupClient | undefined;
}

export interface ReconcileSummary {
  targets: number;
  written: number;
  failed: { tenantId: string; accountId: string; region: string; error: string }[];
  skipped: { tenantId: string; accountId: string; region: string }[];
}

async function readCursor(blobs: BlobStore, key: string, fallback: number): Promise<number> {
  try {
    const { cursor } = JSON.parse(await blobs.getText(key, 4096)) as { cursor?: unknown };
    return typeof cursor === 'number' && Number.isFinite(cursor) ? cursor : fallback;
  } catch (error) {
    if (error instanceof NotFoundError) return fallback;
    throw error;
  }
}

/** One target failing (a revoked role, throttling) must not stop the others: failures are collected. */
export async function reconcileAllTenants(deps: ReconcileDeps): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = { targets: 0, written: 0, failed: [], skipped: [] };
  for (const tenantId of await deps.strategies.listTenants()) {
    const stored = await deps.strategies.getCurrent(tenantId);
    if (!stored) continue;
    const { document } = parseStrategy(stored.source, stored.fileName);
    for (const target of awsBackupTargetsOf(document)) {
      for (const region of target.regions) {
        summary.targets++;
        const now = deps.clock.now();
        const key = cursorKeyOf(tenantId, target.accountId, region);
        try {
          const client = deps.backupClientFor({ ...target, tenantId, region });
          if (!client) {
            // Reading a client account with our own credentials would fail or, worse, read the wrong account.
            summary.skipped.push({ tenantId, accountId: target.accountId, region });
            logger.warn('reconcile skipped: the strategy names no roleArn for an account other than ours', {
              tenantId,
              accountId: target.accountId,
              region,
            });
            continue;
          }
          const since = await readCursor(deps.blobs, key, now - FIRST_RECONCILE_LOOKBACK_MS);
          const { batch, cursor } = await reconcileAwsBackup(client, {
            tenantId,
            accountId: target.accountId,
            region,
            since,
            now,
          });
          const { written } = await deps.facts.putFacts(batch);
          if (written > 0) await deps.tenants.markDirty(tenantId, now);
          await deps.blobs.putText(key, JSON.stringify({ cursor }), 'application/json');
          summary.written += written;
        } catch (error) {
          const e = describeError(error);
          summary.failed.push({ tenantId, accountId: target.accountId, region, error: String(e.name) });
          logger.error('reconcile failed', { tenantId, accountId: target.accountId, region, error: e });
        }
      }
    }
  }
  return summary;
}

const adapters: Adapters = composeAws(loadConfig(['tableName', 'dataBucket', 'eventBusName']));
// Built on the first invocation: the function's own account is only known from its invoked ARN.
let backupClientFor: ((target: BackupTarget) => BackupClient | undefined) | undefined;

export const handler = withPowertools(async function reconcileHandler(_event: unknown, context: Context) {
  if (!backupClientFor) {
    const own = lambdaScopeOf(context?.invokedFunctionArn);
    if (!own) throw new ConfigError('UnknownOwnAccount', 'cannot read the account from the invoked function ARN');
    backupClientFor = backupClientFactory({ ownAccountId: own.accountId });
  }
  const summary = await reconcileAllTenants({ ...adapters, backupClientFor });
  metrics.addMetric('ReconcileTargets', MetricUnit.Count, summary.targets);
  metrics.addMetric('ReconcileFailures', MetricUnit.Count, summary.failed.length);
  metrics.addMetric('ReconcileSkipped', MetricUnit.Count, summary.skipped.length);
  metrics.addMetric('ReconcileRecordsWritten', MetricUnit.Count, summary.written);
  return {
    targets: summary.targets,
    written: summary.written,
    failed: summary.failed.length,
    skipped: summary.skipped.length,
  };
});
