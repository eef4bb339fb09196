/**
 * The restic password provider on Secrets Manager: a tenant's restore tests read the secret their
 * strategy names (`restic.passwordSecret`). The secret must be the tenant's: its `reversa:tenant`
 * tag must equal the tenant being served, checked here (DescribeSecret, then GetSecretValue of
 * exactly the ARN described) and again by IAM (the tenant-access role may only read secrets whose
 * tag equals its session's tenant). A strategy naming another tenant's secret, by name or ARN, gets
 * a ConfigError and never its value. The value goes only to restic's environment; errors name the
 * secret and the AWS error, never a value.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { ConfigError, NotFoundError } from '#core/errors.ts';
import type { SecretProvider } from '#core/restore/restic.ts';
import { DEFAULT_TENANT_TAG, mapSecretsManagerError } from './secrets-manager-source.ts';

export function secretsManagerProvider(
  client: SecretsManagerClient,
  tenantId: string,
  tagKey: string = DEFAULT_TENANT_TAG,
): SecretProvider {
  return {
    async getSecret(name: string): Promise<string> {
      const what = `secret ${JSON.stringify(name)}`;
      let arn: string | undefined;
      let owner: string | undefined;
      try {
        const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
        arn = described.ARN;
        owner = described.Tags?.find((t) => t.Key === tagKey)?.Value;
      } catch (error) {
        throw mapSecretsManagerError(error, `DescribeSecret of ${what}`);
      }
      if (owner !== tenantId || arn === undefined) {
        throw new ConfigError(
          'SecretNotOfTenant',
          `${what} is not tenant ${tenantId}'s: its ${tagKey} tag is ${owner === undefined ? 'missing' : `'${owner}'`}`,
        );
      }
      let value: string | undefined;
      try {
        value = (await client.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
      } catch (error) {
        throw mapSecretsManagerError(error, `GetSecretValue of ${what}`);
      }
      if (value === undefined) throw new NotFoundError('NoSecretString', `${what} has no string value`);
      return value;
    },
  };
}
