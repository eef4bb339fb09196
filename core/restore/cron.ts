/**
 * EventBridge Scheduler expressions (`rate(...)`, `cron(<6 fields>)`, `at(...)`) in croner's terms:
 * the local scheduler fires them, and the SLA statement lists the slots a restore-test policy
 * scheduled in a period (a slot with no test is a test that did not run). croner does the calendar
 * work in the strategy timezone; this module only translates AWS syntax. Pure: no timers started.
 */
import { Cron } from 'croner';
import { ValidationError } from '../errors.ts';

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

/** Croner options that make a pattern mean what AWS means. */
export const CRONER_OPTIONS = { domAndDow: true, sloppyRanges: true } as const;

/** The slots of `expression` in [from, to), in `timeZone`, at most `max` of them. */
export function slotsBetween(expression: string, timeZone: string, from: number, to: number, max = 10_000): number[] {
  const job = new Cron(toCronerPattern(expression), { ...CRONER_OPTIONS, timezone: timeZone, paused: true });
  const out: number[] = [];
  let next = job.nextRun(new Date(from - 1));
  while (next && next.getTime() < to && out.length < max) {
    if (next.getTime() >= from) out.push(next.getTime());
    next = job.nextRun(next);
  }
  job.stop();
  return out;
}
