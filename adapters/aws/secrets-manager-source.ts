/**
 * SecretSource on AWS Secrets Manager. A tenant's secrets are selected by tag (default:
 * `reversa:tenant=<id>`) or by name prefix (`reversa/<tenant>/`). ListSecrets filters are
 * pre-filters only (tag-key and tag-value match independently, name matches by prefix of any
 * word), so each listed secret is checked again here before it is counted as the tenant's.
 *
 * Values are read with GetSecretValue at the listed version (the AWSCURRENT VersionId), so the
 * escrow's manifest names exactly the version it holds. SecretBinary is adopted as is; a
 * SecretString is encoded to UTF-8 bytes (the SDK's string itself cannot be wiped).
 *
 * Errors name the secret and the AWS error name, never a value: throttling and 5xx become
 * TransientError (the workflow retries), access problems ConfigError, missing secrets NotFoundError.
 */
import {
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  ListSecretsCommand,
  type ListSecretsCommandInput,
  type ListSecretsCommandOutput,
  type SecretListEntry,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { ConfigError, InternalError, NotFoundError, TransientError } from '#core/errors.ts';
import { type SecretRef, type SecretSource, SecretValue } from '#core/secrets/ports.ts';
import { classifySdkError } from './sdk-errors.ts';

export const DEFAULT_TENANT_TAG = 'reversa:tenant';
export const defaultPrefix = (tenantId: string) => `reversa/${tenantId}/`;

export type SecretSelector = { by: 'tag'; tagKey?: string } | { by: 'prefix'; prefix?: (tenantId: string) => string };

export interface SecretsManagerSourceOptions {
  client?: SecretsManagerClient;
  /** How a tenant's secrets are found; default by tag `reversa:tenant=<id>`. */
  select?: SecretSelector;
}

/** Secrets Manager's own "not there": deleted, scheduled for deletion or disabled secrets answer InvalidRequest. */
const SECRET_GONE = new Set(['ResourceNotFoundException', 'InvalidRequestException']);

/**
 * Maps an SDK failure to our error classes. Only the error's name and request id are echoed, and
 * the SDK error is not attached as `cause`: its message and fields are not ours to vouch for.
 */
export function mapSecretsManagerError(error: unknown, what: string): unknown {
  if (!(error instanceof Error)) return error;
  const facts = classifySdkError(error);
  const name = facts.requestId ? `${error.name}, request ${facts.requestId}` : error.name;
  if (facts.kind === 'transient') {
    return new TransientError('SecretsManagerUnavailable', `Secrets Manager ${what} failed (${name}); retry later`);
  }
  if (facts.kind === 'access-denied' || error.name === 'DecryptionFailure') {
    return new ConfigError(
      'SecretsManagerAccessDenied',
      `Secrets Manager ${what} was refused (${name}): check the role's secretsmanager:ListSecrets/GetSecretValue and kms:Decrypt permissions`,
    );
  }
  if (SECRET_GONE.has(error.name)) {
    return new NotFoundError(
      'SecretNotFound',
      `Secrets Manager ${what}: the secret is gone, deleted or disabled (${name})`,
    );
  }
  if (!facts.fromSdk) return error;
  return new InternalError('SecretsManagerFailed', `Secrets Manager ${what} failed (${name})`);
}

function currentVersion(entry: SecretListEntry): string | undefined {
  const versions = entry.SecretVersionsToStages ?? {};
  return Object.keys(versions).find((id) => versions[id]?.includes('AWSCURRENT'));
}

export class SecretsManagerSource implements SecretSource {
  private readonly client: SecretsManagerClient;
  private readonly select: SecretSelector;

  constructor(options: SecretsManagerSourceOptions = {}) {
    this.client = options.client ?? new SecretsManagerClient({});
    this.select = options.select ?? { by: 'tag' };
  }

  async *list(tenantId: string): AsyncIterable<SecretRef> {
    const { filters, belongs } = this.selection(tenantId);
    let nextToken: string | undefined;
    do {
      const input: ListSecretsCommandInput = {
        Filters: filters,
        MaxResults: 100,
        IncludePlannedDeletion: false,
        ...(nextToken === undefined ? {} : { NextToken: nextToken }),
      };
      let page: ListSecretsCommandOutput;
      try {
        page = await this.client.send(new ListSecretsCommand(input));
      } catch (error) {
        throw mapSecretsManagerError(error, `ListSecrets for tenant ${tenantId}`);
      }
      for (const entry of page.SecretList ?? []) {
        if (entry.Name === undefined || entry.DeletedDate !== undefined || !belongs(entry)) continue;
        const version = currentVersion(entry);
        const tags = Object.fromEntries((entry.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
        yield {
          name: entry.Name,
          ...(version === undefined ? {} : { version }),
          ...(entry.LastChangedDate === undefined ? {} : { lastChangedAt: entry.LastChangedDate.getTime() }),
          ...(entry.Tags === undefined ? {} : { tags }),
          ...(entry.ARN === undefined ? {} : { locator: entry.ARN }),
        };
      }
      nextToken = page.NextToken;
    } while (nextToken);
  }

  async read(ref: SecretRef): Promise<SecretValue> {
    const what = `GetSecretValue of ${JSON.stringify(ref.name)}`;
    let out: GetSecretValueCommandOutput;
    try {
      out = await this.client.send(
        new GetSecretValueCommand({
          SecretId: ref.locator ?? ref.name,
          ...(ref.version === undefined ? {} : { VersionId: ref.version }),
        }),
      );
    } catch (error) {
      throw mapSecretsManagerError(error, what);
    }
    if (out.SecretBinary !== undefined) return SecretValue.adopt(out.SecretBinary);
    if (out.SecretString !== undefined) return SecretValue.fromUtf8(out.SecretString);
    throw new NotFoundError('SecretEmpty', `Secrets Manager ${what}: the version has no value`);
  }

  private selection(tenantId: string) {
    if (this.select.by === 'prefix') {
      const prefix = (this.select.prefix ?? defaultPrefix)(tenantId);
      return {
        filters: [{ Key: 'name' as const, Values: [prefix] }],
        belongs: (entry: SecretListEntry) => entry.Name?.startsWith(prefix) === true,
      };
    }
    const tagKey = this.select.tagKey ?? DEFAULT_TENANT_TAG;
    return {
      filters: [
        { Key: 'tag-key' as const, Values: [tagKey] },
        { Key: 'tag-value' as const, Values: [tenantId] },
      ],
      belongs: (entry: SecretListEntry) => (entry.Tags ?? []).some((t) => t.Key === tagKey && t.Value === tenantId),
    };
  }
}
