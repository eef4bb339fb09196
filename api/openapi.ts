/**
 * The OpenAPI 3.1 document, generated from the route table and its zod schemas (the same schemas
 * the handlers validate with), committed as schema/openapi.json (a test fails when it is stale)
 * and served at GET /v1/openapi.json.
 */
import * as z from 'zod';
import type { Route } from './route.ts';
import { problemSchema } from './schemas.ts';

export const OPENAPI_PATH = 'schema/openapi.json';
const REF = (id: string) => `#/components/schemas/${id}`;

type Json = Record<string, unknown>;

function strip(schema: Json): Json {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

/** Every schema reachable from the routes that carries an id becomes a component; the rest is inlined. */
export function openApiDocument(routes: readonly Route[], version: string): Json {
  const registry = z.registry<{ id: string; description?: string }>();
  const register = (schema: z.ZodType | undefined) => {
    const meta = schema
      ? (z.globalRegistry.get(schema) as { id?: string; description?: string } | undefined)
      : undefined;
    if (schema && meta?.id && !registry.has(schema)) registry.add(schema, meta as { id: string });
  };
  register(problemSchema);
  for (const r of routes) {
    register(r.body);
    for (const res of r.responses) register(res.schema);
  }
  const components = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    uri: REF,
    io: 'output',
    unrepresentable: 'any',
  });
  const schemas = Object.fromEntries(
    Object.entries((components as { schemas: Record<string, Json> }).schemas).map(([id, s]) => [id, strip(s)]),
  );
  const ref = (schema: z.ZodType, io: 'input' | 'output') => {
    const id = registry.get(schema)?.id;
    return id
      ? { $ref: REF(id) }
      : strip(z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json);
  };
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const parameters: Json[] = [];
    for (const [where, schema] of [
      ['path', r.params],
      ['query', r.query],
    ] as const) {
      const shape = (schema as unknown as { shape?: Record<string, z.ZodType> } | undefined)?.shape ?? {};
      for (const [name, field] of Object.entries(shape)) {
        const json = strip(
          z.toJSONSchema(field, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Json,
        );
        parameters.push({
          name,
          in: where,
          required: where === 'path' || !field.safeParse(undefined).success,
          schema: json,
          ...(typeof json.description === 'string' ? { description: json.description } : {}),
        });
      }
    }
    const responses: Record<string, Json> = {};
    for (const res of r.responses) {
      const key = String(res.status);
      const content = (responses[key]?.content as Json | undefined) ?? {};
      if (res.schema) content['application/json'] = { schema: ref(res.schema, 'output') };
      else if (res.contentType) content[res.contentType] = {};
      responses[key] = {
        description: responses[key] ? `${responses[key].description}; or ${res.description}` : res.description,
        ...(Object.keys(content).length > 0 ? { content } : {}),
      };
    }
    const problem = { content: { 'application/problem+json': { schema: { $ref: REF('Problem') } } } };
    if (r.params || r.query || r.body) responses['400'] ??= { description: 'The request is not valid', ...problem };
    if (r.auth !== 'public') {
      responses['401'] ??= { description: 'No token, or a token that does not verify', ...problem };
      responses['403'] ??= { description: 'The role may not do this, or the access window ended', ...problem };
    }
    if (r.path.includes('{tenant}'))
      responses['404'] ??= { description: 'No such tenant for this caller, or no such item', ...problem };
    paths[r.path] ??= {};
    (paths[r.path] as Record<string, Json>)[r.method.toLowerCase()] = {
      operationId: r.id,
      summary: r.summary,
      ...(r.auth === 'public' ? { security: [] } : { 'x-reversa-action': r.auth }),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(r.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: ref(r.body, 'input') } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Reversa API',
      version,
      description:
        'The portal API: clients, auditors and provider engineers read compliance, findings, restore tests, the tamper-evident audit log and reversibility dossiers. Errors are RFC 9457 problem details.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A Cognito ID token (AWS) or a token from POST /v1/auth/login (local)',
        },
      },
      schemas,
    },
    paths,
  };
}
