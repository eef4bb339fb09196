/**
 * The built web app (web/dist) that `reversa serve` and the browser tests serve: built with Vite's
 * JS API when it is missing or older than its sources (web/src, web/index.html, the Vite config),
 * so `npm ci && npm start` then `npx reversa serve` shows the app with no separate build step.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InternalError } from '#core/errors.ts';

export const WEB_DIR = fileURLToPath(new URL('../web/', import.meta.url));
export const WEB_DIST = join(WEB_DIR, 'dist');
const CONFIG_FILE = join(WEB_DIR, 'vite.config.ts');

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path)) newest = Math.max(newest, await newestMtime(join(path, entry)));
  return newest;
}

/** Why the app must be built, or undefined when web/dist is up to date. */
export async function webBuildReason(): Promise<string | undefined> {
  const built = await stat(join(WEB_DIST, 'index.html')).catch(() => undefined);
  if (!built) return 'web/dist is missing';
  const sources = Math.max(
    await newestMtime(join(WEB_DIR, 'src')),
    await newestMtime(join(WEB_DIR, 'index.html')),
    await newestMtime(CONFIG_FILE),
  );
  return sources > built.mtimeMs ? 'web/dist is older than web/src' : undefined;
}

/** Builds web/dist with Vite (vite build, the same as `npm run web:build`). */
export async function buildWebApp(): Promise<void> {
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch (error) {
    throw new InternalError('ViteMissing', 'cannot build the web app: vite is not installed (run npm ci)', {
      cause: error,
    });
  }
  await vite.build({ configFile: CONFIG_FILE, logLevel: 'warn' });
}

/** Builds the web app when needed; `onBuild` is told why before the build starts. Returns web/dist. */
export async function ensureWebApp(onBuild: (reason: string) => void = () => {}): Promise<string> {
  const reason = await webBuildReason();
  if (reason) {
    onBuild(reason);
    await buildWebApp();
  }
  return WEB_DIST;
}
