/**
 * `npx reversa serve` as a user runs it on a fresh home: the web app at every client-side path with
 * the strict security headers, its hashed assets cached for good, no inline script or style in what
 * it serves (the CSP could not allow it), the API beside it, and a clean stop on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECURITY_HEADERS } from '#local/serve.ts';
import { freshHome } from './cli-support.ts';

const BIN = new URL('../../bin/reversa.js', import.meta.url).pathname;
let child: ChildProcess;
let url = '';
let home: Record<string, string>;

beforeAll(async () => {
  home = await freshHome('serve');
  child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--json'], {
    env: { ...process.env, NO_COLOR: '1', ...home },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    if (line.startsWith('{')) {
      const started = JSON.parse(line) as { url: string; web: boolean };
      expect(started.web).toBe(true);
      url = started.url;
      break;
    }
  }
}, 120_000);

afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGTERM');
  await rm(home.REVERSA_HOME as string, { recursive: true, force: true });
});

describe('reversa serve', () => {
  it('serves the web app at every client-side path, with the security headers CloudFront sends', async () => {
    for (const path of ['/', '/login', '/t/acme/findings/finding-1']) {
      const response = await fetch(`${url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      for (const [name, value] of Object.entries(SECURITY_HEADERS))
        expect(response.headers.get(name), name).toBe(value);
      expect(await response.text()).toContain('<div id="app"></div>');
    }
  });

  it('serves a build that needs no inline script or style: one module script and one stylesheet of this origin', async () => {
    const html = await (await fetch(`${url}/`)).text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    const styles = [...html.matchAll(/<link\b[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)];

    expect(scripts).toHaveLength(1);
    expect(scripts[0]?.[1]).toMatch(/type="module"[^>]*src="\/assets\/[^"]+\.js"/);
    expect(scripts[0]?.[2]?.trim()).toBe('');
    expect(html).not.toMatch(/<style\b|\sstyle="|\son[a-z]+="/i);
    expect(styles.map((m) => m[1])).toEqual([expect.stringMatching(/^\/assets\/[^"]+\.css$/)]);
    const asset = await fetch(`${url}${/src="([^"]+)"/.exec(scripts[0]?.[1] ?? '')?.[1]}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).not.toMatch(/https?:\/\/(?!www\.w3\.org)[a-z0-9.-]+\.[a-z]{2,}\//i);
  });

  it('answers the API beside it, with problem details', async () => {
    const response = await fetch(`${url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'nobody@example.com', password: 'wrong' }),
    });

    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(((await response.json()) as { code: string }).code).toBe('BadCredentials');
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');

    expect(await exited).toBe(0);
  });
});
