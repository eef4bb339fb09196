import { describe, expect, it } from 'vitest';
import { applyVaultLocks, vaultsOf } from '#core/ingest/vault-lock.ts';
import type { FactBatch, RecoveryPoint } from '#core/model.ts';

const createdAt = Date.parse('2026-11-01T02:00:00Z');
function point(
  id: string,
  location: string | undefined,
  source: RecoveryPoint['source'] = 'aws-backup',
): RecoveryPoint {
  const p: RecoveryPoint = {
    tenantId: 'acme',
    source,
    recoveryPointId: id,
    resourceId: 'arn:aws:rds:eu-west-3:111122223333:db:orders',
    status: 'AVAILABLE',
    createdAt,
    accountId: '111122223333',
    region: 'eu-west-3',
    observedAt: createdAt,
  };
  if (location !== undefined) p.location = location;
  return p;
}
const batch = (...points: RecoveryPoint[]): FactBatch => ({ jobs: [], recoveryPoints: points, resources: [] });

describe('vault lock enrichment', () => {
  it('stamps points in a locked vault with vault-lock until createdAt + MinRetentionDays', () => {
    const out = applyVaultLocks(batch(point('rp1', 'locked-vault')), [
      { vaultName: 'locked-vault', accountId: '111122223333', region: 'eu-west-3', locked: true, minRetentionDays: 30 },
    ]);
    expect(out.recoveryPoints[0]?.lockMode).toBe('vault-lock');
    expect(out.recoveryPoints[0]?.immutableUntil).toBe(Date.parse('2026-12-01T02:00:00Z'));
  });

  it('leaves points in an unlocked vault, another account, or another source without a lock', () => {
    const out = applyVaultLocks(
      batch(point('rp1', 'open-vault'), point('rp2', 'locked-vault'), point('rp3', 'locked-vault', 'generic')),
      [
        { vaultName: 'open-vault', locked: false },
        {
          vaultName: 'locked-vault',
          accountId: '999999999999',
          region: 'eu-west-3',
          locked: true,
          minRetentionDays: 30,
        },
      ],
    );
    expect(out.recoveryPoints.map((p) => p.lockMode)).toEqual([undefined, undefined, undefined]);
  });

  it('lists each vault to look up once', () => {
    expect(vaultsOf(batch(point('a', 'v1'), point('b', 'v1'), point('c', 'v2'), point('d', undefined)))).toEqual([
      { vaultName: 'v1', accountId: '111122223333', region: 'eu-west-3' },
      { vaultName: 'v2', accountId: '111122223333', region: 'eu-west-3' },
    ]);
  });
});
