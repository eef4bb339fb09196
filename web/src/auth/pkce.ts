/**
 * OAuth 2.0 authorization code + PKCE (RFC 7636) for the Cognito hosted UI, as pure functions: what
 * the browser sends to the authorize endpoint, how the callback is checked, what goes to the token
 * endpoint. Randomness and hashing are parameters (WebCrypto in the browser), so the tests can use
 * the RFC's test vector. No secret exists on this side: the app client is public, and the verifier
 * proves that whoever redeems the code is whoever asked for it.
 */

/** What `/config.json` holds in AWS (infra/constructs/portal-site.ts PortalWebConfig). */
export interface HostedUiConfig {
  cognitoDomain: string;
  clientId: string;
  region: string;
  userPoolId: string;
  redirectUri: string;
  logoutUri: string;
}

/** What the browser keeps between the redirect to the hosted UI and the callback (sessionStorage). */
export interface PendingLogin {
  state: string;
  verifier: string;
  /** The app path to return to after the login. */
  next: string;
}

/** RFC 7636 §4.1: 43 to 128 characters of [A-Z] [a-z] [0-9] "-" "." "_" "~". */
export const VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;

export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** 32 random bytes as base64url: 43 characters, 256 bits (RFC 7636 §7.1 recommends exactly this). */
export function randomToken(random: (bytes: Uint8Array) => Uint8Array): string {
  return base64url(random(new Uint8Array(32)));
}

/** The S256 code challenge: BASE64URL(SHA-256(ASCII(verifier))). */
export async function codeChallenge(
  verifier: string,
  sha256: (data: Uint8Array) => Promise<ArrayBuffer>,
): Promise<string> {
  if (!VERIFIER_PATTERN.test(verifier)) throw new Error('the code verifier is not 43–128 unreserved characters');
  return base64url(new Uint8Array(await sha256(new TextEncoder().encode(verifier))));
}

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

/** The hosted UI's authorize URL for this login. */
export function authorizeUrl(config: HostedUiConfig, login: { state: string; challenge: string }): string {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: 'openid email',
    state: login.state,
    code_challenge: login.challenge,
    code_challenge_method: 'S256',
  });
  return `${trimSlash(config.cognitoDomain)}/oauth2/authorize?${params}`;
}

/** The hosted UI's logout URL: ends the Cognito session, then back to the portal. */
export function logoutUrl(config: HostedUiConfig): string {
  const params = new URLSearchParams({ client_id: config.clientId, logout_uri: config.logoutUri });
  return `${trimSlash(config.cognitoDomain)}/logout?${params}`;
}

export class LoginRefused extends Error {
  override readonly name = 'LoginRefused';
}

/**
 * The authorization code of a callback, once its `state` is the one this browser sent: a callback
 * this tab did not start (a forged link, a login started in another tab) is refused.
 */
export function codeFromCallback(query: URLSearchParams, pending: PendingLogin | undefined): string {
  const error = query.get('error');
  if (error !== null) {
    throw new LoginRefused(`the login was refused: ${query.get('error_description') ?? error}`);
  }
  const state = query.get('state');
  if (pending === undefined || state === null || state !== pending.state) {
    throw new LoginRefused('this login answer does not match the login this browser started: log in again');
  }
  const code = query.get('code');
  if (code === null || code === '') throw new LoginRefused('the login answer carries no authorization code');
  return code;
}

/** The token endpoint and the form body that redeems `code` with the verifier. */
export function tokenRequest(
  config: HostedUiConfig,
  code: string,
  verifier: string,
): { url: string; body: URLSearchParams } {
  return {
    url: `${trimSlash(config.cognitoDomain)}/oauth2/token`,
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code,
      redirect_uri: config.redirectUri,
      code_verifier: verifier,
    }),
  };
}

const CONFIG_KEYS = ['cognitoDomain', 'clientId', 'region', 'userPoolId', 'redirectUri', 'logoutUri'] as const;

/** `/config.json` as a HostedUiConfig, or the key that is missing; the domain must be https. */
export function parseHostedUiConfig(value: unknown): HostedUiConfig | string {
  if (typeof value !== 'object' || value === null) return 'config.json is not an object';
  const record = value as Record<string, unknown>;
  for (const key of CONFIG_KEYS) {
    if (typeof record[key] !== 'string' || record[key] === '') return `config.json has no ${key}`;
  }
  const config = record as unknown as HostedUiConfig;
  if (!config.cognitoDomain.startsWith('https://')) return 'config.json: cognitoDomain must be an https URL';
  return config;
}
