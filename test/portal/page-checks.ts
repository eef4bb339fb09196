/**
 * What every portal page must pass in the browser tests: axe-core finds no serious or critical
 * violation; a desktop and a phone screenshot are not blank and show the page's key text; the
 * strict CSP refused nothing; no request left the origin.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { decodePng, luminanceDeviation } from '../support/png.ts';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** Records CSP refusals, page errors and requests to other origins for a page's whole life. */
export function watchPage(page: Page, origin: string): { problems: string[] } {
  const problems: string[] = [];
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy|Refused to/i.test(text)) problems.push(`CSP: ${text}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    const url = new URL(request.url());
    // A presigned download link is a navigation the person chose, to the store that holds the file.
    const download = request.isNavigationRequest() && url.searchParams.has('X-Amz-Signature');
    if (url.origin !== origin && url.protocol !== 'data:' && url.protocol !== 'blob:' && !download) {
      problems.push(`request to another origin: ${request.url()}`);
    }
  });
  return { problems };
}

/**
 * Runs axe-core in the page. Its source goes in through the DevTools protocol (page.evaluate), not
 * page.addScriptTag: the portal's CSP (script-src 'self', no inline scripts) refuses the inline
 * <script> addScriptTag would add, which is the CSP doing its job.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate('typeof axe === "object"'))) await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(`axe.run().then((r) => r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target })),
  })))`)) as AxeViolation[];
  return violations;
}

/** axe, then a screenshot at each size with its checks; `keyText` must be visible at both. */
export async function checkPage(page: Page, dir: string, name: string, keyText: Array<string | RegExp>): Promise<void> {
  const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious, `${name}: axe-core serious/critical violations`).toEqual([]);
  await mkdir(dir, { recursive: true });
  for (const [size, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    for (const text of keyText) await expect.poll(() => page.getByText(text).first().isVisible()).toBe(true);
    const png = await page.screenshot({ fullPage: true });
    await writeFile(join(dir, `${name}-${size}.png`), png);
    const pixels = decodePng(png);
    expect(pixels.width).toBe(viewport.width);
    expect(luminanceDeviation(pixels), `${name} (${size}) screenshot is blank`).toBeGreaterThan(20);
    // Readable on a phone: nothing wider than the screen but what scrolls in its own region.
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow, `${name} (${size}) scrolls sideways`).toBeLessThanOrEqual(0);
  }
  await page.setViewportSize(DESKTOP);
}
