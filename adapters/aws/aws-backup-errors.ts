/**
 * AWS Backup API failures as typed errors, shared by the reconciler and the Vault Lock lookup:
 * throttling and 5xx are retryable, access denied is configuration (the reconciliation role).
 */
import { ConfigError, ReversaError, TransientError } from '#core/errors.ts';
import { classifySdkError } from './sdk-errors.ts';

export function mapAwsBackupError(error: unknown, operation: string): ReversaError {
  const { kind, name } = classifySdkError(error);
  if (kind === 'transient') {
    return new TransientError('AwsBackupUnavailable', `AWS Backup ${operation} failed transiently (${name})`, {
      cause: error,
    });
  }
  if (kind === 'access-denied') {
    return new ConfigError(
      'AwsBackupAccessDenied',
      `AWS Backup ${operation} was denied: check the reconciliation role`,
      {
        cause: error,
      },
    );
  }
  return new ReversaError('AwsBackupError', `AWS Backup ${operation} failed (${name})`, { cause: error });
}
