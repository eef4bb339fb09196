/**
 * Fires EventBridge Scheduler expressions in-process for the long-running local mode, so the same
 * schedule strings the CDK stack deploys (`rate(5 minutes)`, `cron(0/5 * * * ? *)`, `at(...)`) drive
 * the local cloud. croner does the calendar work; this module only translates AWS syntax.
 */
import { Cron } from 'croner';
import { ValidationError } from '#core/errors.ts';

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

const RATE = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/;
const CRON = /^cron\((.+)\)$/;
const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;

function invalid(expression: string, message: string): ValidationError {
  return new ValidationError('BadScheduleExpression', [
    { file: '<schedule>', path: '', message: `${message}: ${expression}` },
  ]);
}

/** AWS day-of-week is 1–7 (SUN=1); croner's is 0–6 (SUN=0). Names, `L`, `#` and `*` keep their meaning. */
function convertDayOfWeek(field: string): string {
  return field.replace(/(^|[,\-#/])?(\d+)/g, (match, sep: string | undefined, digits: string) => {
    // The number after `#` is "nth occurrence" and the one after `/` is a step: not days.
    if (sep === '#' || sep === '/') return match;
    return `${sep ?? ''}${Number(digits) - 1}`;
  });
}

/** `cron(min hour dom month dow year)` → croner's 5-field pattern. Only year `*` is supported locally. */
export function awsCronToCroner(fields: string): string {
  const parts = fields.trim().split(/\s+/);
  if (parts.length !== 6)
    throw invalid(fields, 'expected 6 cron fields (minutes hours day-of-month month day-of-week year)');
  const [minute, hour, dom, month, dow, year] = parts as [string, string, string, string, string, string];
  if (year !== '*' && year !== '?')
    throw invalid(fields, 'a cron year other than * is not supported by the local scheduler');
  const unq = (f: string) => (f === '?' ? '*' : f);
  return [minute, hour, unq(dom), month, convertDayOfWeek(unq(dow))].join(' ');
}

/** `rate(...)` → a croner pattern aligned on the clock (AWS starts rates at creation time; alignment is close enough locally). */
export function awsRateToCroner(amount: number, unit: string): string {
  if (amount < 1) throw invalid(`rate(${amount} ${unit})`, 'a rate must be at least 1');
  if (unit.startsWith('minute')) {
    if (60 % amount === 0) return `*/${amount} * * * *`;
    if (amount % 60 === 0) return awsRateToCroner(amount / 60, 'hours');
  } else if (unit.startsWith('hour')) {
    if (24 % amount === 0) return `0 */${amount} * * *`;
    if (amount % 24 === 0) return awsRateToCroner(amount / 24, 'days');
  } else if (amount === 1) {
    return '0 0 * * *';
  }
  throw invalid(`rate(${amount} ${unit})`, 'the local scheduler supports rates that divide an hour or a day evenly');
}

/** Translates any supported AWS schedule expression to what croner accepts (a pattern or an ISO time). */
export function toCronerPattern(expression: string): string {
  const expr = expression.trim();
  const rate = RATE.exec(expr);
  if (rate) return awsRateToCroner(Number(rate[1]), rate[2] as string);
  const cron = CRON.exec(expr);
  if (cron) return awsCronToCroner(cron[1] as string);
  const at = AT.exec(expr);
  if (at) return at[1] as string;
  throw invalid(expr, 'expected rate(...), cron(...) or at(...)');
}

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
