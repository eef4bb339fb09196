/**
 * The AWS login in the browser: `/config.json` says whether this portal logs in through the Cognito
 * hosted UI (it exists only in AWS, written by the deployment) or with the local login form (404 from
 * `reversa serve`). The PKCE verifier and state wait in sessionStorage during the redirect, like the
 * session itself (web/src/session.ts), and are removed as soon as the callback reads them.
 */
import {
  authorizeUrl,
  codeChallenge,
  codeFromCallback,
  type HostedUiConfig,
  LoginRefused,
  logoutUrl,
  type PendingLogin,
  parseHostedUiConfig,
  randomToken,
  tokenRequest,
} from './pkce.ts';

export type LoginMode = { kind: 'local' } | { kind: 'hosted'; config: HostedUiConfig };

const PENDING = 'reversa.pkce';

/** `/config.json`: 200 → the hosted UI, 404 → the local login form; anything else is an error. */
export async function loadLoginMode(fetchImpl: typeof fetch = fetch): Promise<LoginMode> {
  const response = await fetchImpl('/config.json', { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (response.status === 404) return { kind: 'local' };
  if (!response.ok) throw new Error(`/config.json answered HTTP ${response.status}`);
  const config = parseHostedUiConfig(await response.json());
  if (typeof config === 'string') throw new Error(config);
  return { kind: 'hosted', config };
}

const random = (bytes: Uint8Array): Uint8Array => crypto.getRandomValues(bytes as Uint8Array<ArrayBuffer>);
const sha256 = (data: Uint8Array): Promise<ArrayBuffer> => crypto.subtle.digest('SHA-256', data as BufferSource);

/** Sends the browser to the hosted UI; `next` is the app path to come back to. */
export async function startHostedLogin(config: HostedUiConfig, next: string): Promise<void> {
  const pending: PendingLogin = { state: randomToken(random), verifier: randomToken(random), next };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const challenge = await codeChallenge(pending.verifier, sha256);
  window.location.assign(authorizeUrl(config, { state: pending.state, challenge }));
}

function takePending(): PendingLogin | undefined {
  const text = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  if (!text) return undefined;
  try {
    const p = JSON.parse(text) as Partial<PendingLogin>;
    return typeof p.state === 'string' && typeof p.verifier === 'string' && typeof p.next === 'string'
      ? { state: p.state, verifier: p.verifier, next: p.next }
      : undefined;
  } catch {
    return undefined;
  }
}

/** On `/auth/callback`: checks the state, redeems the code, returns the ID token as a login and where to go next. */
export async function completeHostedLogin(
  config: HostedUiConfig,
  query: URLSearchParams,
  now: number,
): Promise<{ login: { token: string; expiresAt: string }; next: string }> {
  const pending = takePending();
  const code = codeFromCallback(query, pending);
  const verifier = (pending as PendingLogin).verifier;
  const request = tokenRequest(config, code, verifier);
  const response = await fetch(request.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: request.body,
  });
  const body = (await response.json().catch(() => ({}))) as {
    id_token?: unknown;
    expires_in?: unknown;
    error?: unknown;
  };
  if (!response.ok || typeof body.id_token !== 'string') {
    throw new LoginRefused(
      `the code exchange failed: ${typeof body.error === 'string' ? body.error : `HTTP ${response.status}`}`,
    );
  }
  const seconds = typeof body.expires_in === 'number' ? body.expires_in : 3600;
  const next = (pending as PendingLogin).next;
  return {
    login: { token: body.id_token, expiresAt: new Date(now + seconds * 1000).toISOString() },
    // Only a path of this app: never an absolute URL.
    next: next.startsWith('/') && !next.startsWith('//') ? next : '/',
  };
}

/** Ends the Cognito session too (the app's own session is cleared by the caller first). */
export function hostedLogout(config: HostedUiConfig): void {
  window.location.assign(logoutUrl(config));
}
