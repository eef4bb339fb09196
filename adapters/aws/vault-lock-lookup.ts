/**
 * Reads Vault Lock state with DescribeBackupVault, cached per container: a vault's lock changes
 * rarely, and the event ingester would otherwise call it for every event.
 */
import {
  type BackupClient,
  DescribeBackupVaultCommand,
  type DescribeBackupVaultCommandOutput,
} from '@aws-sdk/client-backup';
import type { VaultLockState } from '#core/ingest/vault-lock.ts';
import { mapAwsBackupError } from './aws-backup-errors.ts';

const TTL_MS = 5 * 60_000;

export class VaultLockLookup {
  readonly #cache = new Map<string, { at: number; state: VaultLockState }>();
  constructor(
    private readonly client: BackupClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** Only vaults in the client's own account/region can be described; the others are skipped. */
  async describe(
    vaults: ReadonlyArray<{ vaultName: string; accountId?: string; region?: string }>,
    scope: { accountId: string; region: string },
  ): Promise<VaultLockState[]> {
    const out: VaultLockState[] = [];
    for (const v of vaults) {
      if ((v.accountId ?? scope.accountId) !== scope.accountId || (v.region ?? scope.region) !== scope.region) continue;
      const key = `${scope.accountId}/${scope.region}/${v.vaultName}`;
      const cached = this.#cache.get(key);
      if (cached && this.now() - cached.at < TTL_MS) {
        out.push(cached.state);
        continue;
      }
      let res: DescribeBackupVaultCommandOutput;
      try {
        res = await this.client.send(new DescribeBackupVaultCommand({ BackupVaultName: v.vaultName }));
      } catch (err) {
        throw mapAwsBackupError(err, 'DescribeBackupVault');
      }
      const state: VaultLockState = {
        vaultName: v.vaultName,
        accountId: scope.accountId,
        region: scope.region,
        locked: res.Locked === true,
      };
      if (res.MinRetentionDays !== undefined) state.minRetentionDays = res.MinRetentionDays;
      this.#cache.set(key, { at: this.now(), state });
      out.push(state);
    }
    return out;
  }
}
