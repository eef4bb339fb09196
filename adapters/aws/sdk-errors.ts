/**
 * The one classification of AWS SDK v3 failures every adapter uses: which errors are worth a retry
 * (throttling, the service's own 5xx, timeouts), which are configuration (access denied, bad
 * credentials), which mean "not there". Adapters keep their own codes and messages (they name the
 * operation and what to check), but never their own lists: a new throttling name is added here once.
 *
 * Only the error's name, HTTP status and request id are ever read: an SDK message can quote the
 * request (keys, names, metadata), and request payloads never reach our messages.
 */
import { ConfigError, NotFoundError, ReversaError, TransientError } from '#core/errors.ts';

/** Throttling, service-side and network failures: the same call can succeed later. */
export const TRANSIENT_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'LimitExceededException',
  'ServiceQuotaExceededException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'InternalServiceError',
  'InternalServiceException',
  'InternalError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ETIMEDOUT',
]);

/** The caller may not do this (a missing grant, a revoked role, bad or expired credentials). */
export const ACCESS_DENIED_ERROR_NAMES: ReadonlySet<string> = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'InvalidSignatureException',
  'KMSAccessDeniedException',
  'CredentialsProviderError',
]);

/** What was asked for does not exist (or no longer does). */
export const NOT_FOUND_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ResourceNotFoundException',
  'NotFound',
  'NoSuchBucket',
  'NoSuchKey',
  'DBInstanceNotFound',
  'DBInstanceNotFoundFault',
  'InvalidVolume.NotFound',
]);

export type SdkErrorKind = 'transient' | 'access-denied' | 'not-found' | 'other';

export interface SdkErrorFacts {
  kind: SdkErrorKind;
  /** The SDK error's name (its AWS error code), or `Error` when it has none. */
  name: string;
  status?: number;
  requestId?: string;
  /** True when the value came from the SDK (it carries `$metadata`), not from our own code. */
  fromSdk: boolean;
}

/** Classifies a failure; `codes` also match the error's `code` (Node network errors, older SDK shapes). */
export function classifySdkError(error: unknown): SdkErrorFacts {
  const e = (error ?? {}) as {
    name?: unknown;
    code?: unknown;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number; requestId?: string };
  };
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const code = typeof e.code === 'string' ? e.code : undefined;
  const status = e.$metadata?.httpStatusCode;
  const facts = (kind: SdkErrorKind): SdkErrorFacts => ({
    kind,
    name,
    ...(status === undefined ? {} : { status }),
    ...(e.$metadata?.requestId === undefined ? {} : { requestId: e.$metadata.requestId }),
    fromSdk: e.$metadata !== undefined,
  });
  if (
    TRANSIENT_ERROR_NAMES.has(name) ||
    (code !== undefined && TRANSIENT_ERROR_NAMES.has(code)) ||
    e.$retryable !== undefined ||
    status === 429 ||
    (status !== undefined && status >= 500)
  ) {
    return facts('transient');
  }
  if (ACCESS_DENIED_ERROR_NAMES.has(name) || status === 403) return facts('access-denied');
  if (NOT_FOUND_ERROR_NAMES.has(name) || status === 404) return facts('not-found');
  return facts('other');
}

/**
 * The default mapping, for adapters without codes of their own: `<service>Unavailable` (retryable),
 * `<service>AccessDenied`, `<service>NotFound`, else `<service>Failed`. Our own typed errors pass through.
 */
export function mapSdkError(
  error: unknown,
  service: string,
  operation: string,
  options: { accessDeniedHint?: string } = {},
): ReversaError {
  if (error instanceof ReversaError) return error;
  const { kind, name } = classifySdkError(error);
  const what = `${service} ${operation}`;
  switch (kind) {
    case 'transient':
      return new TransientError(`${service}Unavailable`, `${what} failed transiently (${name})`, { cause: error });
    case 'access-denied':
      return new ConfigError(
        `${service}AccessDenied`,
        `${what} was denied (${name})${options.accessDeniedHint ? `: ${options.accessDeniedHint}` : ''}`,
        { cause: error },
      );
    case 'not-found':
      return new NotFoundError(`${service}NotFound`, `${what}: resource not found (${name})`, { cause: error });
    default:
      return new ReversaError(`${service}Failed`, `${what} failed (${name})`, { cause: error });
  }
}
