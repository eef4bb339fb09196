/**
 * The isolation matrix of the portal API, generated from the route table: every route × every role ×
 * own tenant / foreign tenant / missing tenant / no token / expired token / a token signed by another
 * key / altered claims / an auditor past its window → the expected status, every JSON body valid
 * against the route's schema, and no byte of the other tenant in any body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '#api/api.ts';
import { type ApiRequest, apiHandler, bodyBytes } from '#api/handle.ts';
import type { Route } from '#api/route.ts';
import { roleMay } from '#core/identity/roles.ts';
import { type PortalFixture, previousMonth, startPortal } from '../support/portal.ts';

let portal: PortalFixture;
/** The month the fixture issued a statement for (every role reads it). */
let SEEDED_STATEMENT = '';
let handle: ReturnType<typeof apiHandler>;
const exportsStarted: string[] = [];

beforeAll(async () => {
  portal = await startPortal();
  SEEDED_STATEMENT = previousMonth(portal.clock.now());
  // Authorization is what is tested here: exports are recorded, not run (the workflow tests run them).
  handle = apiHandler(API_ROUTES, {
    ...portal.deps,
    startExport: async (input) => {
      exportsStarted.push(input.tenantId);
      return { executionName: `dossier-${input.tenantId}-test`, status: 'RUNNING' };
    },
  });
}, 180_000);
afterAll(() => portal?.stop());

const OTHER = { acme: 'globex', globex: 'acme' } as const;
/** Strings only one tenant's data contains: its id in keys, its name, its secrets, its files. */
const MARKERS = {
  acme: ['acme', 'ACME Industries', 'budget-acme'],
  globex: ['globex', 'Globex Corporation', 'budget-globex'],
} as const;

function pathOf(route: Route, tenant: string): string {
  return route.path
    .replace('{tenant}', tenant)
    .replace('{findingId}', `finding-rt-${tenant}-2`)
    .replace('{testId}', `rt-${tenant}-0`)
    .replace('{version}', '1')
    .replace('{period}', SEEDED_STATEMENT);
}

function requestFor(route: Route, tenant: string, authorization?: string): ApiRequest {
  const query: Record<string, string> = route.id === 'auditorReport' ? { period: '2026' } : {};
  const body =
    route.id === 'updateFinding'
      ? { rootCause: 'a changed file after the backup' }
      : route.id === 'commentFinding'
        ? { text: 'we are looking into it' }
        : route.id === 'createDossierLink'
          ? { expiresIn: 3600 }
          : undefined;
  return {
    method: route.method,
    path: pathOf(route, tenant),
    query,
    headers: {
      ...(authorization ? { authorization } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: Buffer.from(JSON.stringify(body)) } : {}),
    address: '127.0.0.1',
  };
}

async function call(route: Route, tenant: string, token?: string) {
  const response = await handle(requestFor(route, tenant, token === undefined ? undefined : `Bearer ${token}`));
  const text = Buffer.from(await bodyBytes(response.body)).toString('latin1');
  return { status: response.status, headers: response.headers, text };
}

const protectedRoutes = API_ROUTES.filter((r) => r.auth !== 'public');
const tenantRoutes = protectedRoutes.filter((r) => r.path.includes('{tenant}'));
const principals = ['admin', 'operator', 'client', 'auditor', 'globexClient'] as const;

function validates(route: Route, status: number, text: string): void {
  const spec = route.responses.find((r) => r.status === status && r.schema);
  if (!spec?.schema) return;
  const parsed = spec.schema.safeParse(JSON.parse(text));
  expect(parsed.success, `${route.id} ${status}: ${parsed.success ? '' : parsed.error.message}`).toBe(true);
}

describe('every route × every role', () => {
  for (const name of principals) {
    it(`${name}: allowed actions succeed on its tenants, the rest is 403, other tenants are 404, and no foreign data leaks`, async () => {
      const user = portal.users[name];
      const own = name === 'globexClient' ? 'globex' : 'acme';
      const foreign = OTHER[own];
      for (const route of tenantRoutes) {
        const mine = await call(route, own, user.token);
        const action = route.auth as Parameters<typeof roleMay>[1];
        const expected = roleMay(user.role, action) ? [200, 201, 202, 303] : [403];
        expect(expected, `${name} ${route.method} ${route.path} → ${mine.status} ${mine.text.slice(0, 200)}`).toContain(
          mine.status,
        );
        if (mine.status < 300 && (mine.headers['content-type'] ?? '').startsWith('application/json'))
          validates(route, mine.status, mine.text);

        const theirs = await call(route, foreign, user.token);
        if (user.role === 'provider-admin') expect(expected).toContain(theirs.status);
        else expect(theirs.status, `${name} reaching ${foreign} via ${route.path}`).toBe(404);

        const missing = await call(route, 'nosuch', user.token);
        expect(missing.status).toBe(404);

        if (user.role !== 'provider-admin') {
          // A refusal may echo the id the caller itself sent (the problem's instance); never anything else of it.
          for (const text of [mine.text, missing.text]) {
            for (const marker of MARKERS[foreign])
              expect(text, `${name} ${route.id} leaks ${marker}`).not.toContain(marker);
          }
          for (const marker of MARKERS[foreign].slice(1)) {
            expect(theirs.text, `${name} ${route.id} leaks ${marker}`).not.toContain(marker);
          }
          expect(JSON.parse(theirs.text)).toMatchObject({ status: 404, code: 'TenantNotFound' });
        }
      }
    });
  }

  it('started exports only where a provider role asked: acme (operator, admin) and globex (admin)', () => {
    expect([...exportsStarted].sort()).toEqual(['acme', 'acme', 'globex']);
  });

  it('lists for each caller exactly the tenants it may address', async () => {
    const listTenants = API_ROUTES.find((r) => r.id === 'listTenants') as Route;
    const ids = async (name: (typeof principals)[number]) =>
      (
        JSON.parse((await call(listTenants, '', portal.users[name].token)).text) as { tenants: { id: string }[] }
      ).tenants.map((t) => t.id);

    expect(await ids('admin')).toEqual(['acme', 'globex']);
    expect(await ids('client')).toEqual(['acme']);
    expect(await ids('globexClient')).toEqual(['globex']);
  });
});

describe('bad or missing identities', () => {
  function tamper(token: string): string {
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    claims['custom:tenants'] = 'acme,globex';
    return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
  }

  it('refuses every protected route without a token, with an expired one, one signed by another key, or altered claims', async () => {
    const cases = {
      none: undefined,
      expired: portal.tokens.expired,
      otherKey: portal.tokens.otherKey,
      altered: tamper(portal.users.client.token),
      garbage: 'not-a-jwt',
    };
    for (const route of protectedRoutes) {
      for (const [label, token] of Object.entries(cases)) {
        const result = await call(route, 'acme', token);
        expect(result.status, `${label} on ${route.path}`).toBe(401);
        expect(result.headers['content-type']).toBe('application/problem+json');
        expect(result.headers['www-authenticate']).toBe('Bearer realm="reversa"');
        for (const marker of [...MARKERS.acme.slice(1), ...MARKERS.globex]) expect(result.text).not.toContain(marker);
      }
    }
  });

  it('refuses an auditor past its access window on every route, naming the window', async () => {
    portal.clock.set(portal.clock.now() + 2 * 3_600_000);
    try {
      for (const route of protectedRoutes) {
        const result = await call(route, 'acme', portal.users.expiredAuditor.token);
        // The token itself outlives nothing: it expires with the window, so past it the token is refused too.
        expect([401, 403], `${route.path}: ${result.text}`).toContain(result.status);
        expect(result.text).toMatch(/access window ended|token has expired/);
      }
    } finally {
      portal.clock.set(portal.clock.now() - 2 * 3_600_000);
    }
  });

  it('lets the auditor with a running window read, and refuses it anything that writes', async () => {
    const writes = tenantRoutes.filter((r) => r.method !== 'GET');
    for (const route of writes) {
      expect((await call(route, 'acme', portal.users.auditor.token)).status, route.path).toBe(403);
    }
  });
});

describe('the server', () => {
  it('answers a login with the exact contract scripts use, and problem details for a wrong password', async () => {
    const ok = await fetch(`${portal.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'it@acme.example', password: 'correct horse battery staple' }),
    });
    const bad = await fetch(`${portal.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'it@acme.example', password: 'wrong' }),
    });

    const body = (await ok.json()) as Record<string, unknown>;
    expect(ok.status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['expiresAt', 'token']);
    expect(bad.status).toBe(401);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
  });

  it('locks logins after at most five failures, answering 429 with Retry-After, even for the right password', async () => {
    const attempt = (password: string) =>
      fetch(`${portal.url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'ops@provider.example', password }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt('guess')).status);

    const right = await attempt('correct horse battery staple');

    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.at(-1)).toBe(429);
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('serves the OpenAPI document it is generated from', async () => {
    const doc = (await (await fetch(`${portal.url}/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };

    expect(doc.openapi).toBe('3.1.0');
    for (const route of API_ROUTES) expect(Object.keys(doc.paths)).toContain(route.path);
  });
});

describe('incidents through the API', () => {
  async function send(method: string, path: string, token: string, body?: unknown) {
    const response = await handle({
      method,
      path,
      query: {},
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: Buffer.from(JSON.stringify(body)) } : {}),
      address: '127.0.0.1',
    });
    const text = Buffer.from(await bodyBytes(response.body)).toString('utf8');
    return { status: response.status, json: JSON.parse(text) };
  }

  it('lets a provider acknowledge an incident, refuses a close without root cause, and keeps clients to comments', async () => {
    const operator = portal.users.operator.token;
    const listed = await handle({
      method: 'GET',
      path: '/v1/tenants/acme/findings',
      query: { state: 'OPEN', source: 'restore-test' },
      headers: { authorization: `Bearer ${operator}` },
      address: '127.0.0.1',
    });
    const open = JSON.parse(Buffer.from(await bodyBytes(listed.body)).toString('utf8')).items as {
      findingId: string;
    }[];
    const path = `/v1/tenants/acme/findings/${open.at(-1)?.findingId}`;

    const bareClose = await send('PATCH', path, operator, { state: 'CLOSED' });
    const acked = await send('PATCH', path, operator, { state: 'ACKNOWLEDGED', note: 'on it' });
    const byClient = await send('PATCH', path, portal.users.client.token, { state: 'RESOLVED' });
    const detail = await send('GET', path, operator);

    expect(open.length).toBeGreaterThan(0);
    expect(bareClose.status).toBe(400);
    expect(JSON.stringify(bareClose.json)).toMatch(/root cause/);
    expect(acked.status).toBe(200);
    expect(acked.json).toMatchObject({ state: 'ACKNOWLEDGED', status: 'OPEN', source: 'restore-test' });
    expect(acked.json.acknowledgedAt).toMatch(/^20\d\d-/);
    expect(byClient.status).toBe(403);
    // The fixture's clock stands still: entries share one instant, so their order among themselves is not asserted.
    expect(detail.json.timeline).toContainEqual(
      expect.objectContaining({ by: portal.users.operator.email, kind: 'change', text: 'acknowledged: on it' }),
    );
  });
});

describe('service levels through the API', () => {
  async function get(path: string, token: string, query: Record<string, string> = {}) {
    const response = await handle({
      method: 'GET',
      path,
      query,
      headers: { authorization: `Bearer ${token}` },
      address: '127.0.0.1',
    });
    const text = Buffer.from(await bodyBytes(response.body)).toString('utf8');
    const type = response.headers['content-type'] ?? '';
    return { status: response.status, type, text, json: type.includes('json') ? JSON.parse(text) : undefined };
  }

  it("shows every role the current month's standing so far: each level against its target, and the penalty", async () => {
    const standing = await get('/v1/tenants/acme/sla/standing', portal.users.client.token);

    expect(standing.status).toBe(200);
    expect(standing.json).toMatchObject({ period: '2026-11', contract: 'MSA-ACME-2026-01', currency: 'EUR' });
    expect(standing.json.levels.map((l: { id: string }) => l.id)).toEqual(
      expect.arrayContaining(['backup-compliance', 'restore-tests', 'rto']),
    );
    for (const level of standing.json.levels) {
      expect(typeof level.target).toBe('number');
      expect(typeof level.achieved).toBe('number');
      expect(typeof level.met).toBe('boolean');
      expect(level.penalty).toBeGreaterThanOrEqual(0);
    }
    expect(standing.json.total).toBeLessThanOrEqual(standing.json.cap ?? Number.POSITIVE_INFINITY);
    const report = await get('/v1/tenants/acme/reports/latest', portal.users.client.token, { format: 'html' });
    expect(report.text).toContain('<h2>Service levels 2026-11 so far</h2>');
  });

  it('issues a closed month only for a provider role; a client then reads it, and its read is audit-logged', async () => {
    const path = '/v1/tenants/acme/sla/statements/2026-09';
    const before = await get(path, portal.users.client.token);
    const issued = await get(path, portal.users.operator.token);
    const read = await get(path, portal.users.client.token);
    const html = await get(path, portal.users.auditor.token, { format: 'html' });
    const entries = await get('/v1/tenants/acme/audit/entries', portal.users.operator.token, { limit: '200' });

    expect(before.status).toBe(404);
    expect(before.json).toMatchObject({ code: 'StatementNotIssued' });
    expect(before.json.detail).toMatch(/2026-09 has not been issued/);
    expect(issued.status).toBe(200);
    expect(issued.json).toMatchObject({ version: 1, period: '2026-09', issuedBy: portal.users.operator.email });
    expect(read.json.statementSha256).toBe(issued.json.statementSha256);
    expect(html.type).toMatch(/^text\/html/);
    expect(html.text).toContain('2026-09');
    const reads = entries.json.items.filter((e: { type: string }) => e.type === 'sla-statement-read');
    expect(reads.map((e: { summary: { readBy: string; format: string } }) => e.summary)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ readBy: portal.users.client.email, format: 'json', period: '2026-09' }),
        expect.objectContaining({ readBy: portal.users.auditor.email, format: 'html', period: '2026-09' }),
      ]),
    );
    expect(reads.map((e: { summary: { readBy: string } }) => e.summary.readBy)).not.toContain(
      portal.users.operator.email,
    );
  });

  it('answers a bad period with a problem naming the parameter, and a month not over with 409', async () => {
    const base = '/v1/tenants/acme/sla/statements';
    const malformed = await get(`${base}/2026-13`, portal.users.operator.token);
    const quarter = await get(`${base}/2026-Q3`, portal.users.operator.token);
    const current = await get(`${base}/2026-11`, portal.users.operator.token);

    for (const bad of [malformed, quarter]) {
      expect(bad.status).toBe(400);
      expect(bad.type).toBe('application/problem+json');
      expect(bad.json.problems).toContainEqual(expect.objectContaining({ file: '<path>', path: 'period' }));
    }
    expect(quarter.json.problems[0].message).toMatch(/measured by month/);
    expect(current.status).toBe(409);
    expect(current.json).toMatchObject({ code: 'PeriodNotOver' });
    expect(current.json.detail).toMatch(/sla\/standing/);
  });
});
