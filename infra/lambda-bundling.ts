/**
 * The esbuild settings every Lambda is bundled with (NodejsFunction in constructs/reversa-function.ts).
 * Kept free of CDK imports so the benchmarks build their child processes the same way and measure
 * what gets deployed (a bundle), not the TypeScript loader used in development.
 */
export const LAMBDA_BUNDLING = {
  target: 'node24',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  // Prefer the ESM build of dependencies so tree-shaking works.
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies call require() at runtime; ESM has no require, so recreate it.
  banner: "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);",
} as const;

/**
 * NODE_OPTIONS flags of the dossier Assemble Lambda (why: infra/workflows/dossier-export-workflow.ts), also used by
 * bench/dossier.ts. Its other V8 tuning is set at run time: functions/dossier/heap-tuning.ts.
 */
export const ASSEMBLE_NODE_OPTIONS = ['--max-semi-space-size=8'] as const;

/**
 * Environment of the Assemble Lambda's process. Two malloc arenas instead of glibc's default of one
 * per thread (main, compression worker, libuv pool): buffers freed by one thread no longer sit in
 * another's arena, ~7–10 MB less peak RSS for the 1 GB bench dossier at the same speed.
 */
export const ASSEMBLE_ENVIRONMENT = { MALLOC_ARENA_MAX: '2' } as const;
