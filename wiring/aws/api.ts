/**
 * The API on AWS (the Lambda behind API Gateway's HTTP API): tokens are Cognito ID tokens of the
 * portal's user pool, verified with jose against the pool's published keys (after API Gateway's own
 * JWT authorizer); every request reaches Reversa's stores through the tenant-access role assumed for
 * the tenant it names; exports start the Step Functions workflow by name.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SfnVerifyStarter } from '#adapters/aws/sfn-verify-starter.ts';
import { awsDiscovery } from '#adapters/aws/tenant-discovery.ts';
import type { ApiDeps, ApiTenantPorts } from '#api/ports.ts';
import { tokenVerifier } from '#api/token-verifier.ts';
import { loadConfig } from '#config';
import { ConflictError } from '#core/errors.ts';
import { exportExecutionName } from '#core/use-cases/dossier-export.ts';
import { perTenant } from '../tenant-scope.ts';
import { awsAdapters } from './adapters.ts';
import { awsDossierDeps } from './dossier.ts';
import { tenantScope } from './tenant-credentials.ts';

/** Cognito's issuer for a pool: `https://cognito-idp.<region>.amazonaws.com/<pool id>`. */
export function cognitoIssuer(userPoolId: string): string {
  const region = userPoolId.split('_')[0];
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}

export function awsApiDeps(
  config = loadConfig([
    'tableName',
    'dataBucket',
    'eventBusName',
    'dossierBucket',
    'exportStateMachineArn',
    'userPoolId',
    'userPoolClientId',
  ]),
): ApiDeps {
  const provider = awsAdapters(config);
  const issuer = cognitoIssuer(config.userPoolId);
  const starter = new SfnVerifyStarter({ stateMachineArn: config.exportStateMachineArn, client: new SFNClient({}) });
  const ports = perTenant((tenantId): ApiTenantPorts => {
    const scope = tenantScope(config, tenantId);
    const adapters = awsAdapters(config, scope);
    const bucketOf = { data: config.dataBucket, dossier: config.dossierBucket } as const;
    return {
      ...awsDossierDeps(config, adapters, scope),
      ...adapters,
      // Readiness discovers the tenant's tagged resources with the tenant session too: the API's own role may only
      // assume the tenant-access role (infra/constructs/portal-api.ts), which holds tag:GetResources and the
      // AssumeRole into client accounts with ExternalId = the session's tenant.
      discover: awsDiscovery({
        strategies: adapters.strategies,
        ...(scope.credentials === undefined ? {} : { credentials: scope.credentials }),
      }),
      // Presigned with the tenant's session: the URL works only for the tenant's own objects.
      presign: (bucket, key, expiresIn) =>
        getSignedUrl(adapters.clients.s3, new GetObjectCommand({ Bucket: bucketOf[bucket], Key: key }), { expiresIn }),
    };
  });
  return {
    clock: provider.clock,
    verifier: tokenVerifier({
      issuer,
      audience: config.userPoolClientId,
      jwks: new URL(`${issuer}/.well-known/jwks.json`),
      algorithms: ['RS256'],
    }),
    tenantIndex: provider.strategies,
    forTenant: (tenantId) => ports.forTenant(tenantId),
    async startExport(input) {
      const requestedAt = input.requestedAt === undefined ? Date.now() : Date.parse(input.requestedAt);
      const executionName = exportExecutionName(input.tenantId, requestedAt);
      const { started } = await starter.start(input as never, executionName);
      if (!started)
        throw new ConflictError(
          'ExportRunning',
          `an export of ${input.tenantId} started this minute: ${executionName}`,
        );
      return { executionName, status: 'RUNNING' };
    },
  };
}
