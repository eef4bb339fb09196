/** `reversa serve` builds the web app exactly when web/dist is missing or older than what it is built from. */
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { webBuildReason } from '#local/web-app.ts';

let dir = '';
const at = (iso: string) => new Date(iso);

async function file(path: string, when: string): Promise<void> {
  await mkdir(join(dir, path, '..'), { recursive: true });
  await writeFile(join(dir, path), 'x');
  await utimes(join(dir, path), at(when), at(when));
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reversa-web-app-'));
  await file('index.html', '2026-01-01T00:00:00Z');
  await file('vite.config.ts', '2026-01-01T00:00:00Z');
  await file('src/pages/dashboard.tsx', '2026-01-02T00:00:00Z');
  await utimes(join(dir, 'src/pages'), at('2026-01-02T00:00:00Z'), at('2026-01-02T00:00:00Z'));
  await utimes(join(dir, 'src'), at('2026-01-02T00:00:00Z'), at('2026-01-02T00:00:00Z'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('when the web app needs a build', () => {
  it('builds when web/dist is missing', async () => {
    expect(await webBuildReason(dir)).toBe('web/dist is missing');
  });

  it('does not build when web/dist is newer than every source', async () => {
    await file('dist/index.html', '2026-01-03T00:00:00Z');

    expect(await webBuildReason(dir)).toBeUndefined();
  });

  it('builds again when a source file deep in web/src changed after the build', async () => {
    await file('dist/index.html', '2026-01-03T00:00:00Z');
    await file('src/pages/dashboard.tsx', '2026-01-04T00:00:00Z');

    expect(await webBuildReason(dir)).toBe('web/dist is older than web/src');
  });

  it('builds again when the Vite config changed after the build', async () => {
    await file('dist/index.html', '2026-01-03T00:00:00Z');
    await file('vite.config.ts', '2026-01-04T00:00:00Z');

    expect(await webBuildReason(dir)).toBe('web/dist is older than web/src');
  });
});
