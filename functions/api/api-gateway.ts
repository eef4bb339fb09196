/** API Gateway HTTP API (payload format 2.0) events and results, mapped to and from the framework-free API. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type ApiRequest, type ApiResponse, bodyBytes } from '#api/handle.ts';

const TEXTUAL = /^(application\/(json|problem\+json)|text\/)/;

/** API Gateway's event as the framework-free request (header names lower-cased, as node:http gives them). */
export function toApiRequest(event: APIGatewayProxyEventV2): ApiRequest {
  const body =
    event.body === undefined ? undefined : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    query: Object.fromEntries(
      Object.entries(event.queryStringParameters ?? {}).filter((e): e is [string, string] => e[1] !== undefined),
    ),
    headers: Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    address: event.requestContext.http.sourceIp,
    ...(body === undefined ? {} : { body }),
  };
}

/** Text bodies as text, anything else (a PDF) base64, as API Gateway expects. */
export async function toLambdaResponse(response: ApiResponse): Promise<APIGatewayProxyStructuredResultV2> {
  const bytes = Buffer.from(await bodyBytes(response.body));
  const textual = TEXTUAL.test(response.headers['content-type'] ?? '');
  return {
    statusCode: response.status,
    headers: response.headers,
    body: textual ? bytes.toString('utf8') : bytes.toString('base64'),
    isBase64Encoded: !textual,
  };
}
