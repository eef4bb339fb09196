/**
 * The string fields every job-report schema shares: ids and names (they become storage keys and
 * are printed in tables, so no control characters at all) and free-text messages (tabs and line
 * breaks allowed, no other control character, NUL never). One definition, so a new parser cannot
 * forget the rule.
 */
import { z } from 'zod';
import { controlCharacterMessage, findControlCharacter } from '../text.ts';
import type { IngestLimits } from './limits.ts';

function refuseControls(prose: boolean) {
  return (value: string, ctx: z.RefinementCtx): void => {
    const found = findControlCharacter(value, prose);
    if (found) ctx.addIssue({ code: 'custom', message: controlCharacterMessage(found, prose) });
  };
}

/** An id, locator or name: at most `maxIdLength` characters, no control characters; empty allowed unless `nonEmpty`. */
export function idField(limits: IngestLimits, nonEmpty = true) {
  const base = z
    .string({ error: 'expected a string' })
    .max(limits.maxIdLength, { error: `must be at most ${limits.maxIdLength} characters` });
  return (nonEmpty ? base.min(1, { error: 'must not be empty' }) : base).superRefine(refuseControls(false));
}

/** Free text such as a status message: at most `maxMessageLength`, tabs and line breaks allowed. */
export function messageField(limits: IngestLimits) {
  return z
    .string({ error: 'expected a string' })
    .max(limits.maxMessageLength, { error: `must be at most ${limits.maxMessageLength} characters` })
    .superRefine(refuseControls(true));
}

/** The check itself, for values that do not go through a schema (AWS events, CLI outputs). */
export function controlCharacterProblem(value: string, prose = false): string | undefined {
  const found = findControlCharacter(value, prose);
  return found ? controlCharacterMessage(found, prose) : undefined;
}
