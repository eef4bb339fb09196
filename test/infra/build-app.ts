import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { addNagChecks } from '../../infra/nag.ts';
import { defaultVerifyDefinitionPath, repoRoot } from '../../infra/paths.ts';
import { addReversaStacks, type ReversaStacks, type ReversaStacksOptions } from '../../infra/reversa-app.ts';

const fixtures = join(repoRoot, 'test', 'infra', 'fixtures');

/** The ASL file the tests deploy: the real one once it exists, otherwise a fixture with the same substitutions. */
export const testVerifyDefinitionPath = existsSync(defaultVerifyDefinitionPath)
  ? defaultVerifyDefinitionPath
  : join(fixtures, 'verify-backups.asl.json');

/** A two-file stand-in for web/dist, so synth tests need no `vite build`. */
export const testWebDistPath = join(fixtures, 'web-dist');

/** Real handler files when present; a stand-in otherwise (bundling is skipped, only existence is checked). */
export function resolveEntryOrFixture(relativePath: string): string {
  const real = join(repoRoot, relativePath);
  return existsSync(real) ? real : join(fixtures, 'handler.ts');
}

export interface BuiltApp extends ReversaStacks {
  readonly app: App;
  readonly assembly: CloudAssembly;
}

/** Builds and synthesises the whole app once, with bundling skipped so a test file pays ~2 s, not minutes. */
export function buildTestApp(options: { nag?: boolean } & ReversaStacksOptions = {}): BuiltApp {
  const { nag, ...stackOptions } = options;
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stacks = addReversaStacks(app, {
    env: { account: '111111111111', region: 'eu-west-3' },
    verifyDefinitionPath: testVerifyDefinitionPath,
    resolveEntry: resolveEntryOrFixture,
    webDistPath: testWebDistPath,
    ...stackOptions,
  });
  if (nag === true) addNagChecks(app);
  const assembly = app.synth();
  return { app, assembly, ...stacks };
}
