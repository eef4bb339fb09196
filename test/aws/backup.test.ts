/**
 * AWS Backup as far as moto implements it (docs/aws-emulator.md): DescribeBackupVault with a Vault Lock,
 * read by VaultLockLookup and by the reconciler, and the cross-account read of a client account through
 * backupClientFactory's real fromTemporaryCredentials against moto's STS (AssumeRole with the tenant id as
 * ExternalId). moto has no backup jobs, copy jobs, recovery points or restore jobs: the reconciler's List* calls
 * are answered by aws-sdk-client-mock here, DescribeBackupVault goes through to moto.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BackupClient,
  CreateBackupVaultCommand,
  DescribeBackupVaultCommand,
  ListBackupJobsCommand,
  ListCopyJobsCommand,
  ListRecoveryPointsByResourceCommand,
  PutBackupVaultLockConfigurationCommand,
} from '@aws-sdk/client-backup';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { backupClientFactory } from '#adapters/aws/backup-clients.ts';
import { reconcileAwsBackup } from '#adapters/aws/backup-reconciler.ts';
import { VaultLockLookup } from '#adapters/aws/vault-lock-lookup.ts';
import { MOTO_ACCOUNT_ID, MOTO_REGION, motoEndpoint, uniqueName } from './support.ts';

const CLIENT_ACCOUNT = '222233334444';

async function lockedVault(client: BackupClient, minRetentionDays: number): Promise<string> {
  const name = uniqueName('vault');
  await client.send(new CreateBackupVaultCommand({ BackupVaultName: name }));
  await client.send(
    new PutBackupVaultLockConfigurationCommand({
      BackupVaultName: name,
      MinRetentionDays: minRetentionDays,
      MaxRetentionDays: 3_650,
      ChangeableForDays: 3,
    }),
  );
  return name;
}

/**
 * A pass-through in front of moto's STS that keeps each request's form parameters: what a client account's
 * trust policy sees (moto itself does not evaluate trust policies). Set as AWS_ENDPOINT_URL_STS while `fn` runs.
 */
async function recordingSts<T>(fn: () => Promise<T>): Promise<{ result: T; requests: URLSearchParams[] }> {
  const requests: URLSearchParams[] = [];
  const server = createServer(async (req, res) => {
    const body = Buffer.concat(await req.toArray()).toString('utf8');
    requests.push(new URLSearchParams(body));
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'host'),
    );
    const answer = await fetch(`${motoEndpoint()}${req.url ?? '/'}`, { method: req.method ?? 'POST', headers, body });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/xml' });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const before = process.env.AWS_ENDPOINT_URL_STS;
  process.env.AWS_ENDPOINT_URL_STS = `http://127.0.0.1:${port}`;
  try {
    return { result: await fn(), requests };
  } finally {
    if (before === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
    else process.env.AWS_ENDPOINT_URL_STS = before;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('Vault Lock read from moto', () => {
  it('reports a locked vault with its minimum retention and an unlocked vault as unlocked', async () => {
    const client = new BackupClient({});
    const locked = await lockedVault(client, 35);
    const plain = uniqueName('vault');
    await client.send(new CreateBackupVaultCommand({ BackupVaultName: plain }));
    const scope = { accountId: MOTO_ACCOUNT_ID, region: MOTO_REGION };

    const states = await new VaultLockLookup(client).describe(
      [{ vaultName: locked }, { vaultName: plain }, { vaultName: 'elsewhere', accountId: '999999999999' }],
      scope,
    );

    expect(states).toEqual([
      { vaultName: locked, ...scope, locked: true, minRetentionDays: 35 },
      { vaultName: plain, ...scope, locked: false },
    ]);
  });

  it('stamps the reconciled recovery points of a locked vault as immutable until creation plus the minimum retention', async () => {
    const moto = new BackupClient({});
    const vault = await lockedVault(moto, 30);
    const client = new BackupClient({});
    const api = mockClient(client);
    // What moto lacks comes from the mock; DescribeBackupVault is sent to moto for real.
    api.on(DescribeBackupVaultCommand).callsFake((input) => moto.send(new DescribeBackupVaultCommand(input)));
    const table = `arn:aws:dynamodb:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:table/orders`;
    const point = `arn:aws:backup:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:recovery-point:${uniqueName('rp')}`;
    const created = new Date('2026-05-01T02:00:00Z');
    api.on(ListBackupJobsCommand).resolves({
      BackupJobs: [
        {
          BackupJobId: 'job-1',
          BackupVaultName: vault,
          BackupVaultArn: `arn:aws:backup:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:backup-vault:${vault}`,
          RecoveryPointArn: point,
          ResourceArn: table,
          ResourceType: 'DynamoDB',
          State: 'COMPLETED',
          CreationDate: created,
          CompletionDate: new Date('2026-05-01T02:01:00Z'),
        },
      ],
    });
    api.on(ListCopyJobsCommand).resolves({ CopyJobs: [] });
    api.on(ListRecoveryPointsByResourceCommand).resolves({
      RecoveryPoints: [{ RecoveryPointArn: point, BackupVaultName: vault, Status: 'COMPLETED', CreationDate: created }],
    });

    const { batch } = await reconcileAwsBackup(client, {
      tenantId: 'acme',
      accountId: MOTO_ACCOUNT_ID,
      region: MOTO_REGION,
      since: Date.parse('2026-05-01T00:00:00Z'),
      now: Date.parse('2026-05-01T06:00:00Z'),
    });

    expect(batch.recoveryPoints).toEqual([
      expect.objectContaining({
        recoveryPointId: point,
        lockMode: 'vault-lock',
        immutableUntil: created.getTime() + 30 * 86_400_000,
      }),
    ]);
    api.restore();
  });
});

describe("a client account read through moto's STS", () => {
  it('assumes the strategy role with the tenant id as ExternalId and reads the vaults of the client account', async () => {
    const tenantId = uniqueName('acme');
    const roleArn = `arn:aws:iam::${CLIENT_ACCOUNT}:role/ReversaReadBackup`;
    const backupClientFor = backupClientFactory({ ownAccountId: MOTO_ACCOUNT_ID });

    const own = backupClientFor({ tenantId, accountId: MOTO_ACCOUNT_ID, region: MOTO_REGION });
    const client = backupClientFor({
      tenantId,
      accountId: CLIENT_ACCOUNT,
      region: MOTO_REGION,
      roleArn,
    }) as BackupClient;

    const { result: vault, requests } = await recordingSts(() => lockedVault(client, 7));
    const described = await client.send(new DescribeBackupVaultCommand({ BackupVaultName: vault }));
    const states = await new VaultLockLookup(client).describe([{ vaultName: vault }], {
      accountId: CLIENT_ACCOUNT,
      region: MOTO_REGION,
    });

    // moto keeps accounts apart by the credentials' account: the vault exists in the client account only.
    expect(described.BackupVaultArn).toBe(`arn:aws:backup:${MOTO_REGION}:${CLIENT_ACCOUNT}:backup-vault:${vault}`);
    await expect(own?.send(new DescribeBackupVaultCommand({ BackupVaultName: vault }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect(states).toEqual([expect.objectContaining({ vaultName: vault, locked: true, minRetentionDays: 7 })]);
    expect(requests.map((r) => Object.fromEntries(r))).toEqual([
      expect.objectContaining({
        Action: 'AssumeRole',
        RoleArn: roleArn,
        RoleSessionName: `reversa-reconcile-${tenantId}`,
        ExternalId: tenantId,
      }),
    ]);
  });

  it('has no client for an account the strategy names no role for', () => {
    const backupClientFor = backupClientFactory({ ownAccountId: MOTO_ACCOUNT_ID });

    expect(backupClientFor({ tenantId: 'acme', accountId: CLIENT_ACCOUNT, region: MOTO_REGION })).toBeUndefined();
  });
});
