/**
 * Scheduled reconciliation with the AWS Backup APIs, because EventBridge delivery is best effort:
 * for every tenant and every (account, region) its strategy lists, read the jobs created since the
 * stored cursor, store the facts, mark the tenant dirty when something new was found.
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { BackupClient } from '@aws-sdk/client-backup';
import { reconcileAwsBackup } from '#adapters/aws/backup-reconciler.ts';
import { composeAws } from '#adapters/compose.ts';
import { loadConfig } from '#config';
import { NotFoundError } from '#core/errors.ts';
import type { BlobStore, Clock, FactStore, StrategyStore, TenantStore } from '#core/ports.ts';
import { parseStrategy } from '#core/strategy/parse.ts';
import { awsBackupTargetsOf } from '#core/strategy/routing.ts';
import { describeError, logger, metrics, withPowertools } from '#functions/shared/powertools.ts';

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
  backupClientFor(target: { accountId: string; region: string; roleArn?: string }): BackupClient;
}

export interface ReconcileSummary {
  targets: number;
  written: number;
  failed: { tenantId: string; accountId: string; region: string; error: string }[];
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
  const summary: ReconcileSummary = { targets: 0, written: 0, failed: [] };
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
          const since = await readCursor(deps.blobs, key, now - FIRST_RECONCILE_LOOKBACK_MS);
          const client = deps.backupClientFor({ ...target, region });
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

const config = loadConfig(['tableName', 'dataBucket', 'eventBusName']);
const adapters = composeAws(config);
const clients = new Map<string, BackupClient>();

export const handler = withPowertools(async function reconcileHandler() {
  const summary = await reconcileAllTenants({
    ...adapters,
    // Cross-account role assumption (target.roleArn) needs an STS credential provider, not wired yet:
    // the function's own role is used, which covers the deployment account.
    backupClientFor: ({ region }) => {
      let client = clients.get(region);
      if (!client) {
        client = new BackupClient({ region });
        clients.set(region, client);
      }
      return client;
    },
  });
  metrics.addMetric('ReconcileTargets', MetricUnit.Count, summary.targets);
  metrics.addMetric('ReconcileFailures', MetricUnit.Count, summary.failed.length);
  metrics.addMetric('ReconcileRecordsWritten', MetricUnit.Count, summary.written);
  return { targets: summary.targets, written: summary.written, failed: summary.failed.length };
});
