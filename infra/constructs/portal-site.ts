import { Aws, DefaultStackSynthesizer, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IConstruct } from 'constructs';
import { securityHeaders } from '#core/portal/security-headers.ts';
import { asIBucket } from '../cdk-types.ts';
import { acknowledgeWildcardResource } from '../nag.ts';
import { SPA_REWRITE_SOURCE } from '../portal/spa-rewrite.ts';
import { AccessLogsBucket, SecureBucket } from './secure-bucket.ts';

/** What the web app reads from `/config.json` to log in with the hosted UI (web/src/auth/config.ts). */
export interface PortalWebConfig {
  readonly cognitoDomain: string;
  readonly clientId: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly redirectUri: string;
  readonly logoutUri: string;
}

export interface PortalSiteProps {
  /** The built web app (web/dist): its files are deployed to the private bucket. */
  readonly webDistPath: string;
  /**
   * Origins the web app may fetch besides its own, added to the CSP's connect-src (the Cognito domain, where the
   * authorization code is exchanged).
   */
  readonly connectSources: readonly string[];
  /**
   * ARN of a WAFv2 web ACL (scope CLOUDFRONT, in us-east-1) to attach.
   * @default - no web ACL
   */
  readonly webAclArn?: string;
  /**
   * Custom domain names and their certificate (ACM, in us-east-1); without them the distribution's own domain
   * (`d123.cloudfront.net`) is the portal's address.
   * @default - the distribution's domain
   */
  readonly domainNames?: readonly string[];
  readonly certificate?: ICertificate;
  /** @default PriceClass.PRICE_CLASS_100 (North America and Europe edges: the providers are European) */
  readonly priceClass?: PriceClass;
}

/**
 * The web app behind CloudFront: a private S3 bucket (public access blocked, TLS only, encrypted, reachable only by
 * this distribution through Origin Access Control), the security headers `reversa serve` sends locally
 * (core/portal/security-headers.ts) as a response-headers policy, a CloudFront Function that serves client-side
 * routes as /index.html, and `/v1/*` forwarded to the HTTP API uncached with every viewer header (Authorization
 * included) but Host. `/config.json` is written at deploy time (`deployConfig`): locally it does not exist, which
 * is how the web app knows to show its own login form.
 */
export class PortalSite extends Construct {
  readonly bucket: IBucket;
  readonly distribution: Distribution;
  readonly headers: ResponseHeadersPolicy;
  readonly spaRewrite: CloudFrontFunction;
  private readonly webDistPath: string;

  constructor(scope: Construct, id: string, props: PortalSiteProps) {
    super(scope, id);
    this.webDistPath = props.webDistPath;
    const accessLogs = new AccessLogsBucket(this, 'AccessLogs');
    this.bucket = asIBucket(
      new SecureBucket(this, 'Web', {
        serverAccessLogsBucket: asIBucket(accessLogs.bucket),
        serverAccessLogsPrefix: 'web/',
        lifecycleRules: [{ id: 'ExpireOldVersions', noncurrentVersionExpiration: Duration.days(30) }],
      }).bucket,
    );

    // CloudFront's standard logs are delivered with an ACL grant: the one bucket here that keeps ACLs (object writer).
    const cdnLogs = new Bucket(this, 'CdnLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ id: 'ExpireCdnLogs', expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(cdnLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket is the destination of the distribution’s access logs; logging it into itself would loop, and its writer is CloudFront alone.',
    });

    const headers = securityHeaders({ connectSources: props.connectSources });
    this.headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Reversa portal: the headers reversa serve sends (core/portal/security-headers.ts)',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: headers['content-security-policy'] as string, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(hstsMaxAge(headers['strict-transport-security'] as string)),
          includeSubdomains: true,
          override: true,
        },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Permissions-Policy', value: headers['permissions-policy'] as string, override: true },
        ],
      },
    });

    this.spaRewrite = new CloudFrontFunction(this, 'SpaRewrite', {
      code: FunctionCode.fromInline(SPA_REWRITE_SOURCE),
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Client-side routes of the portal are served as /index.html',
    });

    const custom = props.domainNames !== undefined && props.certificate !== undefined;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Reversa portal: web app and /v1 API',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: props.priceClass ?? PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: asIBucket(cdnLogs),
      logFilePrefix: 'cdn/',
      ...(props.webAclArn === undefined ? {} : { webAclId: props.webAclArn }),
      ...(custom
        ? {
            domainNames: [...(props.domainNames ?? [])],
            certificate: props.certificate,
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        compress: true,
        functionAssociations: [{ function: this.spaRewrite, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
    });
    if (!custom) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          "Without a custom domain (portalDomainName + portalCertificateArn) the distribution uses CloudFront's default *.cloudfront.net certificate, whose minimum protocol CloudFront fixes; viewers are redirected to HTTPS either way.",
      });
    }
    if (props.webAclArn === undefined) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR2',
        reason:
          'No web ACL was given (portalWaf=true deploys one in us-east-1): the API behind /v1 authenticates every request, throttles each route and logs every access.',
      });
    }
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'Clients and auditors of a provider may work from any country; access is by Cognito identity and per-tenant authorization, not by geography.',
    });
  }

  /**
   * Routes `/v1/*` to the HTTP API at `apiDomainName` (`<id>.execute-api.<region>.amazonaws.com`): added once the
   * API exists, which is built after the user pool's client, which needs this distribution's domain.
   */
  routeApi(apiDomainName: string): void {
    this.distribution.addBehavior(
      '/v1/*',
      new HttpOrigin(apiDomainName, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
      {
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        // Nothing of the API is cached: answers depend on the caller's token. With caching disabled the all-viewer
        // origin request policy may forward Authorization (which could otherwise only travel in a cache key).
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: this.headers,
        compress: true,
      },
    );
  }

  /** `https://<distribution domain>`. */
  get url(): string {
    return `https://${this.distribution.domainName}`;
  }

  /**
   * Deploys the web app's files and `/config.json`. Hashed assets are cached for a year; index.html and config.json
   * are revalidated on every load, so a new deployment reaches every browser at once.
   */
  deployWebApp(config: PortalWebConfig): void {
    const assets = new BucketDeployment(this, 'DeployAssets', {
      sources: [Source.asset(this.webDistPath, { exclude: ['index.html', 'config.json'] })],
      destinationBucket: this.bucket,
      cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
      // Old hashed assets stay: a browser still holding the previous index.html can load them.
      prune: false,
      memoryLimit: 512,
    });
    const entry = new BucketDeployment(this, 'DeployEntry', {
      sources: [
        Source.asset(this.webDistPath, { exclude: ['*', '!index.html'] }),
        Source.jsonData('config.json', config),
      ],
      destinationBucket: this.bucket,
      cacheControl: [CacheControl.noCache()],
      prune: false,
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/config.json'],
      memoryLimit: 512,
    });
    // index.html names the hashed assets: they must be there first.
    entry.node.addDependency(assets);
    acknowledgeDeploymentHandler(assets.handlerRole, this.bucket);
  }
}

/** `max-age=31536000; includeSubDomains` → 31536000. */
function hstsMaxAge(value: string): number {
  const match = /max-age=(\d+)/.exec(value);
  return match ? Number(match[1]) : 31_536_000;
}

/**
 * BucketDeployment's handler is one Lambda per stack (a CDK singleton) with CDK's own role: its findings are
 * acknowledged on that function, not on the stack, with what CDK gives it.
 */
function acknowledgeDeploymentHandler(role: IConstruct, bucket: IBucket): void {
  const handler = role.node.scope;
  if (handler === undefined) return;
  const stack = Stack.of(handler);
  if (stack.synthesizer instanceof DefaultStackSynthesizer) {
    // The default synthesizer's staging bucket name, as it specialises it for this stack's account and region.
    const staging = `cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-${stack.account}-${stack.region}`;
    acknowledgeWildcardResource(
      handler,
      `arn:${Aws.PARTITION}:s3:::${staging}/*`,
      "CDK's BucketDeployment handler reads the web app's zipped asset from the CDK staging bucket, whose object keys are content hashes.",
    );
  }
  acknowledgeWildcardResource(
    handler,
    bucket.arnForObjects('*'),
    "CDK's BucketDeployment handler writes every file of the web app build into the portal's web bucket, which holds nothing else.",
  );
  acknowledgeWildcardResource(
    handler,
    '*',
    'cloudfront:CreateInvalidation and GetInvalidation, which BucketDeployment grants on every distribution (CDK does not scope them).',
  );
  for (const [id, reason] of [
    [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "CDK's BucketDeployment handler (a custom resource run at deploy time only) is built with the basic execution role; it handles no tenant data.",
    ],
    [
      'AwsSolutions-IAM5[Action::s3:GetObject*]',
      "CDK's BucketDeployment handler reads the web app's asset from the CDK staging bucket with the grant CDK generates.",
    ],
    [
      'AwsSolutions-IAM5[Action::s3:GetBucket*]',
      "CDK's BucketDeployment handler reads the web app's asset from the CDK staging bucket with the grant CDK generates.",
    ],
    [
      'AwsSolutions-IAM5[Action::s3:List*]',
      "CDK's BucketDeployment handler lists the staging and web buckets with the grant CDK generates.",
    ],
    [
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
      "CDK's BucketDeployment handler replaces the web app's files in the web bucket (the grant CDK generates for it).",
    ],
    [
      'AwsSolutions-IAM5[Action::s3:Abort*]',
      "CDK's BucketDeployment handler uploads the web app's files to the web bucket (the grant CDK generates for it).",
    ],
    [
      'AwsSolutions-L1',
      "CDK's BucketDeployment handler runtime is chosen by the CDK version, not by this project; it runs at deploy time only.",
    ],
  ] as const) {
    Validations.of(handler).acknowledge({ id, reason });
  }
}
