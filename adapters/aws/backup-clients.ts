/**
 * Which AWS Backup client reads which account. A client account is read through the role its strategy names
 * (sources.awsBackup.accounts[].roleArn), assumed with the tenant id as ExternalId so the client's trust policy can
 * require it (docs/deploy.md, ReversaReadBackup role); the function's own credentials only ever read the account
 * the function runs in. Any other account is not readable: the caller skips it with a warning.
 */
import { BackupClient, type BackupClientConfig } from '@aws-sdk/client-backup';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { ConfigError } from '#core/errors.ts';
import type { ReconcileTarget } from '#core/use-cases/reconcile-aws-backup.ts';

/** One (tenant, account, region) to read, with the role its strategy names, if any. */
export type BackupTarget = ReconcileTarget;

/** Account and region a Lambda runs in, from its invoked ARN (`arn:aws:lambda:<region>:<account>:function:<name>`). */
export function lambdaScopeOf(
  invokedFunctionArn: string | undefined,
): { accountId: string; region: string } | undefined {
  const m = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:/.exec(invokedFunctionArn ?? '');
  return m?.[1] && m[2] ? { region: m[1], accountId: m[2] } : undefined;
}

/** STS limits RoleSessionName to 64 characters; the full tenant id is still in the ExternalId and CloudTrail. */
export const roleSessionNameOf = (tenantId: string): string => `reversa-reconcile-${tenantId}`.slice(0, 64);

/** The AssumeRole parameters for one target: what a client's trust policy sees. */
export function assumeRoleParamsOf(target: BackupTarget & { roleArn: string }): {
  RoleArn: string;
  RoleSessionName: string;
  ExternalId: string;
} {
  const roleAccount = /^arn:aws[a-z-]*:iam::(\d{12}):role\//.exec(target.roleArn)?.[1];
  // A role elsewhere would read another account's jobs and attribute them to this tenant.
  if (roleAccount !== target.accountId) {
    throw new ConfigError(
      'ReadBackupRoleAccountMismatch',
      `tenant ${target.tenantId}: role ${target.roleArn} is not in account ${target.accountId}`,
    );
  }
  // STS refuses an ExternalId shorter than 2 characters; tenant ids may be 1.
  if (target.tenantId.length < 2) {
    throw new ConfigError('ExternalIdTooShort', `tenant id ${target.tenantId} is too short to serve as ExternalId`);
  }
  return { RoleArn: target.roleArn, RoleSessionName: roleSessionNameOf(target.tenantId), ExternalId: target.tenantId };
}

type Credentials = NonNullable<BackupClientConfig['credentials']>;

export interface BackupClientFactoryOptions {
  /** The account the function runs in: the only one read with its own credentials. */
  ownAccountId: string;
  /** Builds the client; tests inject one. Default: `new BackupClient(config)`. */
  createClient?: (config: BackupClientConfig) => BackupClient;
  /** Credentials of an assumed role; default: `fromTemporaryCredentials` (STS AssumeRole, refreshed before expiry). */
  assumeRole?: (params: ReturnType<typeof assumeRoleParamsOf>, region: string) => Credentials;
}

/**
 * `backupClientFor(target)`: a client for the target, cached per container (the SDK refreshes assumed credentials
 * itself), or undefined when the target names no role and is not the function's own account.
 */
export function backupClientFactory(
  options: BackupClientFactoryOptions,
): (target: BackupTarget) => BackupClient | undefined {
  const createClient = options.createClient ?? ((config: BackupClientConfig) => new BackupClient(config));
  const assumeRole =
    options.assumeRole ??
    ((params: ReturnType<typeof assumeRoleParamsOf>, region: string) =>
      fromTemporaryCredentials({ params, clientConfig: { region } }));
  const clients = new Map<string, BackupClient>();
  return (target) => {
    if (target.roleArn === undefined && target.accountId !== options.ownAccountId) return undefined;
    const key = JSON.stringify([target.tenantId, target.accountId, target.region, target.roleArn ?? null]);
    let client = clients.get(key);
    if (!client) {
      client =
        target.roleArn === undefined
          ? createClient({ region: target.region })
          : createClient({
              region: target.region,
              credentials: assumeRole(assumeRoleParamsOf({ ...target, roleArn: target.roleArn }), target.region),
            });
      clients.set(key, client);
    }
    return client;
  };
}
