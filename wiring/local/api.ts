/**
 * The API on the embedded local cloud (`reversa serve`): the local identity provider (users in the
 * local table, Argon2id passwords, ES256 tokens shaped like Cognito's, login rate-limited), tokens
 * verified by the same jose path as in AWS, each request on its tenant's bound ports, and exports
 * run in the background by the in-process workflow runner.
 */

import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { LocalTokenIssuer } from '#adapters/local/local-token-issuer.ts';
import { LocalUserDirectory } from '#adapters/local/local-user-directory.ts';
import type { ApiDeps, ApiTenantPorts } from '#api/ports.ts';
import { tokenVerifier } from '#api/token-verifier.ts';
import { ForbiddenError, UnauthenticatedError } from '#core/errors.ts';
import { LoginThrottle } from '#core/identity/login-throttle.ts';
import { type Clock, systemClock } from '#core/ports.ts';
import { exportExecutionName } from '#core/use-cases/dossier-export.ts';
import type { LocalCloud } from '#local/cloud.ts';
import { runExport } from '#local/export-runner.ts';
import { perTenant } from '../tenant-scope.ts';
import { localAdapters } from './adapters.ts';
import { localTenantWiring } from './tenants.ts';

/** The issuer tokens name; local tokens are only ever checked by this same local API. */
export const LOCAL_ISSUER = 'http://localhost/reversa-local-idp';

export function localUserDirectory(cloud: LocalCloud): LocalUserDirectory {
  return new LocalUserDirectory({ tableName: cloud.tableName, client: localAdapters(cloud).clients.dynamodb });
}

export function localTokenIssuer(cloud: LocalCloud): LocalTokenIssuer {
  return new LocalTokenIssuer({ keyDir: join(cloud.home, 'keys', 'idp'), issuer: LOCAL_ISSUER });
}

export interface LocalApiOptions {
  clock?: Clock;
  /** Told when a background export ends (the server logs it). */
  onExportDone?: (executionName: string, status: string) => void;
  onInternalError?: ApiDeps['onInternalError'];
}

export function localApiDeps(cloud: LocalCloud, options: LocalApiOptions = {}): ApiDeps {
  const clock = options.clock ?? systemClock;
  const provider = localAdapters(cloud, clock);
  const tenants = localTenantWiring(cloud, clock);
  const directory = localUserDirectory(cloud);
  const issuer = localTokenIssuer(cloud);
  const throttle = new LoginThrottle();
  const ports = perTenant((tenantId): ApiTenantPorts => {
    const adapters = tenants.adapters.forTenant(tenantId);
    const bucketOf = { data: cloud.bucketName, dossier: cloud.dossierBucketName } as const;
    const s3 = adapters.clients.s3;
    return {
      ...tenants.dossiers.forTenant(tenantId),
      ...adapters,
      presign: (bucket, key, expiresIn) =>
        getSignedUrl(s3, new GetObjectCommand({ Bucket: bucketOf[bucket], Key: key }), { expiresIn }),
    };
  });
  return {
    clock,
    verifier: tokenVerifier({
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwks: () => issuer.jwks(),
      algorithms: ['ES256'],
    }),
    tenantIndex: provider.strategies,
    forTenant: (tenantId) => ports.forTenant(tenantId),
    async startExport(input) {
      const requestedAt = input.requestedAt === undefined ? clock.now() : Date.parse(input.requestedAt);
      const executionName = exportExecutionName(input.tenantId, requestedAt);
      // Like StartExecution: the call returns once the execution is started; it runs on its own.
      void runExport(tenants.dossiers.forTenant(input.tenantId), input, { executionName }).then(
        (result) => options.onExportDone?.(executionName, result.status),
        (error: unknown) => options.onInternalError?.(error, { method: 'EXPORT', path: executionName }),
      );
      return { executionName, status: 'RUNNING' };
    },
    identity: {
      async login(email, password, address) {
        const now = clock.now();
        const keys = { account: email.trim().toLowerCase(), address };
        throttle.check(keys, now);
        const user = await directory.authenticate(keys.account, password);
        if (!user) {
          throttle.failed(keys, now);
          throw new UnauthenticatedError('BadCredentials', 'wrong e-mail or password');
        }
        throttle.succeeded(keys);
        if (user.accessUntil !== undefined && Date.parse(user.accessUntil) <= now) {
          throw new ForbiddenError('AccessWindowEnded', `this account's access window ended at ${user.accessUntil}`);
        }
        return issuer.issue(user, now);
      },
      jwks: () => issuer.jwks(),
    },
    ...(options.onInternalError ? { onInternalError: options.onInternalError } : {}),
  };
}
