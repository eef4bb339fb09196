import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '#api/api.ts';
import { CLAIMS } from '#core/identity/principal.ts';
import { ROLES } from '#core/identity/roles.ts';
import { securityHeaders } from '#core/portal/security-headers.ts';
import { TENANT_OBJECT_PREFIXES } from '#core/tenancy/boundary.ts';
import { HEAVY_OPERATIONS, HEAVY_ROUTE_THROTTLE } from '../../infra/constructs/portal-api.ts';
import { LOCAL_ONLY_OPERATIONS, portalApiRoutes } from '../../infra/portal/api-routes.ts';
import { SPA_REWRITE_SOURCE } from '../../infra/portal/spa-rewrite.ts';
import type { PortalStack } from '../../infra/portal-stack.ts';
import { SESSION_TENANT, SESSION_TENANT_PARTITIONS } from '../../infra/tenant-grants.ts';
import { buildTestApp } from './build-app.ts';
import { type Cfn, grantLines, statementsOfRole, type TemplateJson } from './iam-template.ts';

let portal: PortalStack;
let json: TemplateJson;
let template: Template;

beforeAll(() => {
  const built = buildTestApp();
  if (built.portal === undefined) throw new Error('the app has no portal stack');
  portal = built.portal;
  json = built.assembly.getStackByName('ReversaPortal').template as TemplateJson;
  template = Template.fromJSON(json);
});

const logicalIdOf = (construct: { node: { defaultChild?: unknown } }): string =>
  portal.getLogicalId(construct.node.defaultChild as never);
const resourcesOf = (type: string): Cfn[] => Object.values(json.Resources).filter((r) => r.Type === type);

describe('portal HTTP API', () => {
  const deployed = API_ROUTES.filter((route) => !LOCAL_ONLY_OPERATIONS.includes(route.id));

  it('reads from the OpenAPI document every route the API serves but the local login', () => {
    expect(portalApiRoutes().map((r) => r.routeKey)).toEqual(deployed.map((r) => `${r.method} ${r.path}`));
  });

  it('puts the JWT authorizer on every route but GET /v1/openapi.json', () => {
    const routes = resourcesOf('AWS::ApiGatewayV2::Route');
    const [authorizer] = Object.entries(json.Resources).filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Authorizer');
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(
      deployed.map((r) => `${r.method} ${r.path}`).sort(),
    );
    for (const route of routes) {
      const key = route.Properties.RouteKey as string;
      if (key === 'GET /v1/openapi.json') {
        expect(route.Properties.AuthorizationType ?? 'NONE', key).toBe('NONE');
        expect(route.Properties.AuthorizerId, key).toBeUndefined();
      } else {
        expect(route.Properties.AuthorizationType, key).toBe('JWT');
        expect(route.Properties.AuthorizerId, key).toEqual({ Ref: authorizer?.[0] });
      }
    }
    expect(routes.some((r) => /auth\/login|jwks/.test(r.Properties.RouteKey))).toBe(false);
  });

  it("accepts only the portal pool's ID tokens for the web app client", () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: logicalIdOf(portal.client) }],
        Issuer: {
          'Fn::Join': [
            '',
            Match.arrayWith([Match.stringLikeRegexp('cognito-idp'), { Ref: logicalIdOf(portal.users.userPool) }]),
          ],
        },
      },
    });
  });

  it('throttles each route, the heavy ones hardest', () => {
    const [stage] = resourcesOf('AWS::ApiGatewayV2::Stage');
    const settings = stage.Properties.RouteSettings as Record<
      string,
      { throttlingRateLimit: number; throttlingBurstLimit: number }
    >;
    expect(Object.keys(settings).sort()).toEqual(deployed.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of deployed) {
      const limits = settings[`${route.method} ${route.path}`];
      expect(limits?.throttlingRateLimit, route.id).toBeGreaterThan(0);
      if (HEAVY_OPERATIONS.includes(route.id))
        expect(limits?.throttlingRateLimit, route.id).toBe(HEAVY_ROUTE_THROTTLE.rateLimit);
    }
    expect(stage.Properties.DefaultRouteSettings.ThrottlingRateLimit).toBeGreaterThan(0);
  });

  it('writes JSON access logs, without tokens, to a retained log group', () => {
    const [stage] = resourcesOf('AWS::ApiGatewayV2::Stage');
    const logGroup = logicalIdOf(portal.api.accessLogs);
    expect(stage.Properties.AccessLogSettings.DestinationArn).toEqual({ 'Fn::GetAtt': [logGroup, 'Arn'] });
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      ip: '$context.identity.sourceIp',
    });
    expect(stage.Properties.AccessLogSettings.Format).not.toMatch(/header|authorization/i);
    expect(json.Resources[logGroup]?.Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it('alarms on 5xx, p95 latency, throttled requests and Lambda throttles, each notifying the topic', () => {
    const alarms = resourcesOf('AWS::CloudWatch::Alarm');
    const metrics = alarms.map((a) => `${a.Properties.Namespace}:${a.Properties.MetricName}`).sort();
    expect(metrics).toEqual([
      'AWS/ApiGateway:5xx',
      'AWS/ApiGateway:Latency',
      'AWS/Lambda:Throttles',
      'Reversa/Portal:ThrottledRequests',
    ]);
    for (const alarm of alarms)
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: logicalIdOf(portal.alarmTopic.topic) }]);
    template.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: '{ $.status = "429" }' });
  });

  it('runs the API handler on nodejs24.x', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: {
        Variables: Match.objectLike({ REVERSA_USER_POOL_ID: { Ref: logicalIdOf(portal.users.userPool) } }),
      },
    });
  });
});

describe('portal API isolation', () => {
  it('lets the API role do nothing but assume its tenant-access role, write its logs and traces, read the tenant index and start an export', () => {
    const own = grantLines(statementsOfRole(json, logicalIdOf(portal.api.handler.role)));
    const tenantRole = `<${logicalIdOf(portal.tenantAccess.role)}>`;
    expect(own.filter((line) => !/^(logs:|xray:)/.test(line))).toEqual([
      'dynamodb:Query <table> [TENANTS]',
      'states:StartExecution arn:aws:states:eu-west-3:111111111111:stateMachine:ReversaWorkflows-reversibility-export',
      `sts:AssumeRole ${tenantRole}`,
      `sts:TagSession ${tenantRole}`,
    ]);
    expect(own.filter((line) => /^logs:/.test(line)).every((line) => line.includes('ApiHandlerLogGroup'))).toBe(true);
  });

  it('trusts only the API role, and only with the tenant session tag', () => {
    const trust = json.Resources[logicalIdOf(portal.tenantAccess.role)]?.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0].Principal).toEqual({ AWS: { 'Fn::GetAtt': [logicalIdOf(portal.api.handler.role), 'Arn'] } });
    expect(trust[0].Action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect(trust[0].Condition['ForAllValues:StringEquals']).toEqual({ 'aws:TagKeys': ['tenant'] });
  });

  it("bounds every table action by the session tenant's leading keys", () => {
    const statements = statementsOfRole(json, logicalIdOf(portal.tenantAccess.role));
    const table = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('dynamodb:')));
    expect(table.length).toBeGreaterThan(0);
    for (const s of table) {
      expect(s.Condition).toEqual({
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [SESSION_TENANT_PARTITIONS] },
      });
      expect([s.Action].flat()).not.toContain('dynamodb:Scan');
    }
  });

  it("reaches S3 objects only under the session tenant's prefixes", () => {
    const lines = grantLines(statementsOfRole(json, logicalIdOf(portal.tenantAccess.role))).filter((l) =>
      l.startsWith('s3:'),
    );
    const prefixes = Object.values(TENANT_OBJECT_PREFIXES).flat();
    for (const line of lines) {
      if (line.startsWith('s3:ListBucket ')) {
        expect(line, line).toMatch(/ \[([a-z-]+\/<tenant>\/\* ?)+\]$/);
      } else {
        const [, prefix] = /<[a-z-]+>\/([a-z-]+)\/<tenant>\/\*$/.exec(line) ?? [];
        expect(prefixes, line).toContain(prefix);
      }
    }
    expect(lines).toContain('s3:GetObject <dossier-bucket>/dossiers/<tenant>/*');
    expect(lines).toContain('s3:PutObject <audit-bucket>/audit/<tenant>/*');
  });

  it('reads no secret value, and assumes client-account roles only with its own tenant as ExternalId', () => {
    const statements = statementsOfRole(json, logicalIdOf(portal.tenantAccess.role));
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).not.toContain('secretsmanager:GetSecretValue');
    const assume = statements.find((s) => [s.Action].flat().includes('sts:AssumeRole'));
    expect(assume.Condition).toEqual({ StringEquals: { 'sts:ExternalId': SESSION_TENANT } });
  });
});

describe('portal user pool', () => {
  it('has a group per role and the custom attributes the API reads, which the app client cannot write', () => {
    expect(
      resourcesOf('AWS::Cognito::UserPoolGroup')
        .map((g) => g.Properties.GroupName)
        .sort(),
    ).toEqual([...ROLES].sort());
    const [pool] = resourcesOf('AWS::Cognito::UserPool');
    const custom = pool.Properties.Schema.map((a: Cfn) => `custom:${a.Name}`);
    expect(custom).toEqual(expect.arrayContaining([CLAIMS.tenants, CLAIMS.accessUntil]));
    expect(pool.Properties.MfaConfiguration).toBe('OPTIONAL');
    expect(pool.Properties.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
    const [client] = resourcesOf('AWS::Cognito::UserPoolClient');
    expect(client.Properties.ReadAttributes).toEqual(expect.arrayContaining([CLAIMS.tenants, CLAIMS.accessUntil]));
    expect(client.Properties.WriteAttributes.filter((a: string) => a.startsWith('custom:'))).toEqual([]);
  });

  it('gives the web app a public client: code grant with PKCE, returning to /auth/callback on the distribution', () => {
    const [client] = resourcesOf('AWS::Cognito::UserPoolClient');
    expect(client.Properties.GenerateSecret).toBe(false);
    expect(client.Properties.AllowedOAuthFlows).toEqual(['code']);
    const distribution = logicalIdOf(portal.site.distribution);
    expect(client.Properties.CallbackURLs).toEqual([
      { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }, '/auth/callback']] },
    ]);
    expect(client.Properties.LogoutURLs).toEqual([
      { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }, '/']] },
    ]);
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  });
});

describe('portal distribution', () => {
  it('serves the web app from a private bucket through Origin Access Control only', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const web = logicalIdOf(portal.site.bucket as never);
    expect(json.Resources[web]?.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const policy = resourcesOf('AWS::S3::BucketPolicy').find((p) => p.Properties.Bucket.Ref === web);
    const allows = policy.Properties.PolicyDocument.Statement.filter((s: Cfn) => s.Effect === 'Allow');
    expect(allows.length).toBeGreaterThan(0);
    for (const s of allows) {
      expect(s.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
      expect(s.Condition.StringEquals['AWS:SourceArn']).toBeDefined();
    }
    const [distribution] = resourcesOf('AWS::CloudFront::Distribution');
    const s3Origin = distribution.Properties.DistributionConfig.Origins.find((o: Cfn) => o.S3OriginConfig);
    expect(s3Origin.OriginAccessControlId).toBeDefined();
    expect(s3Origin.S3OriginConfig.OriginAccessIdentity).toBe('');
  });

  it('sends /v1/* to the HTTP API uncached, with Authorization (all viewer headers but Host)', () => {
    const [distribution] = resourcesOf('AWS::CloudFront::Distribution');
    const [api] = distribution.Properties.DistributionConfig.CacheBehaviors;
    expect(api.PathPattern).toBe('/v1/*');
    expect(api.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // Managed-CachingDisabled
    expect(api.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac'); // Managed-AllViewerExceptHostHeader
    expect(api.ViewerProtocolPolicy).toBe('https-only');
  });

  it('adds the security headers reversa serve sends, letting the app fetch only its origin and the Cognito domain', () => {
    const [policy] = resourcesOf('AWS::CloudFront::ResponseHeadersPolicy');
    const config = policy.Properties.ResponseHeadersPolicyConfig;
    const csp = config.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy;
    const flat = JSON.stringify(csp);
    expect(flat).toContain("connect-src 'self' https://");
    expect(flat).toContain(logicalIdOf(portal.users.domain));
    expect(flat).toContain("script-src 'self'");
    expect(config.SecurityHeadersConfig.FrameOptions.FrameOption).toBe('DENY');
    expect(config.SecurityHeadersConfig.StrictTransportSecurity.AccessControlMaxAgeSec).toBe(31_536_000);
    expect(config.CustomHeadersConfig.Items).toEqual([
      { Header: 'Permissions-Policy', Value: securityHeaders()['permissions-policy'], Override: true },
    ]);
  });

  it('deploys /config.json with the hosted UI settings the web app logs in with', () => {
    const entry = resourcesOf('Custom::CDKBucketDeployment').find((d) => d.Properties.DistributionPaths !== undefined);
    expect(entry.Properties.DistributionPaths).toEqual(['/index.html', '/config.json']);
    const markers = Object.values(entry.Properties.SourceMarkers[1]);
    expect(markers).toEqual(
      expect.arrayContaining([
        { Ref: logicalIdOf(portal.users.domain) },
        { Ref: logicalIdOf(portal.client) },
        { Ref: logicalIdOf(portal.users.userPool) },
      ]),
    );
  });
});

describe('SPA rewrite function', () => {
  const handler = new Function(`${SPA_REWRITE_SOURCE}; return handler;`)() as (event: { request: { uri: string } }) => {
    uri: string;
  };
  const rewrite = (uri: string) => handler({ request: { uri } }).uri;

  it('serves client-side routes as /index.html and files as asked', () => {
    expect(rewrite('/')).toBe('/index.html');
    expect(rewrite('/auth/callback')).toBe('/index.html');
    expect(rewrite('/tenants/acme/findings')).toBe('/index.html');
    expect(rewrite('/assets/index-3f2a.js')).toBe('/assets/index-3f2a.js');
    expect(rewrite('/config.json')).toBe('/config.json');
  });
});
