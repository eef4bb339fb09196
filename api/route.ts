/**
 * A route of the API: method, path template, the action it performs (checked against the role ×
 * action table, core/identity/roles.ts), the zod schemas of its inputs and output, and its handler.
 * The OpenAPI document is generated from the same list (api/openapi.ts).
 */
import type { Readable } from 'node:stream';
import type * as z from 'zod';
import type { Principal } from '#core/identity/principal.ts';
import type { Action } from '#core/identity/roles.ts';
import type { ApiDeps, ApiTenantPorts } from './ports.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Undefined on public routes only. */
  principal: Principal;
  /** The ports of the tenant the path names (routes with `{tenant}` only). */
  ports: ApiTenantPorts;
  deps: ApiDeps;
  now: number;
  /** The client address, for rate limits. */
  address: string;
}

export interface RouteResult {
  status?: number;
  /** A JSON body (validated against the route's response schema in the tests). */
  json?: unknown;
  /** Any other body, with its content type. */
  body?: string | Uint8Array | Readable;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface Route<P = unknown, Q = unknown, B = unknown> {
  id: string;
  method: Method;
  path: string;
  summary: string;
  /** `public`: no token needed. Otherwise the action the role table must allow. */
  auth: 'public' | Action;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  responses: { status: number; description: string; schema?: z.ZodType; contentType?: string }[];
  handle(ctx: RouteContext<P, Q, B>): Promise<RouteResult>;
}

/** Keeps the generic types of one route while the list is heterogeneous. */
export function route<P, Q, B>(r: Route<P, Q, B>): Route {
  return r as unknown as Route;
}

export interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  names: string[];
}

export function compile(routes: readonly Route[]): CompiledRoute[] {
  return routes.map((r) => {
    const names: string[] = [];
    const source = r.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([a-zA-Z]+)\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    return { route: r, pattern: new RegExp(`^${source}$`), names };
  });
}

/** The route for a path and method; `allowed` lists the methods of a path that exists under another method. */
export function match(
  compiled: readonly CompiledRoute[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | { allowed: Method[] } | undefined {
  const allowed: Method[] = [];
  for (const c of compiled) {
    const m = c.pattern.exec(path);
    if (!m) continue;
    if (c.route.method !== method) {
      allowed.push(c.route.method);
      continue;
    }
    const params: Record<string, string> = {};
    c.names.forEach((name, i) => {
      params[name] = decodeURIComponent(m[i + 1] as string);
    });
    return { route: c.route, params };
  }
  return allowed.length > 0 ? { allowed } : undefined;
}
