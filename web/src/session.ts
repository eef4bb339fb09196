/**
 * The signed-in session. The token is kept in sessionStorage, on purpose:
 * - it survives a reload of the tab but ends with the tab, and other tabs do not share it, so a
 *   forgotten browser window on a shared machine does not stay signed in the way localStorage would;
 * - it is sent only where the app puts it (an Authorization header to the same origin), never
 *   attached by the browser to every request the way a cookie is, so there is nothing to forge
 *   across sites (no CSRF);
 * - what protects it from other scripts is the CSP (script-src 'self', no inline code): no script
 *   but the app's own runs on this origin.
 * Expiry is measured from when the token arrived, by its own lifetime (exp − iat), so a browser
 * whose clock is off neither drops a valid session nor keeps a dead one; the API's 401 decides anyway.
 */

const KEY = 'reversa.session';

export interface Session {
  token: string;
  /** The server's expiry, for display. */
  expiresAt: string;
  /** When this browser considers the token expired (its own clock, epoch ms). */
  deadline: number;
}

function lifetimeMs(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as { exp?: unknown; iat?: unknown };
    if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number' || claims.exp <= claims.iat) return undefined;
    return (claims.exp - claims.iat) * 1000;
  } catch {
    return undefined;
  }
}

/** A session from a login response; `now` is this browser's clock. */
export function sessionFromLogin(login: { token: string; expiresAt: string }, now: number): Session {
  // Without readable iat/exp claims, an hour: what the identity provider issues.
  const lifetime = lifetimeMs(login.token) ?? 3_600_000;
  return { token: login.token, expiresAt: login.expiresAt, deadline: now + lifetime };
}

export function loadSession(storage: Storage = sessionStorage): Session | undefined {
  const text = storage.getItem(KEY);
  if (!text) return undefined;
  try {
    const s = JSON.parse(text) as Partial<Session>;
    if (typeof s.token === 'string' && typeof s.expiresAt === 'string' && typeof s.deadline === 'number') {
      return { token: s.token, expiresAt: s.expiresAt, deadline: s.deadline };
    }
  } catch {
    // A corrupt entry is as good as none.
  }
  storage.removeItem(KEY);
  return undefined;
}

export function saveSession(session: Session, storage: Storage = sessionStorage): void {
  storage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(storage: Storage = sessionStorage): void {
  storage.removeItem(KEY);
}
