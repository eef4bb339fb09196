/**
 * The restic password provider on Secrets Manager: a tenant's restore tests read the secret their
 * strategy names (`restic.passwordSecret`) with GetSecretValue. The value goes only to restic's
 * environment; errors name the secret and the AWS error, never a value.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { NotFoundError } from '#core/errors.ts';
import type { SecretProvider } from '#core/restore/restic.ts';
import { mapSecretsManagerError } from './secrets-manager-source.ts';

export function secretsManagerProvider(client: SecretsManagerClient, _tenantId: string): SecretProvider {
  return {
    async getSecret(name: string): Promise<string> {
      let value: string | undefined;
      try {
        value = (await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString;
      } catch (error) {
        throw mapSecretsManagerError(error, `GetSecretValue of ${JSON.stringify(name)}`);
      }
      if (value === undefined) throw new NotFoundError('NoSecretString', `secret ${name} has no string value`);
      return value;
    },
  };
}
