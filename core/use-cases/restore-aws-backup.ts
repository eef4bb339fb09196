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
  }): Promise<{ restoreJobId: string }>;
  describe(restoreJobId: string): Promise<{
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
  }): Promise<{ checks: CheckResult[]; validation: Span }>;
  /** Deletes the restored resource and checks it is gone. */
  cleanup(input: { restoreJobId: string; createdResourceArn: string }): Promise<{ removed: number; remaining: number }>;
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
