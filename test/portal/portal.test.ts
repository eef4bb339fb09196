/**
 * The portal in a real browser (Debian's Chromium through playwright-core) on a seeded local cloud:
 * each job a client, an auditor and a provider operator comes for, done through the pages, with
 * every page checked by axe-core and screenshotted on a desktop and a phone.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '#core/portal/security-headers.ts';
import { type BrowserFixture, launchChromium } from '../support/browser.ts';
import { PASSWORD, type PortalFixture, type PortalUserFixture, previousMonth, startPortal } from '../support/portal.ts';
import { HOUR } from '../support/verify-fixtures.ts';
import { checkPage, watchPage } from './page-checks.ts';

let portal: PortalFixture;
let browser: BrowserFixture;
let shots: string;
let page: Page;
let watched: { problems: string[] };
// The seeded history sits at the start of this hour, so the browser's clock and the API's agree.
const AT = Math.floor(Date.now() / HOUR) * HOUR;

beforeAll(async () => {
  shots = await mkdtemp(join(tmpdir(), 'reversa-portal-shots-'));
  [portal, browser] = await Promise.all([
    startPortal({ at: AT }),
    launchChromium({ downloads: join(shots, 'downloads') }),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  // Screenshots stay for a person to look at when REVERSA_KEEP_SHOTS is set.
  if (!process.env.REVERSA_KEEP_SHOTS) await rm(shots, { recursive: true, force: true });
  else console.log(`portal screenshots in ${shots}`);
});

beforeEach(async () => {
  portal.clock.set(AT);
  page = await browser.context.newPage();
  watched = watchPage(page, portal.url);
});

afterEach(async () => {
  await page.close();
  portal.clock.set(AT);
  expect(watched.problems).toEqual([]);
});

async function logIn(user: PortalUserFixture): Promise<void> {
  await page.goto(`${portal.url}/`);
  await page.getByLabel('E-mail').fill(user.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

async function apiJson<T>(path: string, user: PortalUserFixture): Promise<T> {
  const response = await fetch(`${portal.url}${path}`, { headers: { authorization: `Bearer ${user.token}` } });
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('the client', () => {
  it('logs in and sees its dashboard: compliance over time, findings by severity, what is late, restore tests, dossier readiness', async () => {
    const status = await apiJson<{ compliancePercent: number; restoreTests: { passed: number; failed: number } }>(
      '/v1/tenants/acme/status',
      portal.users.client,
    );

    await logIn(portal.users.client);

    await expect.poll(() => page.url()).toBe(`${portal.url}/t/acme`);
    await expect.poll(() => page.locator('#compliance-figure').textContent()).toBe(`${status.compliancePercent} %`);
    const history = await apiJson<{ items: unknown[] }>('/v1/tenants/acme/reports', portal.users.client);
    const chart = page.getByRole('img', { name: /Compliance over time/ });
    expect(history.items.length).toBe(3);
    expect(await chart.locator('circle').count()).toBe(history.items.length);
    expect(await chart.getAttribute('aria-labelledby')).toBeTruthy();
    expect(await page.getByRole('img', { name: /3 verification run\(s\)/ }).count()).toBe(1);
    expect(await page.getByRole('img', { name: /Findings by severity/ }).count()).toBe(1);
    expect(await page.getByRole('img', { name: /RTO trend/ }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'Late now' }).isVisible()).toBe(true);
    expect(await page.locator('.count-ok').textContent()).toBe(String(status.restoreTests.passed));
    expect(await page.locator('.count-bad').textContent()).toBe(String(status.restoreTests.failed));
    expect(
      await page.getByRole('region', { name: 'Reversibility dossier' }).getByText('ready', { exact: true }).isVisible(),
    ).toBe(true);
    expect(await page.title()).toBe('Dashboard — ACME Industries — Reversa portal');
    // The contract's levels this month so far, from their own route: each one with its met/missed badge.
    const standing = await apiJson<{ levels: { id: string; title: string; met: boolean }[] }>(
      '/v1/tenants/acme/sla/standing',
      portal.users.client,
    );
    const levels = page.getByRole('region', { name: 'Service levels this period' });
    await levels.locator('#service-levels-table').waitFor();
    expect(standing.levels.length).toBeGreaterThan(0);
    expect(await levels.locator('tbody tr').count()).toBe(standing.levels.length);
    for (const l of standing.levels) {
      const row = levels.locator(`tr[data-level="${l.id}"]`);
      expect(await row.getByRole('rowheader').textContent()).toBe(l.title);
      expect(await row.getByText(l.met ? 'met' : 'missed', { exact: true }).isVisible()).toBe(true);
    }
    expect(await levels.locator('#sla-penalty').textContent()).toMatch(/€/);
    expect(await levels.getByRole('link', { name: /Statements of closed periods/ }).getAttribute('href')).toBe(
      '/t/acme/audit',
    );
    await checkPage(page, shots, 'dashboard', ['Compliance', 'Reversibility dossier', 'Service levels this period']);
  });

  it('downloads a dossier through a fresh link, and the downloaded bytes have the SHA-256 the page shows', async () => {
    await logIn(portal.users.client);
    await page.getByRole('link', { name: 'Dossiers', exact: true }).click();
    await page.getByRole('heading', { name: 'Reversibility dossiers' }).waitFor();

    await page.getByRole('button', { name: 'Get a download link for v1' }).click();
    const shown = (await page.getByLabel(/^SHA-256 of reversa-dossier-acme-v1\.zip$/).textContent())?.trim() ?? '';
    const downloading = page.waitForEvent('download');
    await page.locator('#download-v1').click();
    const download = await downloading;
    const bytes = await readFile((await download.path()) as string);

    expect(shown).toMatch(/^[0-9a-f]{64}$/);
    expect(sha256(bytes)).toBe(shown);
    expect(download.suggestedFilename()).toBe('reversa-dossier-acme-v1.zip');
    // The successor's stock commands are on the page, the first one naming the file.
    expect(await page.getByText('sha256sum -c reversa-dossier-acme-v1.zip.sha256').isVisible()).toBe(true);
    // The link is in the audit log, issued to the client.
    const entries = await apiJson<{ items: Array<{ type: string; summary: Record<string, unknown> }> }>(
      '/v1/tenants/acme/audit/entries?limit=200',
      portal.users.client,
    );
    expect(entries.items.filter((e) => e.type === 'dossier-link').map((e) => e.summary.issuedBy)).toContain(
      portal.users.client.email,
    );
    await checkPage(page, shots, 'dossiers', ['Reversibility dossiers', 'How a successor verifies it']);
  });

  it('comments on a finding, sees it in the timeline, and is offered no provider edit', async () => {
    await logIn(portal.users.client);
    await page.getByRole('link', { name: 'Findings', exact: true }).click();
    await page.getByRole('link', { name: /restore test FAILED: 1 changed: projects\/budget-acme\.csv/ }).click();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();

    const text = `We restored budget-acme.csv by hand on ${new Date(AT).toISOString()}`;
    await page.getByLabel('Your comment').fill(text);
    await page.getByRole('button', { name: 'Add comment' }).click();

    await page.locator('.timeline').getByText(text).waitFor();
    expect(await page.getByLabel('Root cause', { exact: true }).count()).toBe(0);
    const detail = await apiJson<{ timeline: Array<{ by: string; text: string }> }>(
      '/v1/tenants/acme/findings/finding-rt-acme-2',
      portal.users.client,
    );
    expect(detail.timeline).toContainEqual(
      expect.objectContaining({ by: portal.users.client.email, kind: 'comment', text }),
    );
    await checkPage(page, shots, 'finding', ['Finding', text]);
    await page.goto(`${portal.url}/t/acme/findings`);
    await page.getByRole('table', { name: /Findings, newest first/ }).waitFor();
    await checkPage(page, shots, 'findings', ['Findings']);
  });
});

describe('the auditor', () => {
  it('starts on the audit view, opens the restore-test log, filters it and reads an evidence record', async () => {
    await logIn(portal.users.auditor);
    await expect.poll(() => page.url()).toBe(`${portal.url}/t/acme/audit`);

    await page.getByRole('link', { name: 'Restore tests', exact: true }).click();
    await page.getByRole('table', { name: /Restore tests, newest first/ }).waitFor();
    // Like a page load, a navigation moves focus to the new page's heading, so a screen reader announces it.
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Restore-test log');
    expect(await page.locator('tbody tr').count()).toBe(3);
    await checkPage(page, shots, 'restore-tests', ['Restore-test log']);
    await page.getByLabel('Outcome').selectOption('FAILED');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await page.getByRole('link', { name: 'Evidence of rt-acme-2' }).click();

    await page.getByRole('heading', { name: 'Checks' }).waitFor();
    expect(await page.getByRole('region', { name: 'Checks' }).locator('.names').textContent()).toBe(
      '1 changed: projects/budget-acme.csv',
    );
    expect(await page.getByRole('heading', { name: 'Cleanup proof' }).isVisible()).toBe(true);
    await checkPage(page, shots, 'evidence', ['Evidence record', 'Cleanup proof']);
  });

  it('verifies the audit log from the portal: OK, with the chain head and sealed head the API computes', async () => {
    await logIn(portal.users.auditor);
    await page.getByRole('button', { name: 'Verify the audit log now' }).click();

    await page.locator('#verification-result').waitFor();
    const api = await apiJson<{ headSeq: number; headHash: string; sealedHead?: { entryHash: string } }>(
      '/v1/tenants/acme/audit/verification',
      portal.users.auditor,
    );
    expect(await page.locator('#verification-result').getByText('Verified OK').isVisible()).toBe(true);
    expect(await page.getByLabel('chain head hash').textContent()).toBe(api.headHash);
    expect(await page.locator('#verification-result').textContent()).toContain(`#${api.headSeq}`);
    expect(await page.locator('#verification-result').textContent()).toContain(api.sealedHead?.entryHash);
    await page
      .getByRole('region', { name: 'Control mapping' })
      .getByText('ISO/IEC 27001:2022 A.8.13')
      .first()
      .waitFor();
    await checkPage(page, shots, 'audit', ['Audit-log verification', 'Control mapping', 'Verified OK']);
  });

  it('downloads the period report as HTML and PDF and the audit-log export as a zip openssl-ready for offline checks', async () => {
    await logIn(portal.users.auditor);
    const period = `${new Date(AT - 24 * HOUR).getUTCFullYear()}-Q${Math.floor(new Date(AT - 24 * HOUR).getUTCMonth() / 3) + 1}`;
    await page.getByLabel('Period').selectOption(period);
    await page.getByRole('heading', { name: /^Restore tests in Q/ }).waitFor();

    const html = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download the report (HTML)' }).click();
    const htmlBytes = await readFile((await (await html).path()) as string, 'utf8');
    const pdf = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download the report (PDF)' }).click();
    const pdfDownload = await pdf;
    const pdfBytes = await readFile((await pdfDownload.path()) as string);
    await page.getByRole('button', { name: 'Export the audit log (zip)' }).click();
    const zip = page.waitForEvent('download');
    await page.locator('#audit-export-link').click();
    const zipPath = (await (await zip).path()) as string;

    expect(htmlBytes).toContain('ACME Industries');
    expect(htmlBytes).toContain('A.8.13');
    expect(pdfDownload.suggestedFilename()).toBe(`reversa-auditor-report-acme-${period}.pdf`);
    expect(pdfBytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const listing = execFileSync('unzip', ['-l', zipPath], { encoding: 'utf8' });
    expect(listing).toMatch(/public-key\.pem/);
    expect(listing).toMatch(/\.sig\b/);
  });

  it("downloads a closed month's SLA statement as printable HTML", async () => {
    await logIn(portal.users.auditor);
    const month = previousMonth(AT);
    await page.getByLabel('Period').selectOption(month);

    const statement = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download the SLA statement (HTML)' }).click();
    const download = await statement;
    const text = await readFile((await download.path()) as string, 'utf8');

    expect(download.suggestedFilename()).toBe(`reversa-sla-acme-${month}.html`);
    expect(text).toContain('MSA-ACME-2026-01');
    expect(text).toContain(month);
  });

  it('is refused with a clear message once its access window has ended', async () => {
    portal.clock.set(Date.parse(portal.users.expiredAuditor.accessUntil as string) + HOUR);

    await page.goto(`${portal.url}/`);
    await page.getByLabel('E-mail').fill(portal.users.expiredAuditor.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();

    const message = page.locator('#login-error');
    await message.waitFor();
    expect(await message.textContent()).toMatch(/access window ended at .*Your access as an auditor is over/);
    expect(await page.getByRole('button', { name: 'Log out' }).count()).toBe(0);
    await checkPage(page, shots, 'login-refused', ['Log in to the portal', /access window ended/]);
  });
});

describe('the provider operator', () => {
  it('records a root cause and a corrective action and closes the finding', async () => {
    await logIn(portal.users.operator);
    await page.goto(`${portal.url}/t/acme/findings/finding-rt-acme-2`);
    await page.getByLabel('Root cause', { exact: true }).waitFor();

    await page.getByLabel('Root cause', { exact: true }).fill('The NAS share was written during the backup window.');
    await page.getByLabel('Corrective action', { exact: true }).fill('Snapshot the share before archiving it.');
    await page.getByLabel('Move it to').selectOption('CLOSED');
    await page.getByRole('button', { name: 'Save finding' }).click();

    await expect
      .poll(() => page.locator('#root-cause-value').textContent())
      .toBe('The NAS share was written during the backup window.');
    const finding = await apiJson<{ rootCause: string; status: string; state: string; updatedBy: string }>(
      '/v1/tenants/acme/findings/finding-rt-acme-2',
      portal.users.operator,
    );
    expect(finding).toMatchObject({
      rootCause: 'The NAS share was written during the backup window.',
      status: 'CLOSED',
      state: 'CLOSED',
      updatedBy: portal.users.operator.email,
    });
    await checkPage(page, shots, 'finding-edit', ['Root cause and corrective action']);
  });
});

describe('sessions and tenants', () => {
  it('sends a person whose token expired back to the login page, saying why', async () => {
    await logIn(portal.users.client);
    // Let the dashboard's own requests finish first: one still in flight when the clock jumps would get the 401
    // and send the page to the login before the click this test is about.
    await expect.poll(() => page.locator('#compliance-figure').textContent()).toMatch(/%/);
    await page
      .getByRole('img', { name: /Compliance over time/ })
      .locator('circle')
      .first()
      .waitFor();
    await expect.poll(() => page.title()).toContain('ACME Industries');
    portal.clock.advance(2 * HOUR);

    await page.getByRole('link', { name: 'Restore tests', exact: true }).click();

    await page.locator('#session-notice').waitFor();
    expect(await page.locator('#session-notice').textContent()).toMatch(/session has expired/);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it('logs out: the token is gone from the tab and the pages ask for a login again', async () => {
    await logIn(portal.users.client);
    await page.getByRole('button', { name: 'Log out' }).click();

    await page.getByRole('heading', { name: 'Log in to the portal' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.goto(`${portal.url}/t/acme/dossiers`);
    await page.getByRole('heading', { name: 'Log in to the portal' }).waitFor();
    await checkPage(page, shots, 'login', ['Log in to the portal']);
  });

  it('lets a provider admin switch tenant and stay on the same page', async () => {
    await logIn(portal.users.admin);
    await page.getByRole('link', { name: 'Restore tests', exact: true }).click();
    await page.getByRole('heading', { name: 'Restore-test log' }).waitFor();

    await page.getByLabel('Tenant').selectOption('globex');

    await expect.poll(() => new URL(page.url()).pathname).toBe('/t/globex/restore-tests');
    await page.getByRole('link', { name: 'Evidence of rt-globex-2' }).waitFor();
    expect(await page.getByRole('link', { name: /rt-acme/ }).count()).toBe(0);
    expect(await page.title()).toBe('Restore-test log — Globex Corporation — Reversa portal');
  });

  it('never shows a globex client any of acme’s data, even at acme’s addresses', async () => {
    const bodies: string[] = [];
    page.on('response', async (response) => {
      if (new URL(response.url()).pathname.startsWith('/v1/')) bodies.push(await response.text().catch(() => ''));
    });
    await logIn(portal.users.globexClient);
    await page.getByRole('heading', { name: /Dashboard/ }).waitFor();
    expect(await page.locator('.tenant-name').textContent()).toBe('Globex Corporation');
    for (const path of ['dossiers', 'findings', 'restore-tests', 'audit']) {
      await page.goto(`${portal.url}/t/globex/${path}`);
      await page.waitForLoadState('networkidle');
    }

    await page.goto(`${portal.url}/t/acme/dossiers`);
    await page.getByRole('heading', { name: 'No such tenant' }).waitFor();
    const direct = await page.evaluate(async () => {
      const token = JSON.parse(sessionStorage.getItem('reversa.session') ?? '{}').token;
      const r = await fetch('/v1/tenants/acme/dossiers', { headers: { authorization: `Bearer ${token}` } });
      return { status: r.status, body: await r.text() };
    });

    expect(direct.status).toBe(404);
    expect(bodies.length).toBeGreaterThan(5);
    for (const body of bodies) expect(body).not.toMatch(/acme/i);
    expect(direct.body).not.toMatch(/ACME Industries|dossier-acme|it@acme/);
    expect(await page.locator('body').textContent()).not.toMatch(/ACME Industries/);
  });
});

describe('the AWS login', () => {
  it('logs in through the hosted UI with PKCE when /config.json exists, exchanges the code, and logs out there', async () => {
    // What the deployment writes to /config.json and the CSP CloudFront sends (connect-src names the Cognito domain);
    // the hosted UI's endpoints are answered here, the browser sees real redirects and a real cross-origin POST.
    const cognito = 'https://auth.portal-test.example';
    const config = {
      cognitoDomain: cognito,
      clientId: 'test-client',
      region: 'eu-west-3',
      userPoolId: 'eu-west-3_Test',
      redirectUri: `${portal.url}/auth/callback`,
      logoutUri: `${portal.url}/`,
    };
    const csp = contentSecurityPolicy({ connectSources: [cognito] });
    await page.route(`${portal.url}/**`, async (route) => {
      const url = new URL(route.request().url());
      if (url.pathname === '/config.json') return route.fulfill({ json: config });
      if (route.request().resourceType() !== 'document') return route.fallback();
      const response = await route.fetch();
      return route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': csp } });
    });
    // The hosted UI sends the browser back with a new navigation (Playwright does not route a redirect's target).
    const goTo = (location: string) =>
      `<!doctype html><title>hosted UI</title><meta http-equiv="refresh" content="0;url=${location.replaceAll('&', '&amp;')}">`;
    let authorize: URL | undefined;
    let exchange: URLSearchParams | undefined;
    let logout: URL | undefined;
    await page.route(`${cognito}/**`, async (route) => {
      const url = new URL(route.request().url());
      if (url.pathname === '/oauth2/authorize') {
        authorize = url;
        const back = `${config.redirectUri}?code=the-code&state=${encodeURIComponent(url.searchParams.get('state') ?? '')}`;
        return route.fulfill({ contentType: 'text/html', body: goTo(back) });
      }
      if (url.pathname === '/oauth2/token') {
        exchange = new URLSearchParams(route.request().postData() ?? '');
        return route.fulfill({
          json: { id_token: portal.users.client.token, expires_in: 3600, token_type: 'Bearer' },
          headers: { 'access-control-allow-origin': portal.url },
        });
      }
      logout = url;
      return route.fulfill({ contentType: 'text/html', body: goTo(config.logoutUri) });
    });

    await page.goto(`${portal.url}/t/acme/findings`);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();

    expect(Object.fromEntries(authorize?.searchParams ?? [])).toMatchObject({
      response_type: 'code',
      client_id: 'test-client',
      redirect_uri: config.redirectUri,
      code_challenge_method: 'S256',
    });
    const verifier = exchange?.get('code_verifier') ?? '';
    expect(exchange?.get('code')).toBe('the-code');
    expect(exchange?.get('grant_type')).toBe('authorization_code');
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(
      authorize?.searchParams.get('code_challenge'),
    );
    await expect.poll(() => page.url()).toBe(`${portal.url}/t/acme/findings`);
    expect(await page.evaluate(() => sessionStorage.getItem('reversa.pkce'))).toBeNull();

    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => logout?.searchParams.get('logout_uri')).toBe(config.logoutUri);
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    // The requests to the hosted UI were the point of this test.
    watched.problems = watched.problems.filter((p) => !p.includes(cognito));
  });

  it('refuses a callback whose state this browser did not send', async () => {
    await page.route(`${portal.url}/config.json`, (route) =>
      route.fulfill({
        json: {
          cognitoDomain: 'https://auth.portal-test.example',
          clientId: 'test-client',
          region: 'eu-west-3',
          userPoolId: 'eu-west-3_Test',
          redirectUri: `${portal.url}/auth/callback`,
          logoutUri: `${portal.url}/`,
        },
      }),
    );
    await page.goto(`${portal.url}/auth/callback?code=stolen&state=forged`);
    await expect.poll(() => page.locator('#login-error').textContent()).toMatch(/does not match the login/);
    expect(page.url()).toBe(`${portal.url}/login`);
  });
});
