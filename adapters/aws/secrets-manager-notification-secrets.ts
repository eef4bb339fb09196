/**
 * Notification credentials in Secrets Manager: `reversa/<tenant>/notify/<name>`, tagged
 * `reversa:tenant=<id>` so the tenant-access role's tag condition covers them (and the escrow
 * carries them to a successor, who can keep the integrations running). Reads go through the
 * tenant-checked provider (DescribeSecret tag check, then GetSecretValue of that ARN).
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { NotificationSecrets } from '#core/notifications/ports.ts';
import { secretsManagerProvider } from './secrets-manager-provider.ts';
import { DEFAULT_TENANT_TAG, defaultPrefix, mapSecretsManagerError } from './secrets-manager-source.ts';

/** Names given by the CLI (`notify/<id>`) live under the tenant's prefix; a strategy may name any of its secrets. */
export const notificationSecretName = (tenantId: string, name: string) =>
  name.startsWith(defaultPrefix(tenantId)) ? name : `${defaultPrefix(tenantId)}${name}`;

export function secretsManagerNotificationSecrets(client: SecretsManagerClient): NotificationSecrets {
  return {
    async get(tenantId, name) {
      const provider = secretsManagerProvider(client, tenantId);
      try {
        return await provider.getSecret(notificationSecretName(tenantId, name));
      } catch (error) {
        // A strategy may name a secret by its full name (not under the tenant prefix).
        if ((error as { name?: string }).name !== 'NotFoundError') throw error;
        return provider.getSecret(name);
      }
    },
    async put(tenantId, name, value) {
      const id = notificationSecretName(tenantId, name);
      try {
        await client.send(
          new CreateSecretCommand({
            Name: id,
            SecretString: value,
            Description: 'Reversa notification channel credentials',
            Tags: [{ Key: DEFAULT_TENANT_TAG, Value: tenantId }],
          }),
        );
      } catch (error) {
        if ((error as { name?: string }).name !== 'ResourceExistsException') {
          throw mapSecretsManagerError(error, `CreateSecret of ${JSON.stringify(id)}`);
        }
        try {
          await client.send(new PutSecretValueCommand({ SecretId: id, SecretString: value }));
        } catch (inner) {
          throw mapSecretsManagerError(inner, `PutSecretValue of ${JSON.stringify(id)}`);
        }
      }
    },
    async delete(tenantId, name) {
      const id = notificationSecretName(tenantId, name);
      try {
        await client.send(new DeleteSecretCommand({ SecretId: id, RecoveryWindowInDays: 7 }));
      } catch (error) {
        const mapped = mapSecretsManagerError(error, `DeleteSecret of ${JSON.stringify(id)}`);
        if ((mapped as { name?: string }).name !== 'NotFoundError') throw mapped;
      }
    },
  };
}
