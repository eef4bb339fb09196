/**
 * Debian's Chromium driven by playwright-core (no downloaded browser: `npx playwright install` cannot
 * run here), headless, offline and quiet, on a fresh profile in a temp directory per launch.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface BrowserFixture {
  /** A persistent context on the fresh profile (Chromium's --user-data-dir). */
  context: BrowserContext;
  browser: Browser | null;
  profile: string;
  close(): Promise<void>;
}

export async function launchChromium(
  options: { viewport?: { width: number; height: number }; downloads?: string } = {},
): Promise<BrowserFixture> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the portal is tested in a real browser. Install it: apt-get install chromium`,
    );
  }
  const profile = await mkdtemp(join(tmpdir(), 'reversa-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
    acceptDownloads: true,
    viewport: options.viewport ?? { width: 1280, height: 900 },
    ...(options.downloads ? { downloadsPath: options.downloads } : {}),
  });
  return {
    context,
    browser: context.browser(),
    profile,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
