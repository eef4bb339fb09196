/**
 * The AWS adapters the restore-test Lambdas (and the restic Fargate task) share, composed once per
 * container at module scope: S3 sandboxes under the data bucket (or the policy's bucket), archives
 * read from S3, restic passwords from Secrets Manager by name.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { S3ArchiveSource } from '#adapters/aws/s3-archive-source.ts';
import { S3Sandbox } from '#adapters/aws/s3-sandbox.ts';
import { composeAws } from '#adapters/compose.ts';
import { restoreAndVerifyRestic } from '#adapters/local/restic-runner.ts';
import { loadConfig } from '#config';
import { NotFoundError } from '#core/errors.ts';
import { awsBackupNotImplemented } from '#core/use-cases/restore-aws-backup.ts';
import type { RestoreTestDeps } from '#core/use-cases/restore-test.ts';

export function restoreDepsFromEnv(): RestoreTestDeps {
  const config = loadConfig(['tableName', 'dataBucket', 'eventBusName']);
  const adapters = composeAws(config);
  const s3 = new S3Client({});
  const source = new S3ArchiveSource(s3);
  const secretsManager = new SecretsManagerClient({});
  const local = (testId: string) => join(tmpdir(), 'reversa-sandboxes', testId);
  return {
    ...adapters,
    sandboxes: {
      forTest: (plan) =>
        plan.runner === 'restic'
          ? // restic restores to the Fargate task's ephemeral disk; see local/restore-runner.ts DirSandbox.
            new S3Sandbox({ bucket: config.dataBucket, prefix: `sandbox/${plan.tenantId}/${plan.testId}/`, client: s3 })
          : new S3Sandbox({
              bucket: plan.sandbox.bucket ?? config.dataBucket,
              prefix: `${plan.sandbox.prefix ?? `sandbox/${plan.tenantId}/`}${plan.testId}/`,
              client: s3,
            }),
      directoryFor: (plan) => plan.sandbox.directory ?? local(plan.testId),
    },
    archives: {
      openers: ({ bucket, key, manifestKey }, ref) =>
        source.openers({ bucket, key, ...(manifestKey === undefined ? {} : { manifestKey }) }, ref),
    },
    restic: { restoreAndVerify: (input) => restoreAndVerifyRestic(input) },
    // Bound to adapters/aws/aws-backup-restore.ts once the vault / resource type / role are in the plan.
    awsBackup: awsBackupNotImplemented,
    secretsFor: () => ({
      async getSecret(name: string): Promise<string> {
        const out = await secretsManager.send(new GetSecretValueCommand({ SecretId: name }));
        if (out.SecretString === undefined)
          throw new NotFoundError('NoSecretString', `secret ${name} has no string value`);
        return out.SecretString;
      },
    }),
  };
}
