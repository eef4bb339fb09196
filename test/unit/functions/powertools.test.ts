import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TIMEOUT_EARLY_MS, withPowertools } from '#functions/shared/powertools.ts';

afterEach(() => vi.useRealTimers());

function context(remainingMs: number): Context {
  return {
    functionName: 'f',
    functionVersion: '1',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-3:111122223333:function:f',
    memoryLimitInMB: '128',
    awsRequestId: 'req-1',
    logGroupName: 'g',
    logStreamName: 's',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

describe('the shared middy stack', () => {
  it('fails with a retryable TransientError before the Lambda deadline instead of being killed', async () => {
    vi.useFakeTimers();
    const handler = withPowertools(() => new Promise<never>(() => undefined));

    const outcome = handler({}, context(TIMEOUT_EARLY_MS + 500)).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(600);

    await expect(outcome).resolves.toMatchObject({
      name: 'TransientError',
      code: 'LambdaTimeoutSoon',
      retryable: true,
    });
  });

  it('returns the handler result when it finishes in time', async () => {
    const handler = withPowertools(async (event: { n: number }) => event.n * 2);
    await expect(handler({ n: 21 }, context(60_000))).resolves.toBe(42);
  });
});
