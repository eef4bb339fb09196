import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The layer rules (.dependency-cruiser.cjs) run on the real tree in `npm test` (npm run deps:check);
// this proves on a small fixture tree that they really refuse what they say they refuse.
const root = join(import.meta.dirname, '..', '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'boundaries');

function cruise(files: string[]): { violations: { rule: string; from: string; to: string }[] } {
  const out = spawnSync(
    join(root, 'node_modules', '.bin', 'depcruise'),
    ['--config', join(root, '.dependency-cruiser.cjs'), '--output-type', 'json', ...files],
    { cwd: fixtures, encoding: 'utf8' },
  );
  const summary = (
    JSON.parse(out.stdout) as {
      summary: { violations: { rule: { name: string }; from: string; to: string }[] };
    }
  ).summary;
  return {
    violations: summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to })),
  };
}

describe('the layer boundary check', () => {
  it('refuses a core module that imports an adapter', () => {
    const { violations } = cruise(['core/leaky.ts']);

    expect(violations).toContainEqual({ rule: 'core-is-pure', from: 'core/leaky.ts', to: 'adapters/store.ts' });
  });

  it('refuses an import cycle', () => {
    const { violations } = cruise(['core/ping.ts']);

    expect(violations.map((v) => v.rule)).toContain('no-cycles');
  });

  it('refuses a Lambda entry that imports the local cloud', () => {
    const { violations } = cruise(['functions/handler.ts']);

    expect(violations).toContainEqual({
      rule: 'functions-not-local-or-cli',
      from: 'functions/handler.ts',
      to: 'local/cloud.ts',
    });
  });

  it('accepts a core module that imports only core (apart from the cycle it reaches)', () => {
    const { violations } = cruise(['core/pure.ts']);

    expect(violations.filter((v) => v.from === 'core/pure.ts')).toEqual([]);
  });
});
