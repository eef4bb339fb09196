/**
 * Errors as RFC 9457 problem details (`application/problem+json`): a stable `type` per error code,
 * the HTTP status, a `detail` naming what was wrong, and for bad input every problem located. An
 * unexpected error says only that it happened (its details go to the log, once, at the boundary).
 */
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ReversaError,
  TooManyRequestsError,
  UnauthenticatedError,
  ValidationError,
} from '#core/errors.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code?: string;
  problems?: { file: string; path: string; line?: number; message: string }[];
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthenticated',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal error',
};

export const problemType = (code: string): string => `urn:reversa:problem:${code}`;

export function problem(status: number, code: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: problemType(code), title: TITLES[status] ?? 'Error', status, detail, code, ...extra };
}

/** The HTTP status and problem of an error; `expected: false` marks what must be logged as our fault. */
export function problemOf(
  error: unknown,
  instance: string,
): { problem: Problem; expected: boolean; headers?: Record<string, string> } {
  const at = { instance };
  if (error instanceof ValidationError) {
    return {
      problem: problem(400, error.code, 'the request is not valid: see problems', {
        ...at,
        problems: error.problems.map(({ file, path, line, message }) => ({
          file,
          path,
          message,
          ...(line === undefined ? {} : { line }),
        })),
      }),
      expected: true,
    };
  }
  if (error instanceof UnauthenticatedError) {
    return {
      problem: problem(401, error.code, error.message, at),
      expected: true,
      headers: { 'www-authenticate': 'Bearer realm="reversa"' },
    };
  }
  if (error instanceof ForbiddenError) return { problem: problem(403, error.code, error.message, at), expected: true };
  if (error instanceof NotFoundError) return { problem: problem(404, error.code, error.message, at), expected: true };
  if (error instanceof ConflictError) return { problem: problem(409, error.code, error.message, at), expected: true };
  if (error instanceof TooManyRequestsError) {
    return {
      problem: problem(429, error.code, error.message, at),
      expected: true,
      headers: { 'retry-after': String(error.retryAfterSeconds) },
    };
  }
  if (error instanceof ReversaError && error.retryable) {
    return {
      problem: problem(503, error.code, 'a dependency is unavailable; retry later', at),
      expected: false,
      headers: { 'retry-after': '5' },
    };
  }
  return {
    problem: problem(500, 'InternalError', 'the request failed on our side; it has been logged', at),
    expected: false,
  };
}
