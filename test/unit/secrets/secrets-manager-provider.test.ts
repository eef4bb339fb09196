import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { secretsManagerProvider } from '#adapters/aws/secrets-manager-provider.ts';

const sm = mockClient(SecretsManagerClient);
afterEach(() => sm.reset());

const ARN_B = 'arn:aws:secretsmanager:eu-west-3:111122223333:secret:reversa/tenant-b/restic-AbCdEf';

describe('restic passwords from Secrets Manager', () => {
  it("reads the tenant's own secret, by the ARN it described", async () => {
    sm.on(DescribeSecretCommand, { SecretId: 'restic/web-01' }).resolves({
      ARN: 'arn:aws:secretsmanager:eu-west-3:111122223333:secret:restic/web-01-XyZ',
      Tags: [{ Key: 'reversa:tenant', Value: 'tenant-a' }],
    });
    sm.on(GetSecretValueCommand, {
      SecretId: 'arn:aws:secretsmanager:eu-west-3:111122223333:secret:restic/web-01-XyZ',
    }).resolves({ SecretString: 'correct horse' });

    const value = await secretsManagerProvider(new SecretsManagerClient({}), 'tenant-a').getSecret('restic/web-01');

    expect(value).toBe('correct horse');
  });

  it("refuses another tenant's secret named by ARN, and never reads its value", async () => {
    sm.on(DescribeSecretCommand).resolves({ ARN: ARN_B, Tags: [{ Key: 'reversa:tenant', Value: 'tenant-b' }] });
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'tenant b password' });

    const read = secretsManagerProvider(new SecretsManagerClient({}), 'tenant-a').getSecret(ARN_B);

    await expect(read).rejects.toMatchObject({ name: 'ConfigError', code: 'SecretNotOfTenant' });
    await expect(read).rejects.toThrow(/is not tenant tenant-a's: its reversa:tenant tag is 'tenant-b'/);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('refuses an untagged secret', async () => {
    sm.on(DescribeSecretCommand).resolves({ ARN: ARN_B, Tags: [] });

    await expect(
      secretsManagerProvider(new SecretsManagerClient({}), 'tenant-a').getSecret('shared/password'),
    ).rejects.toThrow(/tag is missing/);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });
});
