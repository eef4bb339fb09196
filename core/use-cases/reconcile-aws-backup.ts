/**
 * Scheduled reconciliation with the AWS Backup APIs, because EventBridge delivery is best effort:
 * for every tenant and every (account, region) its strategy lists, read the jobs created since the
 * stored cursor, store the facts, mark the tenant dirty when something new was found. Reading an
 * account is a port (adapters/aws/backup-reconciler.ts through the role the strategy names): a
 * target nothing may read (no role, not the deployment's own account) is skipped, never read with
 * the wrong credentials.
 */

import { NotFoundError } from '../errors.ts';
import type { FactBatch } from '../model.ts';
import type { BlobStore, Clock, FactStore, StrategyStore, TenantStore } from '../ports.ts';
import { awsBackupTargetsOf } from '../strategy/routing.ts';
import { parseStoredStrategy } from '../strategy/stored.ts';

/** How far back the first reconcile of an account looks: AWS Backup keeps job history about 30 days. */
export const FIRST_RECONCILE_LOOKBACK_MS = 30 * 24 * 3_600_000;

export const cursorKeyOf = (tenantId: string, accountId: string, region: string): string =>
  `runs/${tenantId}/reconcile/${accountId}-${region}.json`;

/** One (tenant, account, region) to read, with the role its strategy names, if any. */
export interface ReconcileTarget {
  tenantId: string;
  accountId: string;
  region: string;
  roleArn?: string;
}

/** Reads one target's jobs and recovery points created since `since`; `cursor` is the next `since`. */
export type BackupHistoryReader = (window: { since: number; now: number }) => Promise<{
  batch: FactBatch;
  cursor: number;
}>;

export interface ReconcileDeps {
  strategies: Pick<StrategyStore, 'listTenants' | 'getCurrent'>;
  facts: Pick<FactStore, 'putFacts'>;
  tenants: Pick<TenantStore, 'markDirty'>;
  blobs: Pick<BlobStore, 'getText' | 'putText'>;
  clock: Clock;
  /** The reader of one target, or undefined when nothing may read it (no role, not our account). */
  readerFor(target: ReconcileTarget): BackupHistoryReader | undefined;
  /**
   * The ports one tenant's facts and cursors are written with, bound to that tenant (default: the
   * ones above). Listing tenants spans them; writing needs only the tenant's own.
   */
  forTenant?: (tenantId: string) => Pick<ReconcileDeps, 'facts' | 'tenants' | 'blobs'>;
}

type TargetRef = { tenantId: string; accountId: string; region: string };

export interface ReconcileSummary {
  targets: number;
  written: number;
  /** One target failing (a revoked role, throttling) does not stop the others: its error is kept here. */
  failed: (TargetRef & { error: string; message: string })[];
  skipped: TargetRef[];
}

async function readCursor(blobs: ReconcileDeps['blobs'], key: string, fallback: number): Promise<number> {
  try {
    const { cursor } = JSON.parse(await blobs.getText(key, 4096)) as { cursor?: unknown };
    return typeof cursor === 'number' && Number.isFinite(cursor) ? cursor : fallback;
  } catch (error) {
    if (error instanceof NotFoundError) return fallback;
    throw error;
  }
}

async function reconcileTarget(deps: ReconcileDeps, target: ReconcileTarget, read: BackupHistoryReader) {
  const now = deps.clock.now();
  const ports = deps.forTenant?.(target.tenantId) ?? deps;
  const key = cursorKeyOf(target.tenantId, target.accountId, target.region);
  const since = await readCursor(ports.blobs, key, now - FIRST_RECONCILE_LOOKBACK_MS);
  const { batch, cursor } = await read({ since, now });
  const { written } = await ports.facts.putFacts(batch);
  if (written > 0) await ports.tenants.markDirty(target.tenantId, now);
  await ports.blobs.putText(key, JSON.stringify({ cursor }), 'application/json');
  return written;
}

export async function reconcileAllTenants(deps: ReconcileDeps): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = { targets: 0, written: 0, failed: [], skipped: [] };
  for (const tenantId of await deps.strategies.listTenants()) {
    const stored = await deps.strategies.getCurrent(tenantId);
    if (!stored) continue;
    const { document } = parseStoredStrategy(stored);
    for (const declared of awsBackupTargetsOf(document)) {
      for (const region of declared.regions) {
        summary.targets++;
        const ref = { tenantId, accountId: declared.accountId, region };
        const target: ReconcileTarget = declared.roleArn === undefined ? ref : { ...ref, roleArn: declared.roleArn };
        try {
          const read = deps.readerFor(target);
          if (!read) {
            summary.skipped.push(ref);
            continue;
          }
          summary.written += await reconcileTarget(deps, target, read);
        } catch (error) {
          const e = error instanceof Error ? error : undefined;
          summary.failed.push({ ...ref, error: e?.name ?? 'Error', message: e?.message ?? String(error) });
        }
      }
    }
  }
  return summary;
}
