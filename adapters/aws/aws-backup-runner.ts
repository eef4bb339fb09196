/**
 * The aws-backup restore-test runner as the use case's AwsBackupRestorePort: StartRestoreJob with the
 * point's vault metadata and the sandbox overrides, DescribeRestoreJob polls, validation by resource
 * type followed by PutRestoreValidationResult, and the marker-guarded deletion of the restored
 * resource. The SDK calls themselves are in aws-backup-restore.ts and aws-backup-validators.ts.
 */
import { DescribeBackupCommand } from '@aws-sdk/client-dynamodb';
import { CONFIG_ENV } from '#config';
import { ConfigError, ReversaError, ValidationError } from '#core/errors.ts';
import { resourceNameFromArn, validationMessageOf, validationStatusOf } from '#core/restore/aws-backup.ts';
import type { AwsBackupRestorePort } from '#core/use-cases/restore-aws-backup.ts';
import {
  type AwsBackupRestoreClients,
  aws,
  type CleanupOptions,
  cleanupAwsBackupRestore,
  describeAwsBackupRestore,
  nowOf,
  putValidationResult,
  startAwsBackupRestore,
} from './aws-backup-restore.ts';
import { type AwsBackupExpectations, validateAwsBackupRestore } from './aws-backup-validators.ts';

/**
 * DynamoDB's own item count of a backup is approximate (refreshed about every six hours), so the
 * restored count is compared with a tolerance rather than exactly.
 */
export const DEFAULT_ITEM_COUNT_TOLERANCE_PERCENT = 5;

export interface AwsBackupRunnerOptions {
  clients: AwsBackupRestoreClients;
  /** REVERSA_RESTORE_ROLE_ARN: the role AWS Backup assumes to restore (iam:PassRole'd by the start step). */
  restoreRoleArn?: string;
  itemCountTolerancePercent?: number;
  cleanup?: CleanupOptions;
}

/** AWS Backup's resource type from a resource (or restored resource) ARN, for points that did not record it. */
export function resourceTypeFromArn(arn: string): string | undefined {
  const service = /^arn:aws[a-z-]*:([a-z0-9-]+):/.exec(arn)?.[1];
  if (service === 'dynamodb') return 'DynamoDB';
  if (service === 's3') return 'S3';
  if (service === 'rds') return 'RDS';
  if (service === 'ec2' && arn.includes(':volume/')) return 'EBS';
  return undefined;
}

const DYNAMODB_BACKUP_ARN = /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[^/]+\/backup\/[^/]+$/;

function planProblem(path: string, message: string): ValidationError {
  return new ValidationError('AwsBackupPlanIncomplete', [{ file: '<restore plan>', path, message }]);
}

/**
 * The aws-backup runner as the use case's port: StartRestoreJob (metadata from the point's vault,
 * sandbox name from the test id), DescribeRestoreJob polls, validation by resource type followed by
 * PutRestoreValidationResult, and the marker-guarded deletion of the restored resource.
 */
export function awsBackupRunner(options: AwsBackupRunnerOptions): AwsBackupRestorePort {
  const { clients } = options;
  return {
    async start(input) {
      if (options.restoreRoleArn === undefined) {
        throw new ConfigError(
          'MissingConfig',
          `missing environment variable ${CONFIG_ENV.restoreRoleArn}: the role AWS Backup restores with`,
        );
      }
      if (input.backupVaultName === undefined) {
        throw planProblem(
          'recoveryPoint.location',
          'expected the AWS Backup vault of the recovery point (none recorded)',
        );
      }
      const resourceType = input.resourceType ?? resourceTypeFromArn(input.resourceId);
      if (resourceType === undefined) {
        throw planProblem('recoveryPoint.resourceType', 'expected the AWS Backup resource type of the recovery point');
      }
      const started = await startAwsBackupRestore(clients, {
        tenantId: input.tenantId,
        testId: input.testId,
        recoveryPointArn: input.recoveryPointArn,
        backupVaultName: input.backupVaultName,
        ...(input.backupVaultAccountId === undefined ? {} : { backupVaultAccountId: input.backupVaultAccountId }),
        resourceType,
        overrides: { ...input.overrides },
        iamRoleArn: options.restoreRoleArn,
      });
      return { restoreJobId: started.restoreJobId };
    },

    async describe(restoreJobId, context) {
      const job = await describeAwsBackupRestore(clients, {
        restoreJobId,
        ...(context === undefined ? {} : { testId: context.testId }),
      });
      return {
        status: job.status,
        ...(job.createdResourceArn === undefined ? {} : { createdResourceArn: job.createdResourceArn }),
        ...(job.statusMessage === undefined ? {} : { statusMessage: job.statusMessage }),
        ...(job.completionDate === undefined ? {} : { completionDate: job.completionDate }),
      };
    },

    async validate(input) {
      if (input.testId === undefined || input.seed === undefined) {
        throw planProblem('testId', 'expected the test id and seed of the plan');
      }
      const resourceType = input.resourceType ?? resourceTypeFromArn(input.createdResourceArn);
      if (resourceType === undefined) throw planProblem('recoveryPoint.resourceType', 'expected a resource type');
      const startedAt = nowOf(clients);
      // Provider validator Lambdas are reported by the use case itself (not invoked by this version).
      const builtIns = input.validators.filter((v) => !v.startsWith('lambda:'));
      const checks = await validateAwsBackupRestore(clients, {
        testId: input.testId,
        resourceType,
        createdResourceArn: input.createdResourceArn,
        expected: await expectationsOf(clients, resourceType, input.recoveryPointArn, input.resourceId),
        tolerancePercent: options.itemCountTolerancePercent ?? DEFAULT_ITEM_COUNT_TOLERANCE_PERCENT,
        sample: input.sample ?? 'all',
        seed: input.seed,
        ...(input.validatorsDeclared === false ? {} : { validators: builtIns }),
      });
      const validation = { startedAt, endedAt: nowOf(clients) };
      await putValidationResult(clients, input.restoreJobId, validationStatusOf(checks), validationMessageOf(checks));
      return { checks, validation };
    },

    async cleanup(input) {
      if (input.testId === undefined) throw planProblem('testId', 'expected the test id (the sandbox marker)');
      const resourceType = input.resourceType ?? resourceTypeFromArn(input.createdResourceArn);
      if (resourceType === undefined) throw planProblem('recoveryPoint.resourceType', 'expected a resource type');
      const proof = await cleanupAwsBackupRestore(
        clients,
        { resourceType, createdResourceArn: input.createdResourceArn, testId: input.testId },
        options.cleanup ?? {},
      );
      if (proof.result === 'FAILED') {
        // The use case records the error's code: make it say what happened (the message names the resource).
        throw new ReversaError('RestoredResourceNotDeleted', proof.message ?? 'the restored resource was not deleted');
      }
      return { removed: proof.removed, remaining: proof.remaining };
    },
  };
}

/**
 * What the restored copy is compared with. A DynamoDB backup (its ARN names the table's backup) records the
 * table's item count at backup time; other points carry no count, so count checks are not run by default. An RDS
 * instance or EBS volume is compared with its source (engine, encryption) when the source still exists.
 */
async function expectationsOf(
  clients: AwsBackupRestoreClients,
  resourceType: string,
  recoveryPointArn: string | undefined,
  sourceArn: string,
): Promise<AwsBackupExpectations> {
  if (resourceType === 'RDS' || resourceType === 'EBS') return sourceOf(clients, resourceType, sourceArn);
  if (resourceType !== 'DynamoDB' || recoveryPointArn === undefined || !DYNAMODB_BACKUP_ARN.test(recoveryPointArn)) {
    return {};
  }
  const ddb = clients.dynamodb;
  if (ddb === undefined) return {};
  const out = await aws('DynamoDB', 'DescribeBackup', () =>
    ddb.send(new DescribeBackupCommand({ BackupArn: recoveryPointArn })),
  );
  const count = out.BackupDescription?.SourceTableDetails?.ItemCount;
  return count === undefined ? {} : { itemCount: count };
}

async function sourceOf(
  clients: AwsBackupRestoreClients,
  resourceType: 'RDS' | 'EBS',
  sourceArn: string,
): Promise<AwsBackupExpectations> {
  const id = resourceNameFromArn(resourceType, sourceArn);
  if (id === undefined) return {};
  if (resourceType === 'RDS') {
    const rds = clients.rds;
    const db =
      rds === undefined ? undefined : await aws('RDS', 'DescribeDBInstances', () => rds.describeDbInstance(id));
    if (db === undefined) return {};
    return {
      source: {
        ...(db.engine === undefined ? {} : { engine: db.engine }),
        ...(db.encrypted === undefined ? {} : { encrypted: db.encrypted }),
      },
    };
  }
  const ec2 = clients.ec2;
  const volume = ec2 === undefined ? undefined : await aws('EC2', 'DescribeVolumes', () => ec2.describeVolume(id));
  return volume?.encrypted === undefined ? {} : { source: { encrypted: volume.encrypted } };
}
