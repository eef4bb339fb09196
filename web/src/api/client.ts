/**
 * The API from the browser: same-origin fetches under /v1 with the session's bearer token, JSON in
 * and out, RFC 9457 problems turned into `ApiProblem` errors that name what was wrong. A 401 (the
 * token expired or was refused) and a 403 for an ended access window end the session: the app
 * listens for them once (`onSessionEnd`) and goes back to the login page with the reason.
 */

import type { Problem } from './types.gen.ts';

export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  readonly status: number;
  readonly code: string;
  readonly problems: NonNullable<Problem['problems']>;
  constructor(status: number, problem: Partial<Problem>) {
    super(problem.detail ?? problem.title ?? `the request failed (HTTP ${status})`);
    this.status = status;
    this.code = problem.code ?? `Http${status}`;
    this.problems = problem.problems ?? [];
  }
}

export type SessionEndReason = { kind: 'expired' | 'window-ended' | 'refused'; message: string };

let tokenOf: () => string | undefined = () => undefined;
let sessionEnded: (reason: SessionEndReason) => void = () => {};

export function configureApi(options: { token: () => string | undefined; onSessionEnd: typeof sessionEnded }): void {
  tokenOf = options.token;
  sessionEnded = options.onSessionEnd;
}

async function problemOf(response: Response): Promise<ApiProblem> {
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      return new ApiProblem(response.status, (await response.json()) as Partial<Problem>);
    } catch {
      // Fall through: a body that is not JSON after all.
    }
  }
  return new ApiProblem(response.status, { detail: `the server answered HTTP ${response.status}` });
}

/** Ends the session for the answers that mean it is over; returns the error to throw. */
function endSessionOn(problem: ApiProblem, hadToken: boolean): ApiProblem {
  if (problem.status === 401 && hadToken) {
    sessionEnded({ kind: 'expired', message: 'Your session has expired or was refused: please log in again.' });
  } else if (problem.status === 403 && problem.code === 'AccessWindowEnded') {
    sessionEnded({ kind: 'window-ended', message: problem.message });
  }
  return problem;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH';
  body?: unknown;
  signal?: AbortSignal;
}

export async function request(path: string, options: RequestOptions = {}): Promise<Response> {
  const token = tokenOf();
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      credentials: 'omit',
      cache: 'no-store',
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiProblem(0, { detail: 'the portal cannot be reached: check that reversa serve is running' });
  }
  if (!response.ok) throw endSessionOn(await problemOf(response), token !== undefined);
  return response;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await request(path, options);
  return (await response.json()) as T;
}

/** `/v1/tenants/{tenant}/…` with each segment escaped. */
export function tenantPath(tenant: string, ...rest: Array<string | number>): string {
  return ['/v1/tenants', tenant, ...rest].map((s, i) => (i === 0 ? s : encodeURIComponent(String(s)))).join('/');
}
