/**
 * The aws-backup runner's port and its workflow steps (StartAwsBackupRestore → Wait →
 * DescribeAwsBackupRestore → Choice, a polling loop: no task-token callbacks). The AWS
 * implementation (StartRestoreJob with GetRecoveryPointRestoreMetadata + overrides, DescribeRestoreJob,
 * validation by resource type, PutRestoreValidationResult, deletion of the restored resource) is
 * adapters/aws/aws-backup-restore.ts; until it is wired, `awsBackupNotImplemented` fails each call
 * with a typed error, which the workflow records as an ERROR result (never a silent skip).
 */
import { ReversaError, ValidationError } from '../errors.ts';
import type { CheckResult, Span } from '../restore/evidence.ts';
import type { Sample } from '../restore/selection.ts';

export type AwsRestoreStatus = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'ABORTED';

export interface AwsBackupRestorePort {
  /** StartRestoreJob; `idempotencyToken` is the test id, so a retried Start restores once. */
  start(input: {
    tenantId: string;
    testId: string;
    resourceId: string;
    recoveryPointArn: string;
    overrides: Readonly<Record<string, string>>;
    idempotencyToken: string;
    /** The recovery point's vault (RecoveryPoint.location): GetRecoveryPointRestoreMetadata needs it. */
    backupVaultName?: string;
    /** The vault's account (RecoveryPoint.accountId), when known. */
    backupVaultAccountId?: string;
    /** AWS Backup resource type of the point (DynamoDB, S3, RDS, EBS), when known. */
    resourceType?: string;
  }): Promise<{ restoreJobId: string }>;
  /** `testId` lets a COMPLETED EBS restore be tagged with the test's sandbox marker (what cleanup checks). */
  describe(
    restoreJobId: string,
    context?: { testId: string },
  ): Promise<{
    status: AwsRestoreStatus;
    createdResourceArn?: string;
    statusMessage?: string;
    /** Epoch ms. */
    creationDate?: number;
    completionDate?: number;
  }>;
  /** Reads the restored resource back (table present, item count, sample reads, object count…). */
  validate(input: {
    tenantId: string;
    resourceId: string;
    restoreJobId: string;
    createdResourceArn: string;
    validators: readonly string[];
    /** False when `validators` are the runner's defaults (not declared): a default check without data is not run. */
    validatorsDeclared?: boolean;
    testId?: string;
    resourceType?: string;
    recoveryPointArn?: string;
    sample?: Sample;
    seed?: string;
  }): Promise<{ checks: CheckResult[]; validation: Span }>;
  /**
   * Deletes the restored resource and checks it is gone. Throws when the deletion was refused or failed
   * without a count (the workflow records the cleanup FAILED with the error's code).
   */
  cleanup(input: {
    restoreJobId: string;
    createdResourceArn: string;
    testId?: string;
    resourceType?: string;
  }): Promise<{ removed: number; remaining: number }>;
}

/** Thrown by every call until the aws-backup adapter is wired: the test is recorded as ERROR with this reason. */
export const awsBackupNotImplemented: AwsBackupRestorePort = {
  start: () => Promise.reject(notImplemented('StartRestoreJob')),
  describe: () => Promise.reject(notImplemented('DescribeRestoreJob')),
  validate: () => Promise.reject(notImplemented('validation')),
  cleanup: () => Promise.reject(notImplemented('cleanup')),
};

function notImplemented(what: string): ReversaError {
  return new ReversaError(
    'AwsBackupRunnerNotImplemented',
    `AwsBackupRunnerNotImplemented: the aws-backup restore runner (${what}) is not wired yet`,
  );
}

/** Terminal failure of the AWS restore job: not retried, the workflow goes to Cleanup then Record. */
export function restoreJobFailed(status: AwsRestoreStatus, restoreJobId: string): ReversaError {
  return new ReversaError('AwsBackupRestoreFailed', `AWS Backup restore job ${restoreJobId} ended ${status}`);
}

export function checkRestoreJobId(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 256) {
    throw new ValidationError('BadRestoreTestInput', [
      { file: '<restore-test input>', path: 'restoreJob.restoreJobId', message: 'expected a restore job id' },
    ]);
  }
  return id;
}
