/**
 * The restore-test workflow's Lambdas and the restic Fargate task on AWS (functions/restore/*):
 * S3 sandboxes under the data bucket (or the policy's bucket), archives read from S3, restic
 * passwords from Secrets Manager, and the aws-backup runner on the AWS Backup, DynamoDB, S3, RDS and
 * EC2 clients. Also the schedule dispatcher, which starts one execution per test by name.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupClient } from '@aws-sdk/client-backup';
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { awsBackupRunner } from '#adapters/aws/aws-backup-runner.ts';
import { sdkEc2Volumes } from '#adapters/aws/ec2-volumes.ts';
import { sdkRdsSandbox } from '#adapters/aws/rds-sandbox.ts';
import { S3ArchiveSource } from '#adapters/aws/s3-archive-source.ts';
import { S3Sandbox } from '#adapters/aws/s3-sandbox.ts';
import { secretsManagerProvider } from '#adapters/aws/secrets-manager-provider.ts';
import { SfnVerifyStarter } from '#adapters/aws/sfn-verify-starter.ts';
import { restoreAndVerifyRestic } from '#adapters/host/restic-runner.ts';
import { loadConfig } from '#config';
import type { dispatchScheduledTests, RestoreTestDeps } from '#core/use-cases/restore-test.ts';
import { perTenant, type TenantScoped } from '../tenant-scope.ts';
import { awsAdapters } from './adapters.ts';
import { baseClients, clientConfigOf } from './clients.ts';
import { tenantScope } from './tenant-credentials.ts';

/** What starting tests needs: the policy's resources and a starter (the use case's own StartDeps). */
export type DispatchDeps = Parameters<typeof dispatchScheduledTests>[0];

export function awsRestoreTestWiring(
  config = loadConfig(['tableName', 'dataBucket', 'eventBusName']),
): TenantScoped<RestoreTestDeps> {
  // The provider's own infrastructure (archive buckets a strategy names, AWS Backup, restored sandbox
  // resources) is reached with the function's role; Reversa's stores with the tenant's (tenantScope).
  const own = baseClients();
  const source = new S3ArchiveSource(own.s3);
  const awsBackup = awsBackupRunner({
    clients: {
      backup: new BackupClient({}),
      dynamodb: own.dynamodb,
      s3: own.s3,
      rds: sdkRdsSandbox(new RDSClient({})),
      ec2: sdkEc2Volumes(new EC2Client({})),
    },
    ...(config.restoreRoleArn === undefined ? {} : { restoreRoleArn: config.restoreRoleArn }),
  });
  return perTenant((tenantId): RestoreTestDeps => {
    const scope = tenantScope(config, tenantId);
    const adapters = awsAdapters(config, scope);
    const tenantS3 = adapters.clients.s3;
    const secretsManager = new SecretsManagerClient(clientConfigOf(scope));
    return {
      ...adapters,
      sandboxes: {
        forTest: (plan) => {
          const bucket = plan.runner === 'restic' ? config.dataBucket : (plan.sandbox.bucket ?? config.dataBucket);
          // restic restores to the Fargate task's ephemeral disk; see adapters/host/fs-sandbox.ts FsSandbox.at.
          const prefix =
            plan.runner === 'restic'
              ? `sandbox/${plan.tenantId}/${plan.testId}/`
              : `${plan.sandbox.prefix ?? `sandbox/${plan.tenantId}/`}${plan.testId}/`;
          return new S3Sandbox({ bucket, prefix, client: bucket === config.dataBucket ? tenantS3 : own.s3 });
        },
        directoryFor: (plan) => plan.sandbox.directory ?? join(tmpdir(), 'reversa-sandboxes', plan.testId),
      },
      archives: {
        openers: ({ bucket, key, manifestKey }, ref) =>
          source.openers({ bucket, key, ...(manifestKey === undefined ? {} : { manifestKey }) }, ref),
      },
      restic: { restoreAndVerify: (input) => restoreAndVerifyRestic(input) },
      awsBackup,
      secretsFor: (id) => secretsManagerProvider(secretsManager, id),
    };
  });
}

/** The dispatcher (target of every restore-test schedule): reads the policy's resources, starts executions by name. */
export function awsRestoreDispatchWiring(
  config = loadConfig(['tableName', 'dataBucket', 'eventBusName', 'restoreTestStateMachineArn']),
): TenantScoped<DispatchDeps> {
  // A generic StartExecution-by-name: ExecutionAlreadyExists means this test's slot already ran.
  const starter = new SfnVerifyStarter({
    stateMachineArn: config.restoreTestStateMachineArn,
    client: new SFNClient({}),
  });
  // The policy's resources are the tenant's data: read with the tenant's credentials.
  return perTenant((tenantId) => {
    const { strategies, facts } = awsAdapters(config, tenantScope(config, tenantId));
    return { strategies, facts, starter };
  });
}
