/** The API as deployed: every route plus the OpenAPI document describing them. */
import { openApiDocument } from './openapi.ts';
import { type Route, route } from './route.ts';
import { ROUTES } from './routes/index.ts';

export const API_VERSION = '1.0.0';

let document: Record<string, unknown> | undefined;

const openApiRoute = route({
  id: 'openapi',
  method: 'GET',
  path: '/v1/openapi.json',
  summary: 'This API, described in OpenAPI 3.1',
  auth: 'public',
  responses: [{ status: 200, description: 'The OpenAPI document' }],
  async handle() {
    document ??= openApiDocument(API_ROUTES, API_VERSION);
    return { json: document, headers: { 'cache-control': 'public, max-age=300' } };
  },
});

export const API_ROUTES: readonly Route[] = [...ROUTES, openApiRoute];
