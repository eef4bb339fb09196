import { parseArgs } from 'node:util';
import { ValidationError } from '#core/errors.ts';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/** Options every command accepts. */
export const GLOBAL_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  stack: { type: 'string' },
  region: { type: 'string' },
} as const satisfies OptionSpec;

export function usageError(message: string): ValidationError {
  return new ValidationError('Usage', [{ file: '<command line>', path: '', message }]);
}

/** parseArgs with our error type, so a typo in a flag exits 2 with a readable message. */
export function parseCommand<T extends OptionSpec>(argv: string[], options: T, positionalsAllowed: number) {
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
    if (parsed.positionals.length > positionalsAllowed) {
      throw usageError(`unexpected argument '${parsed.positionals[positionalsAllowed]}'`);
    }
    return parsed;
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw usageError(err instanceof Error ? err.message : String(err));
  }
}

export function requireString(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== 'string' || value.length === 0) throw usageError(`missing ${flag}`);
  return value;
}

/** `--at 2026-11-29T10:00:00Z` (any ISO-8601 with a zone) or `now`. */
export function parseTime(value: string | undefined, flag: string, now: number): number {
  if (value === undefined || value === 'now') return now;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    throw usageError(`${flag} expects an ISO-8601 time with a zone, e.g. 2026-11-29T10:00:00Z, got '${value}'`);
  }
  return Date.parse(value);
}
