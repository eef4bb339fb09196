/** The local identity provider's login and keys, the caller's own identity, the OpenAPI document. */
import { ForbiddenError, NotFoundError } from '#core/errors.ts';
import { SecretValue } from '#core/secrets/secret-value.ts';
import { route } from '../route.ts';
import { loginRequest, loginResponse, meResponse, problemSchema } from '../schemas.ts';

export const authRoutes = [
  route({
    id: 'login',
    method: 'POST',
    path: '/v1/auth/login',
    summary: 'Local only: exchange an e-mail and password for a token (in AWS, Cognito issues tokens)',
    auth: 'public',
    body: loginRequest,
    responses: [
      {
        status: 200,
        description: 'A token valid for an hour (less for an auditor near the end of its window)',
        schema: loginResponse,
      },
      { status: 401, description: 'Wrong e-mail or password', schema: problemSchema },
      { status: 429, description: 'Too many failed logins', schema: problemSchema },
    ],
    async handle({ body, deps, address }) {
      if (!deps.identity) throw new NotFoundError('NoLocalLogin', 'log in through the Cognito hosted UI');
      const password = SecretValue.fromUtf8(body.password);
      try {
        return { json: await deps.identity.login(body.email, password, address) };
      } finally {
        password.wipe();
      }
    },
  }),
  route({
    id: 'jwks',
    method: 'GET',
    path: '/v1/auth/jwks.json',
    summary: "Local only: the identity provider's public keys (JWKS)",
    auth: 'public',
    responses: [{ status: 200, description: 'JSON Web Key Set' }],
    async handle({ deps }) {
      if (!deps.identity) throw new NotFoundError('NoLocalLogin', "Cognito publishes the user pool's keys");
      return { json: await deps.identity.jwks(), headers: { 'cache-control': 'public, max-age=300' } };
    },
  }),
  route({
    id: 'me',
    method: 'GET',
    path: '/v1/me',
    summary: 'The caller: e-mail, role, tenants, access window',
    auth: 'tenant:read',
    responses: [{ status: 200, description: 'The authenticated principal', schema: meResponse }],
    async handle({ principal }) {
      if (!principal) throw new ForbiddenError('NoPrincipal', 'no principal');
      return {
        json: {
          email: principal.email,
          role: principal.role,
          tenants: [...principal.tenants],
          ...(principal.accessUntil === undefined
            ? {}
            : { accessUntil: new Date(principal.accessUntil).toISOString() }),
          expiresAt: new Date(principal.expiresAt).toISOString(),
        },
      };
    },
  }),
];
