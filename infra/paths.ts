import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: infra/ sits directly under it. Resolved from this file so `cdk synth` works from any cwd. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The workflow file CDK deploys (and the local cloud runs): one definition, no hand-copied twin. */
export const defaultVerifyDefinitionPath = join(repoRoot, 'statemachines', 'verify-backups.asl.json');

/** The restore-test and reversibility-export workflow files (statemachines/names.ts lists their placeholders). */
export const defaultRestoreTestDefinitionPath = join(repoRoot, 'statemachines', 'restore-test.asl.json');
export const defaultExportDefinitionPath = join(repoRoot, 'statemachines', 'reversibility-export.asl.json');

/** Resolves a Lambda entry given relative to the repository root (as listed in the common brief). */
export function entryFromRepoRoot(relativePath: string): string {
  return join(repoRoot, relativePath);
}
