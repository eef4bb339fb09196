import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, type IAlarmAction, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { FilterPattern, LogGroup, MetricFilter, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Binding } from '../bindings.ts';
import type { ApiRouteSpec } from '../portal/api-routes.ts';
import { ReversaFunction } from './reversa-function.ts';

/** Requests per second and burst of one route. */
export interface RouteThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * Default per-route limits. Reads are cheap; what starts work (an export), renders a PDF or streams the whole audit
 * log gets far less: a stolen token or a looping script must not run up the bill or starve the table.
 */
export const DEFAULT_ROUTE_THROTTLE: RouteThrottle = { rateLimit: 50, burstLimit: 100 };
export const HEAVY_ROUTE_THROTTLE: RouteThrottle = { rateLimit: 2, burstLimit: 5 };
/** Operations that get HEAVY_ROUTE_THROTTLE unless `routeThrottles` says otherwise. */
export const HEAVY_OPERATIONS: readonly string[] = [
  'startExport',
  'exportAudit',
  'auditorReport',
  'createDossierLink',
  // Issues (computes a period from its whole verification history, signs) when none is stored yet.
  'slaStatement',
];

export interface PortalApiProps {
  /** The routes to deploy (infra/portal/api-routes.ts reads them from the OpenAPI document). */
  readonly routes: readonly ApiRouteSpec[];
  /** The pool whose ID tokens the JWT authorizer accepts, and the web app's client (the audience). */
  readonly userPool: IUserPool;
  readonly userPoolClient: IUserPoolClient;
  /** The API Lambda's handler file (functions/api/http.ts). */
  readonly entry: string;
  /**
   * What the handler reaches, as bindings (infra/bindings.ts): tenant grants go to its tenant-access role, the
   * rest to its own role.
   */
  readonly bindings: readonly Binding[];
  /** Notified by every alarm. */
  readonly alarmAction: IAlarmAction;
  /**
   * Per-operation limits (by OpenAPI operationId) replacing the defaults.
   * @default - HEAVY_ROUTE_THROTTLE for HEAVY_OPERATIONS, DEFAULT_ROUTE_THROTTLE for the others
   */
  readonly routeThrottles?: Readonly<Record<string, RouteThrottle>>;
  /**
   * p95 latency above which the latency alarm fires (three 5-minute periods in a row).
   * @default Duration.seconds(3)
   */
  readonly latencyThreshold?: Duration;
  /** @default RetentionDays.ONE_YEAR (who called what, from where: kept like the access logs of the buckets) */
  readonly accessLogRetention?: RetentionDays;
}

/**
 * The portal's HTTP API: every route of the API (API Gateway matches the method and path, so an unknown path is a
 * 404 that never reaches the Lambda), each behind the user pool's JWT authorizer but the OpenAPI document, with its
 * own throttling, JSON access logs in a log group, and alarms on 5xx responses, p95 latency and throttled requests
 * (HTTP APIs publish no throttle metric: a metric filter counts the 429s in the access log). One Lambda serves every
 * route (functions/api/http.ts, the same handler `reversa serve` runs); the handler verifies the token again
 * (api/token-verifier.ts) so a misconfigured authorizer cannot open the API.
 */
export class PortalApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly handler: ReversaFunction;
  readonly authorizer: HttpJwtAuthorizer;
  readonly accessLogs: LogGroup;
  readonly alarms: readonly Alarm[];
  /** The routes as deployed, by route key. */
  readonly routes: Readonly<Record<string, HttpRoute>>;

  constructor(scope: Construct, id: string, props: PortalApiProps) {
    super(scope, id);
    const issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${props.userPool.userPoolId}`;

    this.handler = new ReversaFunction(this, 'ApiHandler', {
      entry: props.entry,
      description: 'Portal API: every /v1 route (api/), per-request tenant-access sessions',
      serviceName: 'reversa-portal',
      environment: { userPoolId: props.userPool.userPoolId, userPoolClientId: props.userPoolClient.userPoolClientId },
      // API Gateway waits 30 s at most; the handler's own deadline comes first.
      timeout: Duration.seconds(29),
      memorySize: 1024,
    }).bind(...props.bindings);

    this.api = new HttpApi(this, 'HttpApi', {
      description: 'Reversa portal API (/v1), behind CloudFront',
      createDefaultStage: false,
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const throttleOf = (route: ApiRouteSpec): RouteThrottle =>
      props.routeThrottles?.[route.operationId] ??
      (HEAVY_OPERATIONS.includes(route.operationId) ? HEAVY_ROUTE_THROTTLE : DEFAULT_ROUTE_THROTTLE);
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      // The stage default applies to anything not listed below (there is nothing else: unknown routes are 404).
      throttle: { rateLimit: DEFAULT_ROUTE_THROTTLE.rateLimit, burstLimit: DEFAULT_ROUTE_THROTTLE.burstLimit },
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        // The caller is the token's subject as the authorizer saw it; never the token or any header.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            routeKey: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            subject: '$context.authorizer.claims.sub',
            userAgent: '$context.identity.userAgent',
          }),
        ),
      },
    });
    (this.stage.node.defaultChild as CfnStage).routeSettings = Object.fromEntries(
      props.routes.map((route) => {
        const limits = throttleOf(route);
        return [route.routeKey, { throttlingRateLimit: limits.rateLimit, throttlingBurstLimit: limits.burstLimit }];
      }),
    );

    this.authorizer = new HttpJwtAuthorizer('CognitoIdToken', issuer, {
      jwtAudience: [props.userPoolClient.userPoolClientId],
      identitySource: ['$request.header.Authorization'],
    });
    const integration = new HttpLambdaIntegration('Handler', this.handler.function);
    const routes: Record<string, HttpRoute> = {};
    for (const route of props.routes) {
      const deployed = new HttpRoute(this, `Route-${route.operationId}`, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration,
        ...(route.public ? {} : { authorizer: this.authorizer }),
      });
      if (route.public) {
        Validations.of(deployed).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${route.routeKey} is public in the OpenAPI document (security: []): it describes the API to anyone about to call it and returns no tenant data.`,
        });
      }
      routes[route.routeKey] = deployed;
    }
    this.routes = routes;
    // The route tables depend on the stage settings naming them: deploy routes before the stage's settings.
    for (const route of Object.values(routes)) this.stage.node.addDependency(route);

    this.alarms = this.addAlarms(props);
  }

  /** `https://<api id>.execute-api.<region>.amazonaws.com`: what CloudFront's `/v1/*` behaviour forwards to. */
  get domainName(): string {
    return `${this.api.apiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}`;
  }

  private addAlarms(props: PortalApiProps): Alarm[] {
    const period = Duration.minutes(5);
    const throttled = new MetricFilter(this, 'ThrottledRequests', {
      logGroup: this.accessLogs,
      metricNamespace: 'Reversa/Portal',
      metricName: 'ThrottledRequests',
      filterPattern: FilterPattern.stringValue('$.status', '=', '429'),
      metricValue: '1',
      defaultValue: 0,
    });
    const alarms = [
      new Alarm(this, 'ServerErrorsAlarm', {
        alarmDescription: 'Portal API: 5xx responses (handler failures, integration errors or timeouts)',
        metric: this.stage.metricServerError({ period, statistic: Stats.SUM }),
        threshold: 5,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'LatencyAlarm', {
        alarmDescription: 'Portal API: p95 latency high for 15 minutes',
        metric: this.stage.metricLatency({ period, statistic: Stats.percentile(95) }),
        threshold: (props.latencyThreshold ?? Duration.seconds(3)).toMilliseconds(),
        evaluationPeriods: 3,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'ThrottledRequestsAlarm', {
        alarmDescription: 'Portal API: requests refused by route throttling (429), from the access log',
        metric: throttled.metric({ period, statistic: Stats.SUM }),
        threshold: 20,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'HandlerThrottlesAlarm', {
        alarmDescription: 'Portal API: the Lambda was throttled (account concurrency exhausted)',
        metric: this.handler.function.metricThrottles({ period, statistic: Stats.SUM }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const alarm of alarms) alarm.addAlarmAction(props.alarmAction);
    return alarms;
  }
}
