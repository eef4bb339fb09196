import { describe, expect, it } from 'vitest';
import { toApiRequest, toLambdaResponse } from '#functions/api/api-gateway.ts';

describe('API Gateway events', () => {
  it('become requests with lower-case headers, the query and the decoded body', () => {
    const request = toApiRequest({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/v1/tenants/acme/findings/f-1/comments',
      rawQueryString: 'limit=5',
      queryStringParameters: { limit: '5' },
      headers: { Authorization: 'Bearer x.y.z', 'Content-Type': 'application/json' },
      body: Buffer.from('{"text":"é"}').toString('base64'),
      isBase64Encoded: true,
      requestContext: { http: { method: 'POST', sourceIp: '203.0.113.9' } },
    } as never);

    expect(request).toMatchObject({
      method: 'POST',
      path: '/v1/tenants/acme/findings/f-1/comments',
      query: { limit: '5' },
      headers: { authorization: 'Bearer x.y.z', 'content-type': 'application/json' },
      address: '203.0.113.9',
    });
    expect(Buffer.from(request.body ?? []).toString('utf8')).toBe('{"text":"é"}');
  });

  it('answer JSON as text and a PDF as base64', async () => {
    const json = await toLambdaResponse({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    const pdf = await toLambdaResponse({
      status: 200,
      headers: { 'content-type': 'application/pdf' },
      body: Buffer.from('%PDF-1.7'),
    });

    expect(json).toMatchObject({ statusCode: 200, body: '{"a":1}', isBase64Encoded: false });
    expect(pdf).toMatchObject({ isBase64Encoded: true, body: Buffer.from('%PDF-1.7').toString('base64') });
  });
});
