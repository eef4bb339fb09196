/**
 * Reads a workflow file and fills its `${…}` placeholders, exactly as CDK's definitionSubstitutions
 * does at deploy time, so the local runner executes the same text AWS runs.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, ValidationError } from '#core/errors.ts';

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

/** The raw text of a workflow file, placeholders included. */
export function readDefinitionText(name: string): string {
  return readFileSync(definitionPath(name), 'utf8');
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

/** The parsed definition of `statemachines/<name>.asl.json` with substitutions applied. */
export function loadDefinition(name: string, substitutions: Readonly<Record<string, string>>): Record<string, unknown> {
  return JSON.parse(substitute(readDefinitionText(name), substitutions)) as Record<string, unknown>;
}
