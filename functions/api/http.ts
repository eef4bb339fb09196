/**
 * The portal API behind API Gateway's HTTP API (payload format 2.0): the event becomes an
 * ApiRequest for the same handler `reversa serve` runs (api/handle.ts); the response goes back as
 * JSON or base64 for binary bodies (the PDF, a zip link is a redirect). Internal errors are logged
 * once here, at the boundary, without the request's headers or body.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { API_ROUTES } from '#api/api.ts';
import { apiHandler } from '#api/handle.ts';
import { describeError, logger, withPowertools } from '#functions/shared/powertools.ts';
import { awsApiDeps } from '#wiring/aws/api.ts';
import { toApiRequest, toLambdaResponse } from './api-gateway.ts';

const deps = awsApiDeps();
const handle = apiHandler(API_ROUTES, {
  ...deps,
  onInternalError: (error, request) => logger.error('API request failed', { ...request, error: describeError(error) }),
});

export const handler = withPowertools(async function apiHandlerLambda(
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2> {
  return toLambdaResponse(await handle(toApiRequest(event)));
});
