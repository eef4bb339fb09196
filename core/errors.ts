/**
 * The one error base of Reversa. `name` is a string literal on every subclass (it survives
 * minification) because the ASL Retry/Catch blocks match on it: error names are a contract,
 * listed in statemachines/names.ts.
 */
export class ReversaError extends Error {
  override readonly name: string = 'ReversaError';
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** One problem found in a user-supplied document, located as precisely as we can. */
export interface Problem {
  /** File name (or `<stdin>`, or an S3 key) the problem is in. */
  file: string;
  /** 1-based line and column, when the input format gives positions. */
  line?: number;
  column?: number;
  /** Path inside the document, e.g. `resources[3].rpo`. Empty for the document itself. */
  path: string;
  /** What is wrong and what was expected. Never echoes secret values. */
  message: string;
}

export function formatProblem(p: Problem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}:${p.column ?? 1}`;
  return p.path ? `${where} ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

/** Bad input from a user: a strategy, a job report, a CLI argument. Exit code 2, never retried. */
export class ValidationError extends ReversaError {
  override readonly name = 'ValidationError';
  readonly problems: Problem[];
  constructor(code: string, problems: Problem[], options: { cause?: unknown } = {}) {
    super(code, problems.map(formatProblem).join('\n'), options);
    this.problems = problems;
  }
}

/** Something we need does not exist (a tenant without a strategy, an unknown report). */
export class NotFoundError extends ReversaError {
  override readonly name = 'NotFoundError';
}

/** A dependency failed in a way that may succeed on retry (throttling, timeouts, 5xx). */
export class TransientError extends ReversaError {
  override readonly name = 'TransientError';
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, retryable: true });
  }
}

/** An invariant of ours was broken: a bug, not bad input. */
export class InternalError extends ReversaError {
  override readonly name = 'InternalError';
}

/** Configuration is missing or wrong (environment, deployed stack). */
export class ConfigError extends ReversaError {
  override readonly name = 'ConfigError';
}

/** The thing exists already (a user, a version claim): the caller's request conflicts with it. */
export class ConflictError extends ReversaError {
  override readonly name = 'ConflictError';
}

/** No valid identity came with the request (no token, a bad signature, expired): HTTP 401. */
export class UnauthenticatedError extends ReversaError {
  override readonly name = 'UnauthenticatedError';
}

/** The identity is known but may not do this (role, tenant, access window): HTTP 403. */
export class ForbiddenError extends ReversaError {
  override readonly name = 'ForbiddenError';
}

/** Too many attempts (logins): HTTP 429, with when to come back. */
export class TooManyRequestsError extends ReversaError {
  override readonly name = 'TooManyRequestsError';
  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(code, message);
  }
}
