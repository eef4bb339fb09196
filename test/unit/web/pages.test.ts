/** The web app's pure parts: routes, the session's lifetime, the restore-test filters, the auditor's periods. */
import { describe, expect, it } from 'vitest';
import { currentQuarter, periodOptions } from '../../../web/src/periods.ts';
import { restoreTestQuery } from '../../../web/src/restore-test-filters.ts';
import { parseRoute, tenantHref } from '../../../web/src/router.ts';
import { loadSession, saveSession, sessionFromLogin } from '../../../web/src/session.ts';

function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (k) => items.get(k) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (k) => void items.delete(k),
    setItem: (k, v) => void items.set(k, v),
  };
}

const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('routes', () => {
  it('round-trip every tenant page, escaping ids', () => {
    expect(parseRoute(tenantHref('acme', 'dashboard'))).toEqual({ page: 'dashboard', tenant: 'acme' });
    expect(parseRoute(tenantHref('acme', 'findings', 'finding/rt 1'))).toEqual({
      page: 'finding',
      tenant: 'acme',
      findingId: 'finding/rt 1',
    });
    expect(parseRoute(tenantHref('acme', 'restore-tests', 'rt-1'))).toEqual({
      page: 'restore-test',
      tenant: 'acme',
      testId: 'rt-1',
    });
    expect(parseRoute('/t/acme/audit')).toEqual({ page: 'audit', tenant: 'acme' });
  });

  it('send unknown or malformed paths to the not-found page', () => {
    expect(parseRoute('/t/acme/audit/x').page).toBe('not-found');
    expect(parseRoute('/t/%E0%A4%A/findings').page).toBe('not-found');
    expect(parseRoute('/elsewhere').page).toBe('not-found');
  });
});

describe('the session', () => {
  it('lasts the token’s own lifetime from its arrival, whatever the browser’s clock says', () => {
    const s = sessionFromLogin({ token: jwt({ iat: 1_000, exp: 4_600 }), expiresAt: '2026-11-20T11:00:00Z' }, 50_000);
    expect(s.deadline).toBe(50_000 + 3_600_000);
  });

  it('is kept across a reload of the tab, and a corrupt entry is dropped', () => {
    const storage = memoryStorage();
    const s = sessionFromLogin({ token: jwt({ iat: 0, exp: 60 }), expiresAt: 'x' }, 0);
    saveSession(s, storage);
    expect(loadSession(storage)).toEqual(s);
    storage.setItem('reversa.session', '{not json');
    expect(loadSession(storage)).toBeUndefined();
    expect(storage.length).toBe(0);
  });
});

describe('the restore-test filters', () => {
  it('ask the API for whole UTC days, `to` included', () => {
    const q = restoreTestQuery({ resource: ' nas://x ', outcome: 'FAILED', from: '2026-11-01', to: '2026-11-30' });
    expect(Object.fromEntries(q)).toEqual({
      limit: '50',
      resource: 'nas://x',
      outcome: 'FAILED',
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-30T23:59:59.999Z',
    });
  });
});

describe('the auditor’s periods', () => {
  it('offer this year up to now and all of last year, the current quarter first chosen', () => {
    const now = new Date('2026-05-10T12:00:00Z');
    const values = periodOptions(now).map((o) => o.value);
    expect(currentQuarter(now)).toBe('2026-Q2');
    expect(values.slice(0, 3)).toEqual(['2026', '2026-Q2', '2026-Q1']);
    expect(values).toContain('2026-05');
    expect(values).not.toContain('2026-06');
    expect(values).not.toContain('2026-Q3');
    expect(values).toContain('2025-Q4');
    expect(values).toContain('2025-12');
  });
});
