/**
 * Fires EventBridge Scheduler expressions in-process for the long-running local mode, so the same
 * schedule strings the CDK stack deploys (`rate(5 minutes)`, `cron(0/5 * * * ? *)`, `at(...)`) drive
 * the local cloud. croner does the calendar work; this module only translates AWS syntax.
 */
import { Cron } from 'croner';
import { awsCronToCroner, awsRateToCroner, toCronerPattern } from '#core/restore/cron.ts';

export interface LocalScheduler {
  stop(): void;
  /** Next firing time, or undefined when the schedule is exhausted (an `at()` already fired). */
  nextRun(): Date | undefined;
}

export interface LocalSchedulerOptions {
  /** AWS schedule expression: `rate(<n> minute[s]|hour[s]|day[s])`, `cron(<6 fields>)` or `at(yyyy-mm-ddThh:mm:ss)`. */
  expression: string;
  /** Called at each firing with the scheduled time. Errors are reported to `onError`, never stop the schedule. */
  run: (scheduledAt: Date) => Promise<void> | void;
  /** IANA timezone of cron/at expressions (EventBridge Scheduler's ScheduleExpressionTimezone). Default UTC. */
  timezone?: string;
  onError?: (error: unknown) => void;
}

export { awsCronToCroner, awsRateToCroner, toCronerPattern };

export function startLocalScheduler(options: LocalSchedulerOptions): LocalScheduler {
  const pattern = toCronerPattern(options.expression);
  const onError = options.onError ?? ((error: unknown) => console.error('scheduled run failed:', error));
  const job = new Cron(
    pattern,
    {
      timezone: options.timezone ?? 'UTC',
      // AWS cron requires `?` in one of day-of-month/day-of-week, so AND is what AWS means.
      domAndDow: true,
      sloppyRanges: true,
      // A sweep still running when the next slot comes is skipped, like a Lambda with reserved concurrency 1.
      protect: true,
      unref: false,
    },
    async (self: Cron) => {
      try {
        await options.run(self.currentRun() ?? new Date());
      } catch (error) {
        onError(error);
      }
    },
  );
  return {
    stop: () => job.stop(),
    nextRun: () => job.nextRun() ?? undefined,
  };
}
