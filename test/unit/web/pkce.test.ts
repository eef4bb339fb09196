/** The web app's PKCE helpers (web/src/auth/pkce.ts): RFC 7636's test vector, the verifier's shape, the state check. */
import { createHash, randomFillSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  authorizeUrl,
  base64url,
  codeChallenge,
  codeFromCallback,
  type HostedUiConfig,
  LoginRefused,
  logoutUrl,
  parseHostedUiConfig,
  randomToken,
  tokenRequest,
  VERIFIER_PATTERN,
} from '../../../web/src/auth/pkce.ts';

const sha256 = async (data: Uint8Array): Promise<ArrayBuffer> => {
  const digest = createHash('sha256').update(data).digest();
  return digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength) as ArrayBuffer;
};
const random = (bytes: Uint8Array): Uint8Array => randomFillSync(bytes);

const config: HostedUiConfig = {
  cognitoDomain: 'https://reversaportal-111111111111.auth.eu-west-3.amazoncognito.com',
  clientId: 'client123',
  region: 'eu-west-3',
  userPoolId: 'eu-west-3_AbC',
  redirectUri: 'https://d111.cloudfront.net/auth/callback',
  logoutUri: 'https://d111.cloudfront.net/',
};

describe('PKCE code verifier and challenge', () => {
  it('derives the S256 challenge of RFC 7636 Appendix B from its verifier', async () => {
    // RFC 7636 Appendix B: the verifier is the base64url of these 32 octets.
    const octets = Uint8Array.from([
      116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240,
      91, 88, 5, 88, 83, 132, 141, 121,
    ]);
    const verifier = base64url(octets);
    expect(verifier).toBe('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
    expect(await codeChallenge(verifier, sha256)).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes 43-character verifiers of unreserved characters, a new one each time', () => {
    const verifiers = Array.from({ length: 50 }, () => randomToken(random));
    for (const v of verifiers) {
      expect(v).toHaveLength(43);
      expect(v).toMatch(VERIFIER_PATTERN);
      expect(v).toMatch(/^[A-Za-z0-9_-]+$/);
    }
    expect(new Set(verifiers).size).toBe(verifiers.length);
  });

  it('refuses a verifier too short or with characters RFC 7636 does not allow', async () => {
    await expect(codeChallenge('short', sha256)).rejects.toThrow(/43–128/);
    await expect(codeChallenge(`${'a'.repeat(43)}+`, sha256)).rejects.toThrow(/43–128/);
  });
});

describe('hosted UI requests', () => {
  it('sends the S256 challenge, the state and the callback to the authorize endpoint', () => {
    const url = new URL(authorizeUrl(config, { state: 'st', challenge: 'ch' }));
    expect(url.origin + url.pathname).toBe(`${config.cognitoDomain}/oauth2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'client123',
      redirect_uri: config.redirectUri,
      scope: 'openid email',
      state: 'st',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
    });
  });

  it('redeems the code with the verifier at the token endpoint, and logs out through the hosted UI', () => {
    const request = tokenRequest(config, 'the-code', 'the-verifier');
    expect(request.url).toBe(`${config.cognitoDomain}/oauth2/token`);
    expect(Object.fromEntries(request.body)).toEqual({
      grant_type: 'authorization_code',
      client_id: 'client123',
      code: 'the-code',
      redirect_uri: config.redirectUri,
      code_verifier: 'the-verifier',
    });
    const logout = new URL(logoutUrl(config));
    expect(logout.pathname).toBe('/logout');
    expect(logout.searchParams.get('logout_uri')).toBe(config.logoutUri);
  });
});

describe('the callback', () => {
  const pending = { state: 'expected-state', verifier: 'v'.repeat(43), next: '/t/acme' };

  it('gives the code when the state is the one this browser sent', () => {
    expect(codeFromCallback(new URLSearchParams({ code: 'c1', state: 'expected-state' }), pending)).toBe('c1');
  });

  it('refuses a state that does not match, a missing state and a callback nobody started', () => {
    expect(() => codeFromCallback(new URLSearchParams({ code: 'c1', state: 'forged' }), pending)).toThrow(LoginRefused);
    expect(() => codeFromCallback(new URLSearchParams({ code: 'c1' }), pending)).toThrow(/does not match/);
    expect(() => codeFromCallback(new URLSearchParams({ code: 'c1', state: 'expected-state' }), undefined)).toThrow(
      /does not match/,
    );
  });

  it("reports the hosted UI's own refusal", () => {
    const query = new URLSearchParams({ error: 'access_denied', error_description: 'User is disabled' });
    expect(() => codeFromCallback(query, pending)).toThrow(/User is disabled/);
  });
});

describe('/config.json', () => {
  it('is accepted with every key and an https Cognito domain, and refused naming what is missing', () => {
    expect(parseHostedUiConfig(config)).toEqual(config);
    expect(parseHostedUiConfig({ ...config, clientId: undefined })).toBe('config.json has no clientId');
    expect(parseHostedUiConfig({ ...config, cognitoDomain: 'http://x' })).toMatch(/https/);
  });
});
