import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ASSEMBLE_HEAP_FLAGS } from '#functions/dossier/heap-tuning.ts';

/** Runs a fresh Node (this project's Node 24) with the given NODE_OPTIONS and script. */
function node(script: string, nodeOptions = '') {
  return spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: nodeOptions },
  });
}

describe('Assemble heap tuning', () => {
  it('uses a V8 flag that this Node knows (V8 would only warn about an unknown one and carry on)', () => {
    const run = node(`require('node:v8').setFlagsFromString(${JSON.stringify(ASSEMBLE_HEAP_FLAGS)})`);

    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
  });

  it('cannot go through NODE_OPTIONS, which is why the handler sets it at run time', () => {
    const run = node('0', ASSEMBLE_HEAP_FLAGS);

    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/not allowed in NODE_OPTIONS/);
  });
});
