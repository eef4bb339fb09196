/**
 * Verifies bearer tokens, with jose, the same way for Cognito's ID tokens (remote JWKS of the user
 * pool, RS256) and the local identity provider's (its published JWKS, ES256): signature, issuer,
 * audience, expiry (with a small clock tolerance), then the claims become a Principal or the
 * request is refused. API Gateway's JWT authorizer checks Cognito tokens first in AWS; this check
 * runs anyway, so a misconfigured authorizer cannot open the API.
 */
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { UnauthenticatedError } from '#core/errors.ts';
import { type Principal, principalFromClaims } from '#core/identity/principal.ts';

export interface TokenVerifier {
  verify(authorization: string | undefined, now: number): Promise<Principal>;
}

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  /** The keys: a JWKS document (local) or its URL (Cognito: `<issuer>/.well-known/jwks.json`). */
  jwks: JSONWebKeySet | URL | (() => Promise<JSONWebKeySet>);
  algorithms?: string[];
}

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;
const MAX_TOKEN_CHARS = 8192;

export function tokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const keySet = (): Promise<JWTVerifyGetKey> => {
    const source = options.jwks;
    keys ??=
      source instanceof URL
        ? Promise.resolve(createRemoteJWKSet(source))
        : typeof source === 'function'
          ? source().then((jwks) => createLocalJWKSet(jwks))
          : Promise.resolve(createLocalJWKSet(source));
    return keys;
  };
  return {
    async verify(authorization, now) {
      if (authorization === undefined || authorization === '') {
        throw new UnauthenticatedError('NoToken', 'send Authorization: Bearer <token> (POST /v1/auth/login gives one)');
      }
      const m = authorization.length <= MAX_TOKEN_CHARS ? BEARER.exec(authorization) : null;
      if (!m) throw new UnauthenticatedError('BadToken', 'the Authorization header is not Bearer <JWT>');
      let claims: Record<string, unknown>;
      try {
        ({ payload: claims } = await jwtVerify(m[1] as string, await keySet(), {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: options.algorithms ?? ['ES256', 'RS256'],
          currentDate: new Date(now),
          clockTolerance: 30,
          requiredClaims: ['exp', 'iat', 'sub'],
        }));
      } catch (error) {
        const code = (error as { code?: string }).code;
        throw new UnauthenticatedError(
          code === 'ERR_JWT_EXPIRED' ? 'TokenExpired' : 'BadToken',
          code === 'ERR_JWT_EXPIRED' ? 'the token has expired: log in again' : 'the token does not verify',
        );
      }
      // Cognito also issues access tokens to the same client: only ID tokens carry the custom attributes.
      if (claims.token_use !== undefined && claims.token_use !== 'id') {
        throw new UnauthenticatedError('BadToken', 'expected an ID token');
      }
      const principal = principalFromClaims(claims);
      if (typeof principal === 'string') throw new UnauthenticatedError('BadClaims', principal);
      return principal;
    },
  };
}
