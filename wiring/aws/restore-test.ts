/**
 * The restore-test workflow's Lambdas and the restic Fargate task on AWS (functions/restore/*):
 * S3 sandboxes under the data bucket (or the policy's bucket), archives read from S3, restic
 * passwords from Secrets Manager, and the aws-backup runner on the AWS Backup, DynamoDB and S3
 * clients. Also the schedule dispatcher, which starts one execution per test by name.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupClient } from '@aws-sdk/client-backup';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { awsBackupRunner } from '#adapters/aws/aws-backup-runner.ts';
import { S3ArchiveSource } from '#adapters/aws/s3-archive-source.ts';
import { S3Sandbox } from '#adapters/aws/s3-sandbox.ts';
import { secretsManagerProvider } from '#adapters/aws/secrets-manager-provider.ts';
import { SfnVerifyStarter } from '#adapters/aws/sfn-verify-starter.ts';
import { restoreAndVerifyRestic } from '#adapters/host/restic-runner.ts';
import { loadConfig } from '#config';
import type { dispatchScheduledTests, RestoreTestDeps } from '#core/use-cases/restore-test.ts';
import { perTenant, type TenantScoped } from '../tenant-scope.ts';
import { awsAdapters } from './adapters.ts';

/** What starting tests needs: the policy's resources and a starter (the use case's own StartDeps). */
export type DispatchDeps = Parameters<typeof dispatchScheduledTests>[0];

export function awsRestoreTestWiring(
  config = loadConfig(['tableName', 'dataBucket', 'eventBusName']),
): TenantScoped<RestoreTestDeps> {
  const adapters = awsAdapters(config);
  const { s3, dynamodb } = adapters.clients;
  const source = new S3ArchiveSource(s3);
  const secretsManager = new SecretsManagerClient({});
  const deps: RestoreTestDeps = {
    ...adapters,
    sandboxes: {
      forTest: (plan) =>
        plan.runner === 'restic'
          ? // restic restores to the Fargate task's ephemeral disk; see adapters/host/fs-sandbox.ts FsSandbox.at.
            new S3Sandbox({ bucket: config.dataBucket, prefix: `sandbox/${plan.tenantId}/${plan.testId}/`, client: s3 })
          : new S3Sandbox({
              bucket: plan.sandbox.bucket ?? config.dataBucket,
              prefix: `${plan.sandbox.prefix ?? `sandbox/${plan.tenantId}/`}${plan.testId}/`,
              client: s3,
            }),
      directoryFor: (plan) => plan.sandbox.directory ?? join(tmpdir(), 'reversa-sandboxes', plan.testId),
    },
    archives: {
      openers: ({ bucket, key, manifestKey }, ref) =>
        source.openers({ bucket, key, ...(manifestKey === undefined ? {} : { manifestKey }) }, ref),
    },
    restic: { restoreAndVerify: (input) => restoreAndVerifyRestic(input) },
    awsBackup: awsBackupRunner({
      clients: { backup: new BackupClient({}), dynamodb, s3 },
      ...(config.restoreRoleArn === undefined ? {} : { restoreRoleArn: config.restoreRoleArn }),
    }),
    secretsFor: (tenantId) => secretsManagerProvider(secretsManager, tenantId),
  };
  return perTenant(() => deps);
}

/** The dispatcher (target of every restore-test schedule): reads the policy's resources, starts executions by name. */
export function awsRestoreDispatchWiring(
  config = loadConfig(['tableName', 'dataBucket', 'eventBusName', 'restoreTestStateMachineArn']),
): TenantScoped<DispatchDeps> {
  const adapters = awsAdapters(config);
  // A generic StartExecution-by-name: ExecutionAlreadyExists means this test's slot already ran.
  const starter = new SfnVerifyStarter({
    stateMachineArn: config.restoreTestStateMachineArn,
    client: new SFNClient({}),
  });
  return perTenant(() => ({ strategies: adapters.strategies, facts: adapters.facts, starter }));
}
