/**
 * The routes the portal's HTTP API deploys, read from the committed OpenAPI document (schema/openapi.json), which
 * api/write-openapi.ts generates from the API's own route table (a test fails when it is stale). Infra may not import
 * api/ (it describes resources, it runs no product code: .dependency-cruiser.cjs), so the document is the contract:
 * a route added to the API appears in API Gateway at the next synth, with the JWT authorizer unless it is public.
 * test/infra/portal-stack.test.ts checks this list against api/api.ts API_ROUTES.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '#core/errors.ts';
import { repoRoot } from '../paths.ts';

export type ApiMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface ApiRouteSpec {
  readonly operationId: string;
  readonly method: ApiMethod;
  /** API Gateway's route path: the OpenAPI template as is (`/v1/tenants/{tenant}`). */
  readonly path: string;
  /** No token needed (the OpenAPI document itself): no authorizer. */
  readonly public: boolean;
  /** API Gateway's route key, `GET /v1/tenants`. */
  readonly routeKey: string;
}

/** The committed OpenAPI document. */
export const OPENAPI_DOCUMENT_PATH = join(repoRoot, 'schema', 'openapi.json');

/**
 * Operations of the local identity provider (`reversa serve` only): in AWS the Cognito hosted UI issues tokens, so
 * these are not deployed at all rather than deployed public and answering 404 from the Lambda.
 */
export const LOCAL_ONLY_OPERATIONS: readonly string[] = ['login', 'jwks'];

const METHODS = new Set<string>(['get', 'post', 'patch', 'delete']);

/** Every deployed route of the OpenAPI document at `path`, in its order. */
export function portalApiRoutes(path: string = OPENAPI_DOCUMENT_PATH): ApiRouteSpec[] {
  let document: { paths?: Record<string, Record<string, { operationId?: string; security?: unknown[] }>> };
  try {
    document = JSON.parse(readFileSync(path, 'utf8')) as typeof document;
  } catch (error) {
    throw new ConfigError('NoOpenApiDocument', `${path}: cannot read the OpenAPI document (npm run openapi)`, {
      cause: error,
    });
  }
  const routes: ApiRouteSpec[] = [];
  for (const [template, operations] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      if (!METHODS.has(method)) continue;
      const operationId = operation.operationId;
      if (typeof operationId !== 'string') {
        throw new ConfigError('NoOperationId', `${path}: ${method.toUpperCase()} ${template} has no operationId`);
      }
      if (LOCAL_ONLY_OPERATIONS.includes(operationId)) continue;
      const upper = method.toUpperCase() as ApiMethod;
      routes.push({
        operationId,
        method: upper,
        path: template,
        // OpenAPI: `security: []` on an operation overrides the document's bearer requirement.
        public: Array.isArray(operation.security) && operation.security.length === 0,
        routeKey: `${upper} ${template}`,
      });
    }
  }
  if (routes.length === 0) throw new ConfigError('NoApiRoutes', `${path}: the OpenAPI document lists no operation`);
  return routes;
}
