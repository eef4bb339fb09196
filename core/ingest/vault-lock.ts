/**
 * AWS Backup Vault Lock is a property of the vault, not of the recovery point, and neither the
 * EventBridge events nor ListRecoveryPointsByResource say whether a point sits in a locked vault.
 * The ingesters therefore look the vault up (DescribeBackupVault) and stamp each point with what
 * the lock guarantees: it cannot be deleted before createdAt + MinRetentionDays.
 */
import type { FactBatch, RecoveryPoint } from '../model.ts';

export interface VaultLockState {
  vaultName: string;
  accountId?: string;
  region?: string;
  locked: boolean;
  /** Vault Lock's MinRetentionDays: no point can be deleted earlier. */
  minRetentionDays?: number;
}

const DAY_MS = 86_400_000;

function vaultKey(name: string, accountId?: string, region?: string): string {
  return `${accountId ?? '*'}/${region ?? '*'}/${name}`;
}

/** Points in a locked vault get lockMode 'vault-lock' and immutableUntil; others are left untouched. */
export function applyVaultLocks(batch: FactBatch, vaults: readonly VaultLockState[]): FactBatch {
  if (vaults.length === 0) return batch;
  const byKey = new Map<string, VaultLockState>();
  for (const v of vaults) byKey.set(vaultKey(v.vaultName, v.accountId, v.region), v);
  const lookup = (p: RecoveryPoint): VaultLockState | undefined =>
    p.location === undefined
      ? undefined
      : (byKey.get(vaultKey(p.location, p.accountId, p.region)) ?? byKey.get(vaultKey(p.location)));
  return {
    ...batch,
    recoveryPoints: batch.recoveryPoints.map((p) => {
      const v = p.source === 'aws-backup' ? lookup(p) : undefined;
      if (!v?.locked || v.minRetentionDays === undefined) return p;
      return { ...p, lockMode: 'vault-lock', immutableUntil: p.createdAt + v.minRetentionDays * DAY_MS };
    }),
  };
}

/** Vaults (name, account, region) the batch's AWS Backup points live in: what to look up. */
export function vaultsOf(batch: FactBatch): Array<{ vaultName: string; accountId?: string; region?: string }> {
  const seen = new Map<string, { vaultName: string; accountId?: string; region?: string }>();
  for (const p of batch.recoveryPoints) {
    if (p.source !== 'aws-backup' || p.location === undefined) continue;
    const key = vaultKey(p.location, p.accountId, p.region);
    if (!seen.has(key)) {
      const v: { vaultName: string; accountId?: string; region?: string } = { vaultName: p.location };
      if (p.accountId !== undefined) v.accountId = p.accountId;
      if (p.region !== undefined) v.region = p.region;
      seen.set(key, v);
    }
  }
  return [...seen.values()];
}
