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

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path)) newest = Math.max(newest, await newestMtime(join(path, entry)));
  return newest;
}

/** Why the app in `webDir` must be built, or undefined when its dist/ is up to date. */
export async function webBuildReason(webDir: string = WEB_DIR): Promise<string | undefined> {
  const built = await stat(join(webDir, 'dist', 'index.html')).catch(() => undefined);
  if (!built) return 'web/dist is missing';
  const sources = Math.max(
    await newestMtime(join(webDir, 'src')),
    await newestMtime(join(webDir, 'index.html')),
    await newestMtime(join(webDir, 'vite.config.ts')),
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
  await vite.build({ configFile: join(WEB_DIR, 'vite.config.ts'), logLevel: 'warn' });
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
