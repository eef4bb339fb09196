/**
 * Reads a workflow file, expands the standard retry policies into it (statemachines/retry-policy.ts) and fills
 * its `${…}` placeholders exactly as CDK's definitionSubstitutions does at deploy time. CDK deploys the text of
 * `expandDefinition` and the local runner executes `loadDefinition`, which is that same text substituted: one
 * expansion, so the local cloud runs the workflow AWS runs.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, ValidationError } from '#core/errors.ts';
import { expandMachine } from './retry-policy.ts';

const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;
const WORKFLOW_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** Absolute path of `statemachines/<name>.asl.json`. */
export function definitionPath(name: string): string {
  if (!WORKFLOW_NAME.test(name)) {
    throw new ValidationError('BadWorkflowName', [
      {
        file: '<workflow>',
        path: '',
        message: `expected a workflow name like verify-backups, got ${JSON.stringify(name)}`,
      },
    ]);
  }
  return new URL(`./${name}.asl.json`, import.meta.url).pathname;
}

/** The raw text of a workflow file, placeholders included, as written (no retry policy expanded). */
export function readDefinitionText(name: string): string {
  return readFileSync(definitionPath(name), 'utf8');
}

/**
 * The definition text as deployed: the file's JSON with its integration's standard retry policy on every Task that
 * declares no `Retry`, placeholders left for the substitutions (they sit inside JSON strings, so the text parses as is).
 * `file` names the file in the error when the text is not JSON.
 */
export function expandDefinition(text: string, file: string): string {
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(
      'BadWorkflowFile',
      [{ file, path: '', message: `expected a JSON state machine definition: ${(error as Error).message}` }],
      { cause: error },
    );
  }
  if (definition === null || typeof definition !== 'object' || Array.isArray(definition)) {
    throw new ValidationError('BadWorkflowFile', [
      { file, path: '', message: 'expected a JSON object with StartAt and States' },
    ]);
  }
  return `${JSON.stringify(expandMachine(definition), null, 2)}\n`;
}

/** The deployed text of a workflow file given by path (what infra/constructs/asl-state-machine.ts deploys). */
export function readExpandedDefinition(path: string): string {
  return expandDefinition(readFileSync(path, 'utf8'), path);
}

/** Placeholder names (without `${}`) a workflow file uses, sorted and unique. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string))].sort();
}

/** Replaces every `${Name}` in the text; throws ConfigError naming any placeholder left without a value. */
export function substitute(text: string, substitutions: Readonly<Record<string, string>>): string {
  const missing = placeholdersOf(text).filter((p) => substitutions[p] === undefined);
  if (missing.length > 0) {
    throw new ConfigError('MissingSubstitution', `workflow placeholders without a value: ${missing.join(', ')}`);
  }
  // Values are inserted inside JSON strings: escape them so an odd character cannot break the document.
  return text.replace(PLACEHOLDER, (_m, key: string) => JSON.stringify(substitutions[key]).slice(1, -1));
}

/** The parsed definition of `statemachines/<name>.asl.json`, retry policies expanded, substitutions applied. */
export function loadDefinition(name: string, substitutions: Readonly<Record<string, string>>): Record<string, unknown> {
  const text = readExpandedDefinition(definitionPath(name));
  return JSON.parse(substitute(text, substitutions)) as Record<string, unknown>;
}
