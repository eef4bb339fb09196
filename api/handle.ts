/**
 * One API request, framework-free: the same function serves `reversa serve` (node:http) and the
 * Lambda behind API Gateway. Order matters for what a caller can learn: the token first (401), then
 * whether the principal may address the tenant at all (404, the same for a foreign tenant and a
 * missing one, so tenant ids cannot be probed), then the access window and the role (403), then the
 * input (400), then the use case on the tenant's own ports.
 */
import type { Readable } from 'node:stream';
import type * as z from 'zod';
import { ForbiddenError, NotFoundError, ValidationError } from '#core/errors.ts';
import { mayAddressTenant } from '#core/identity/principal.ts';
import { roleMay } from '#core/identity/roles.ts';
import type { ApiDeps } from './ports.ts';
import { problem, problemOf } from './problem.ts';
import { compile, match, type Route } from './route.ts';

export interface ApiRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body?: Uint8Array;
  address: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array | Readable;
}

export const MAX_BODY_BYTES = 64 * 1024;
const decoder = new TextDecoder('utf-8', { fatal: true });

function json(status: number, value: unknown, headers: Record<string, string> = {}): ApiResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(value),
  };
}

function problemResponse(p: ReturnType<typeof problem>, headers: Record<string, string> = {}): ApiResponse {
  return json(p.status, p, { ...headers, 'content-type': 'application/problem+json' });
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(
    'BadRequest',
    result.error.issues.slice(0, 20).map((issue) => ({
      file: `<${where}>`,
      path: issue.path.join('.'),
      message: issue.message.slice(0, 300),
    })),
  );
}

function bodyOf(request: ApiRequest, route: Route): unknown {
  if (!route.body) return undefined;
  const bytes = request.body ?? new Uint8Array(0);
  if (bytes.byteLength > MAX_BODY_BYTES) {
    throw new ValidationError('BodyTooLarge', [
      { file: '<body>', path: '', message: `expected at most ${MAX_BODY_BYTES} bytes, got ${bytes.byteLength}` },
    ]);
  }
  if (bytes.byteLength === 0) return {};
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim();
  if (type !== 'application/json') {
    throw new ValidationError('NotJson', [
      { file: '<body>', path: '', message: 'expected Content-Type: application/json' },
    ]);
  }
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new ValidationError('NotUtf8', [{ file: '<body>', path: '', message: 'expected UTF-8 text' }]);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('NotJson', [{ file: '<body>', path: '', message: 'expected a JSON document' }]);
  }
}

export function apiHandler(routes: readonly Route[], deps: ApiDeps): (request: ApiRequest) => Promise<ApiResponse> {
  const compiled = compile(routes);
  return async function handleRequest(request) {
    const instance = request.path;
    try {
      let found: ReturnType<typeof match>;
      try {
        found = match(compiled, request.method, request.path);
      } catch {
        found = undefined; // a malformed %-escape in the path: no route has it
      }
      if (!found) return problemResponse(problem(404, 'NoSuchRoute', `no route ${request.path}`, { instance }));
      if ('allowed' in found) {
        return problemResponse(
          problem(405, 'MethodNotAllowed', `${request.method} is not allowed here`, { instance }),
          {
            allow: found.allowed.join(', '),
          },
        );
      }
      const { route, params: rawParams } = found;
      const now = deps.clock.now();
      const principal =
        route.auth === 'public' ? undefined : await deps.verifier.verify(request.headers.authorization, now);
      const tenantId = rawParams.tenant;
      if (principal && tenantId !== undefined && !mayAddressTenant(principal, tenantId)) {
        throw new NotFoundError('TenantNotFound', `no tenant ${tenantId}`);
      }
      if (principal?.accessUntil !== undefined && now > principal.accessUntil) {
        throw new ForbiddenError(
          'AccessWindowEnded',
          `this account's access window ended at ${new Date(principal.accessUntil).toISOString()}`,
        );
      }
      if (principal && route.auth !== 'public' && !roleMay(principal.role, route.auth)) {
        throw new ForbiddenError('RoleNotAllowed', `a ${principal.role} may not ${route.auth.replace(':', ' ')}`);
      }
      const params = parse(route.params, rawParams, 'path');
      const query = parse(route.query, request.query, 'query');
      const body = parse(route.body, bodyOf(request, route), 'body');
      if (tenantId !== undefined && principal?.role === 'provider-admin') {
        // Admins address every tenant: one that has no strategy is as missing for them as a foreign one for others.
        if (!(await deps.tenantIndex.listTenants()).includes(tenantId)) {
          throw new NotFoundError('TenantNotFound', `no tenant ${tenantId}`);
        }
      }
      const result = await route.handle({
        params,
        query,
        body,
        principal: principal as NonNullable<typeof principal>,
        ports: (tenantId === undefined ? undefined : deps.forTenant(tenantId)) as never,
        deps,
        now,
        address: request.address,
      });
      const headers = { 'cache-control': 'no-store', ...result.headers };
      if (result.json !== undefined) return json(result.status ?? 200, result.json, headers);
      return {
        status: result.status ?? 200,
        headers: { 'content-type': result.contentType ?? 'application/octet-stream', ...headers },
        body: result.body ?? '',
      };
    } catch (error) {
      const { problem: p, expected, headers } = problemOf(error, instance);
      if (!expected) deps.onInternalError?.(error, { method: request.method, path: request.path });
      return problemResponse(p, headers);
    }
  };
}

/** Collects a streamed body (the Lambda adapter must answer with bytes). */
export async function bodyBytes(body: ApiResponse['body']): Promise<Uint8Array> {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body as Readable) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
