/**
 * The verification path Cognito's tokens take: an RS256 ID token of the user pool, its keys fetched
 * from the pool's JWKS URL (here a local server standing in for cognito-idp), audience = the app
 * client. The same verifier checks local tokens; only the key source differs.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenVerifier } from '#api/token-verifier.ts';
import { cognitoIssuer } from '#wiring/aws/api.ts';

const NOW = Date.parse('2026-11-20T10:00:00Z');
const ISSUER = cognitoIssuer('eu-west-3_AbCdEf123');
let server: Server;
let jwksUrl: URL;
let sign: (claims: Record<string, unknown>, options?: { audience?: string; expiresIn?: number }) => Promise<string>;

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'cognito-key-1', alg: 'RS256', use: 'sig' };
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  jwksUrl = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`);
  sign = (claims, options = {}) =>
    new SignJWT({ token_use: 'id', email: 'it@acme.example', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'cognito-key-1' })
      .setIssuer(ISSUER)
      .setAudience(options.audience ?? 'portal-client')
      .setSubject('0f5e-user')
      .setIssuedAt(Math.floor(NOW / 1000))
      .setExpirationTime(Math.floor(NOW / 1000) + (options.expiresIn ?? 3600))
      .sign(privateKey);
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const verifier = () =>
  tokenVerifier({ issuer: ISSUER, audience: 'portal-client', jwks: jwksUrl, algorithms: ['RS256'] });

describe('Cognito ID tokens', () => {
  it('names the pool’s issuer the way Cognito does', () => {
    expect(ISSUER).toBe('https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_AbCdEf123');
  });

  it('become a principal: role from cognito:groups, tenants and window from the custom attributes', async () => {
    const token = await sign({
      'cognito:groups': ['auditor'],
      'custom:tenants': 'acme,globex',
      'custom:access_until': '2026-12-20T00:00:00.000Z',
    });

    const principal = await verifier().verify(`Bearer ${token}`, NOW);

    expect(principal).toMatchObject({
      role: 'auditor',
      tenants: ['acme', 'globex'],
      email: 'it@acme.example',
      accessUntil: Date.parse('2026-12-20T00:00:00.000Z'),
    });
  });

  it('are refused for another app client, an access token, two roles, or no role', async () => {
    const cases = [
      await sign({ 'cognito:groups': ['client'], 'custom:tenants': 'acme' }, { audience: 'other-client' }),
      await sign({ 'cognito:groups': ['client'], 'custom:tenants': 'acme', token_use: 'access' }),
      await sign({ 'cognito:groups': ['client', 'provider-admin'], 'custom:tenants': 'acme' }),
      await sign({ 'custom:tenants': 'acme' }),
    ];
    for (const token of cases) {
      await expect(verifier().verify(`Bearer ${token}`, NOW)).rejects.toMatchObject({ name: 'UnauthenticatedError' });
    }
  });

  it('say an expired token has expired', async () => {
    const token = await sign({ 'cognito:groups': ['client'], 'custom:tenants': 'acme' }, { expiresIn: 60 });

    await expect(verifier().verify(`Bearer ${token}`, NOW + 10 * 60_000)).rejects.toMatchObject({
      code: 'TokenExpired',
    });
  });
});
