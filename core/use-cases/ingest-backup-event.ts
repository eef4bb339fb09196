/**
 * One AWS Backup EventBridge event: route it to its tenant by AWS account, stamp recovery points of
 * locked vaults with what Vault Lock guarantees (like the reconciler), store the facts, mark the
 * tenant dirty so the next sweep verifies it.
 */
import { TransientError } from '../errors.ts';
import { normaliseBackupEvent } from '../ingest/aws-backup-event.ts';
import { applyVaultLocks, type VaultLockState, vaultsOf } from '../ingest/vault-lock.ts';
import type { Clock, FactStore, TenantStore } from '../ports.ts';

/** The EventBridge envelope fields this use case reads (the rest is the normaliser's business). */
export interface BackupEventEnvelope {
  account?: unknown;
}

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
  /** Told when a non-transient lookup failure made the points go in unstamped (the handler logs it). */
  onVaultLockLookupFailed?: (error: unknown) => void;
  /**
   * The ports the facts are written with once the event is routed, bound to its tenant (default:
   * `facts` and `tenants` above). Routing reads a cross-tenant index; writing needs only the tenant's.
   */
  forTenant?: (tenantId: string) => { facts: Pick<FactStore, 'putFacts'>; tenants: Pick<TenantStore, 'markDirty'> };
}

/** The use case: route, normalise, stamp Vault Lock, store, mark dirty. Exported for the local cloud and tests. */
export async function ingestBackupEvent(deps: BackupEventDeps, event: BackupEventEnvelope): Promise<BackupEventResult> {
  const account = typeof event?.account === 'string' ? event.account : '';
  const tenantId = account ? await deps.tenants.tenantForAwsAccount(account) : undefined;
  if (!tenantId) return { status: 'unrouted', account };
  const now = deps.clock.now();
  const normalised = normaliseBackupEvent(event, tenantId, now);
  if (normalised.ignored) return { status: 'ignored', reason: normalised.ignored.reason };
  const batch = await withVaultLocks(deps, normalised);
  const target = deps.forTenant?.(tenantId) ?? deps;
  const { written, stale } = await target.facts.putFacts(batch);
  if (written > 0) await target.tenants.markDirty(tenantId, now);
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
    deps.onVaultLockLookupFailed?.(error);
    return batch;
  }
}
