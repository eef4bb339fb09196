import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '#core/errors.ts';

export const FIXTURES = join(import.meta.dirname, '../../fixtures');
export const fixture = (rel: string): string => readFileSync(join(FIXTURES, rel), 'utf8');
export const fixtureJson = (rel: string): unknown => JSON.parse(fixture(rel));

/** Runs fn and returns the ValidationError it throws (fails the test otherwise). */
export function validationErrorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}
