/**
 * `npm run bench -- web`: the portal's weight and speed.
 * 1. The JavaScript the first page (login, then the dashboard: one entry bundle) loads, gzipped,
 *    against the 150 KB target.
 * 2. The dashboard's first render in headless Chromium on the seeded local cloud: from navigation
 *    to the compliance figure visible, with the browser cache disabled, median of several runs,
 *    against the 1 s target; the same-run baseline is a static HTML page with the same figures and
 *    the same stylesheet, served by the same server (what a page costs with no app at all).
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { servePortal } from '#local/serve.ts';
import { buildWebApp, WEB_DIST } from '#local/web-app.ts';
import { launchChromium } from '../test/support/browser.ts';
import { startPortal } from '../test/support/portal.ts';
import type { BenchResult } from './types.ts';

const JS_TARGET_BYTES = 150 * 1024;
const RENDER_TARGET_MS = 1000;
const ROUNDS = 7;

/** The scripts index.html loads (entry and module preloads) and what they import statically. */
async function firstPageScripts(dist: string): Promise<string[]> {
  const html = await readFile(join(dist, 'index.html'), 'utf8');
  const found = new Set<string>();
  const queue = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1] as string);
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (found.has(file)) continue;
    found.add(file);
    const code = await readFile(join(dist, file), 'utf8');
    for (const m of code.matchAll(/\bimport\s*(?:[^"'()]*?from\s*)?["']\.\/([^"']+\.js)["']/g))
      queue.push(`assets/${m[1]}`);
  }
  return [...found];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

async function timeToFigure(page: Page, url: string): Promise<number> {
  const started = performance.now();
  await page.goto(url, { waitUntil: 'commit' });
  await page.locator('#compliance-figure').waitFor({ state: 'visible' });
  return performance.now() - started;
}

export async function benchWeb(): Promise<BenchResult> {
  await buildWebApp();
  const lines: string[] = [];

  const scripts = await firstPageScripts(WEB_DIST);
  let raw = 0;
  let gzipped = 0;
  for (const file of scripts) {
    const bytes = await readFile(join(WEB_DIST, file));
    raw += bytes.length;
    gzipped += gzipSync(bytes, { level: 9 }).length;
  }
  const css = (await readdir(join(WEB_DIST, 'assets'))).filter((f) => f.endsWith('.css'));
  let cssGz = 0;
  for (const f of css) cssGz += gzipSync(await readFile(join(WEB_DIST, 'assets', f)), { level: 9 }).length;
  const jsOk = gzipped <= JS_TARGET_BYTES;
  lines.push(
    `first-page JavaScript: ${scripts.length} file(s), ${(raw / 1024).toFixed(1)} KiB, ${(gzipped / 1024).toFixed(1)} KiB gzipped — target ≤ ${JS_TARGET_BYTES / 1024} KiB (${((gzipped / JS_TARGET_BYTES) * 100).toFixed(0)} % of it); stylesheet ${(cssGz / 1024).toFixed(1)} KiB gzipped`,
  );

  const portal = await startPortal();
  const root = await mkdtemp(join(tmpdir(), 'reversa-bench-web-'));
  const browser = await launchChromium();
  try {
    // The same web app plus a static page of the same figures, served by the same server and handler.
    await cp(WEB_DIST, root, { recursive: true });
    const status = (await (
      await fetch(`${portal.url}/v1/tenants/acme/status`, {
        headers: { authorization: `Bearer ${portal.users.client.token}` },
      })
    ).json()) as { name: string; compliancePercent: number; lateNow: Array<{ resourceId: string; reason: string }> };
    const stylesheet = css[0] ? `<link rel="stylesheet" href="/assets/${css[0]}">` : '';
    await writeFile(
      join(root, 'baseline.html'),
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>baseline</title>${stylesheet}</head><body><main><h1>Dashboard ${status.name}</h1><p class="figure"><span id="compliance-figure">${status.compliancePercent} %</span></p><ul>${status.lateNow.map((l) => `<li>${l.resourceId}: ${l.reason}</li>`).join('')}</ul></main></body></html>`,
    );
    const server = await servePortal({ handler: portal.handler, port: 0, webRoot: root });
    try {
      const page = await browser.context.newPage();
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      // Signed in as the client: the session the login page would have stored.
      await page.addInitScript(
        ([token, expiresAt]) => {
          const storage = (globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } })
            .sessionStorage;
          storage.setItem('reversa.session', JSON.stringify({ token, expiresAt, deadline: Date.now() + 3_600_000 }));
        },
        [portal.users.client.token, new Date(portal.clock.now() + 3_600_000).toISOString()],
      );
      await timeToFigure(page, `${server.url}/t/acme`); // warm the server's code paths once
      const app: number[] = [];
      const baseline: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        app.push(await timeToFigure(page, `${server.url}/t/acme`));
        baseline.push(await timeToFigure(page, `${server.url}/baseline.html`));
      }
      const appMs = median(app);
      const baseMs = median(baseline);
      const renderOk = appMs <= RENDER_TARGET_MS;
      lines.push(
        `dashboard first render (navigation → compliance figure visible, cache disabled): median ${appMs.toFixed(0)} ms of ${ROUNDS} (${app.map((t) => t.toFixed(0)).join(', ')}) — target ≤ ${RENDER_TARGET_MS} ms`,
        `baseline, a static HTML page of the same figures from the same server: median ${baseMs.toFixed(0)} ms (${baseline.map((t) => t.toFixed(0)).join(', ')}); the app takes ${(appMs / baseMs).toFixed(1)}× (+${(appMs - baseMs).toFixed(0)} ms: the bundle, /v1/me, /v1/tenants, /status and /reports)`,
      );
      return { name: 'web: first-page JavaScript and dashboard first render', lines, ok: jsOk && renderOk };
    } finally {
      await server.close();
    }
  } finally {
    await browser.close();
    await portal.stop();
    await rm(root, { recursive: true, force: true });
  }
}
