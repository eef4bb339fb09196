/**
 * The one configured Logger and Metrics of every Lambda, and the middleware stack every handler
 * uses. Powertools reads POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE itself.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { ReversaError, TransientError } from '#core/errors.ts';

export const logger = new Logger({ serviceName: 'reversa' });
export const metrics = new Metrics({ namespace: 'Reversa', serviceName: 'reversa' });

/** What is safe to log about an error: name, code and message (our messages never hold secrets), not `cause`. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof ReversaError) {
    return { name: error.name, code: error.code, retryable: error.retryable, message: error.message };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Unknown', message: String(error) };
}

/**
 * Logs a failing invocation once, here at the boundary, then lets the error propagate unchanged:
 * its `name` is what Step Functions' Retry/Catch (and Lambda's async retry) act on.
 */
export function logErrorOnce(): MiddlewareObj {
  return {
    onError: async (request) => {
      logger.error('invocation failed', { error: describeError(request.error) });
    },
  };
}

/**
 * Give up this long before the Lambda deadline with a TransientError, so the error is logged and
 * the workflow's Retry sees a name it can act on instead of an opaque Sandbox.Timedout.
 */
export const TIMEOUT_EARLY_MS = 2_000;

/** middy with the standard stack: context in logs, metrics flushed, errors logged once. Handler last. */
export function withPowertools<E, R>(fn: (event: E, context: Context) => Promise<R>) {
  return middy(fn, {
    timeoutEarlyInMillis: TIMEOUT_EARLY_MS,
    timeoutEarlyResponse: () => {
      throw new TransientError('LambdaTimeoutSoon', 'the invocation was about to reach its Lambda timeout');
    },
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { throwOnEmptyMetrics: false }))
    .use(logErrorOnce());
}
