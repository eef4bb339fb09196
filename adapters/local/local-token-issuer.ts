/**
 * The local identity provider's tokens: ES256 JWTs shaped like Cognito ID tokens (iss, aud, sub,
 * email, token_use, cognito:groups, custom:tenants, custom:access_until), signed with a P-256 key
 * kept under the local cloud's home (0600) and published as a JWKS. The API verifies them with the
 * same jose code path that verifies Cognito's (api/auth/token-verifier.ts).
 */
import type { KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import { exportJWK, type JWK, SignJWT } from 'jose';
import { keyFingerprint } from '#core/audit/keyinfo.ts';
import { CLAIMS } from '#core/identity/principal.ts';
import type { PortalUser } from '#core/identity/users.ts';
import { ecPrivateKeyAt } from './file-signer.ts';

export const LOCAL_AUDIENCE = 'reversa-portal';
export const IDP_KEY_FILE = 'idp-signing-key.pem';
/** Tokens live one hour, like Cognito's default ID token. */
export const TOKEN_TTL_SECONDS = 3600;

export class LocalTokenIssuer {
  private key: Promise<KeyObject> | undefined;

  constructor(private readonly options: { keyDir: string; issuer: string; audience?: string }) {}

  get issuer(): string {
    return this.options.issuer;
  }

  get audience(): string {
    return this.options.audience ?? LOCAL_AUDIENCE;
  }

  private privateKey(): Promise<KeyObject> {
    this.key ??= ecPrivateKeyAt(this.options.keyDir, IDP_KEY_FILE);
    return this.key;
  }

  private async kid(): Promise<string> {
    return keyFingerprint(createPublicKey(await this.privateKey())).slice(0, 16);
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    const jwk = await exportJWK(createPublicKey(await this.privateKey()));
    return { keys: [{ ...jwk, kid: await this.kid(), alg: 'ES256', use: 'sig' }] };
  }

  async issue(user: PortalUser, now: number): Promise<{ token: string; expiresAt: string }> {
    const iat = Math.floor(now / 1000);
    // An auditor's token never outlives its access window.
    const windowEnd =
      user.accessUntil === undefined ? Number.POSITIVE_INFINITY : Math.floor(Date.parse(user.accessUntil) / 1000);
    const exp = Math.max(iat + 1, Math.min(iat + TOKEN_TTL_SECONDS, windowEnd));
    const token = await new SignJWT({
      email: user.email,
      token_use: 'id',
      [CLAIMS.groups]: [user.role],
      [CLAIMS.tenants]: user.tenants.join(','),
      ...(user.accessUntil === undefined ? {} : { [CLAIMS.accessUntil]: user.accessUntil }),
    })
      .setProtectedHeader({ alg: 'ES256', kid: await this.kid(), typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setSubject(user.subject)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(await this.privateKey());
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }
}
