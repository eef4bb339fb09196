import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { CONFIG_ENV } from '#config';
import { ConfigError } from '#core/errors.ts';
import { EXPORT_WORKFLOW } from '#statemachines/names.ts';
import {
  BindableBucket,
  BindableEventBus,
  BindableSigningKey,
  BindableStateMachine,
  BindableTable,
  type Binding,
  combine,
  TenantSecrets,
} from './bindings.ts';
import { AlarmTopic } from './constructs/alarm-topic.ts';
import { PortalApi, type RouteThrottle } from './constructs/portal-api.ts';
import { PortalSite } from './constructs/portal-site.ts';
import { CALLBACK_PATH, LOGOUT_PATH, PortalUserPool } from './constructs/portal-user-pool.ts';
import type { TenantAccessRole } from './constructs/tenant-access-role.ts';
import { DEFAULT_READ_BACKUP_ROLE_PREFIX, ownArn, serviceGrant } from './grants.ts';
import { TENANT_INDEX } from './partitions.ts';
import { entryFromRepoRoot, repoRoot } from './paths.ts';
import { type ApiRouteSpec, portalApiRoutes } from './portal/api-routes.ts';
import type { StatefulResources } from './reversa-resources.ts';
import { SESSION_TENANT } from './tenant-grants.ts';

/** Output keys: the CLI reads `UserPoolId` (wiring/aws/platform.ts `user add|list|remove`). */
export const portalOutputKeys = [
  'UserPoolId',
  'UserPoolClientId',
  'CognitoDomain',
  'PortalUrl',
  'ApiUrl',
  'DistributionId',
  'TenantAccessRoleArn',
] as const;

/** The web app build the stack deploys by default. */
export const DEFAULT_WEB_DIST = join(repoRoot, 'web', 'dist');

export interface PortalStackProps extends StackProps {
  /** Table, buckets, keys and bus of the stateful stack (the API reads and writes them per tenant). */
  readonly stateful: Omit<StatefulResources, 'idempotencyTable' | 'dossierSigningKey'>;
  /** Name of the workflows stack: the export workflow is `<name>-reversibility-export` (a fixed name). */
  readonly workflowsStackName: string;
  /**
   * The built web app. `npm run synth` builds it first (`npm run web:build`).
   * @default web/dist
   */
  readonly webDistPath?: string;
  /** @default - handlers at their path under the repository root */
  readonly resolveEntry?: (relativePath: string) => string;
  /** @default - the OpenAPI document's routes (infra/portal/api-routes.ts) */
  readonly routes?: readonly ApiRouteSpec[];
  /** @default - see PortalApi */
  readonly routeThrottles?: Readonly<Record<string, RouteThrottle>>;
  /** @default - no e-mail subscription on the portal's alarm topic */
  readonly alarmEmail?: string;
  /** Prefix of the hosted UI domain. @default '<stack name>-<account>' */
  readonly authDomainPrefix?: string;
  /** Cognito threat protection (Plus plan). @default true */
  readonly threatProtection?: boolean;
  /** WAFv2 web ACL (CLOUDFRONT scope, us-east-1) for the distribution. @default - none */
  readonly webAclArn?: string;
  /** A custom domain for the portal and its ACM certificate in us-east-1. @default - the distribution's domain */
  readonly domainName?: string;
  readonly certificateArn?: string;
  /** Role name prefix of the client accounts' read-only roles (readiness discovers tagged resources). */
  readonly readBackupRolePrefix?: string;
}

/**
 * The client and auditor portal: the Cognito user pool, the HTTP API with its JWT authorizer and the API Lambda,
 * whose own role may only assume its tenant-access role (plus the two cross-tenant grants it needs: the tenant index
 * for provider-admins and starting the export workflow), and the CloudFront distribution serving the web app from a
 * private bucket with `/v1/*` routed to the API. Separate from the processing stack so the portal can be deployed,
 * replaced or removed on its own; data stays in the stateful stack.
 */
export class PortalStack extends Stack {
  readonly users: PortalUserPool;
  readonly api: PortalApi;
  readonly site: PortalSite;
  /** The web app's app client (PKCE, no secret). */
  readonly client: UserPoolClient;
  readonly alarmTopic: AlarmTopic;
  /** The role every API request runs its data access with, session tag `tenant=<id>`. */
  readonly tenantAccess: TenantAccessRole;

  constructor(scope: Construct, id: string, props: PortalStackProps) {
    super(scope, id, props);
    const webDistPath = props.webDistPath ?? DEFAULT_WEB_DIST;
    if (!existsSync(join(webDistPath, 'index.html'))) {
      throw new ConfigError(
        'NoWebBuild',
        `${webDistPath}/index.html is missing: build the web app first (npm run web:build; npm run synth does it)`,
      );
    }
    const resolveEntry = props.resolveEntry ?? entryFromRepoRoot;
    this.alarmTopic = new AlarmTopic(this, 'Alarms', props.alarmEmail === undefined ? {} : { email: props.alarmEmail });

    const certificate =
      props.certificateArn === undefined
        ? undefined
        : Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn);
    if ((props.domainName === undefined) !== (certificate === undefined)) {
      throw new ConfigError('PortalDomain', 'portalDomainName and portalCertificateArn go together (ACM, us-east-1)');
    }

    // In dependency order: the pool and its hosted UI domain (the site's CSP names it), the site (the client's
    // callback names its domain), the web app client (the API's authorizer names it), the API, then `/v1/*`.
    this.users = new PortalUserPool(this, 'Users', {
      ...(props.authDomainPrefix === undefined ? {} : { domainPrefix: props.authDomainPrefix }),
      ...(props.threatProtection === undefined ? {} : { threatProtection: props.threatProtection }),
    });
    this.site = new PortalSite(this, 'Site', {
      webDistPath,
      connectSources: [this.users.domainUrl],
      ...(props.webAclArn === undefined ? {} : { webAclArn: props.webAclArn }),
      ...(props.domainName === undefined || certificate === undefined
        ? {}
        : { domainNames: [props.domainName], certificate }),
    });
    const origin = props.domainName === undefined ? this.site.url : `https://${props.domainName}`;
    this.client = this.users.addWebClient({
      callbackUrl: `${origin}${CALLBACK_PATH}`,
      logoutUrl: `${origin}${LOGOUT_PATH}`,
    });

    this.api = new PortalApi(this, 'Api', {
      routes: props.routes ?? portalApiRoutes(),
      userPool: this.users.userPool,
      userPoolClient: this.client,
      entry: resolveEntry('functions/api/http.ts'),
      bindings: this.apiBindings(props),
      alarmAction: new SnsAction(this.alarmTopic.topic),
      ...(props.routeThrottles === undefined ? {} : { routeThrottles: props.routeThrottles }),
    });
    this.site.routeApi(this.api.domainName);
    const tenantAccess = this.api.handler.tenantAccess;
    if (tenantAccess === undefined) throw new ConfigError('NoTenantAccess', 'the portal API got no tenant grant');
    this.tenantAccess = tenantAccess;

    this.site.deployWebApp({
      cognitoDomain: this.users.domainUrl,
      clientId: this.client.userPoolClientId,
      region: this.region,
      userPoolId: this.users.userPool.userPoolId,
      redirectUri: `${origin}${CALLBACK_PATH}`,
      logoutUri: `${origin}${LOGOUT_PATH}`,
    });
    this.addOutputs(origin);
  }

  /**
   * What the API's use cases touch (api/routes/*), tenant data through the tenant-access role:
   * - the table's tenant partitions (read, findings edits and comments, audit entries, link records);
   * - the data bucket: reports, restore-test evidence, the dossier sources readiness fingerprints, `runs/`
   *   where audit exports are staged for download, and `sla/` (the SLA standing reads the reports; a provider's
   *   first request for a closed period's statement issues it: list the versions, read, write);
   * - the audit log (append, seal, verify: audit bucket prefix, signing key) and the dossier bucket (presigned links);
   * - the bus (finding events), the secret names readiness fingerprints, and discovery of tagged resources;
   * the function's own role only: the tenant index (provider-admins list every tenant) and starting an export.
   */
  private apiBindings(props: PortalStackProps): Binding[] {
    const { stateful } = props;
    const table = new BindableTable(stateful.table, 'tableName', { tenantPartitioned: true });
    const data = new BindableBucket(stateful.dataBucket, 'dataBucket', 'data');
    const audit = new BindableBucket(stateful.auditBucket, 'auditBucket', 'audit');
    const auditKey = new BindableSigningKey(stateful.auditSigningKey, 'auditKeyId');
    const dossiers = new BindableBucket(stateful.dossierBucket, 'dossierBucket', 'dossier');
    const bus = new BindableEventBus(stateful.eventBus, 'eventBusName');
    const exportArn = ownArn(this, 'states', 'stateMachine', `${props.workflowsStackName}-${EXPORT_WORKFLOW}`);
    const exportWorkflow = new BindableStateMachine('exportStateMachineArn', exportArn);
    const secrets = new TenantSecrets(this);
    const read = ['reports/', 'restore-tests/', 'runs/', 'config/', 'procedures/', 'inventory/', 'sla/'];
    const readBackupRoles = `arn:${this.partition}:iam::*:role/${props.readBackupRolePrefix ?? DEFAULT_READ_BACKUP_ROLE_PREFIX}*`;
    return [
      table.readWrite(),
      table.crossTenantRead(['dynamodb:Query'], [TENANT_INDEX]),
      data.read(...read),
      data.objects(['s3:PutObject', 's3:AbortMultipartUpload'], ['runs/', 'sla/']),
      data.list(...read),
      combine(audit.objects(['s3:PutObject', 's3:GetObject'], ['audit/']), audit.list('audit/'), auditKey.sign()),
      dossiers.read('dossiers/'),
      dossiers.list('dossiers/'),
      bus.putEvents(),
      secrets.list(),
      exportWorkflow.startExecution(StateMachine.fromStateMachineArn(this, 'ExportWorkflow', exportArn)),
      {
        environment: {},
        grants: [],
        tenantGrants: [
          serviceGrant(
            ['tag:GetResources'],
            "tag:GetResources supports no resource-level permission; readiness keeps only resources whose reversa:tenant tag is the session's tenant.",
          ),
          {
            on: 'external',
            actions: ['sts:AssumeRole'],
            resources: [readBackupRoles],
            // The client account's trust policy requires the tenant id as ExternalId: a session may only present its own.
            conditions: { StringEquals: { 'sts:ExternalId': SESSION_TENANT } },
            wildcards: [
              {
                resource: readBackupRoles,
                reason:
                  "Client accounts are named by each tenant's strategy; the ExternalId condition binds the AssumeRole to the session's tenant, which the client's trust policy requires.",
              },
            ],
          },
        ],
      },
    ];
  }

  private addOutputs(origin: string): void {
    const values: Record<(typeof portalOutputKeys)[number], [string, string]> = {
      UserPoolId: [this.users.userPool.userPoolId, `Portal user pool (${CONFIG_ENV.userPoolId}; reversa user add)`],
      UserPoolClientId: [
        this.client.userPoolClientId,
        `Web app client, PKCE, no secret (${CONFIG_ENV.userPoolClientId})`,
      ],
      CognitoDomain: [this.users.domainUrl, 'Hosted UI, token and logout endpoints'],
      PortalUrl: [origin, 'The portal: open it in a browser'],
      ApiUrl: [`${origin}/v1`, 'The API (also at the HTTP API endpoint, with the same JWT authorizer)'],
      DistributionId: [this.site.distribution.distributionId, 'CloudFront distribution of the portal'],
      TenantAccessRoleArn: [this.tenantAccess.roleArn, 'Role every API request assumes with session tag tenant=<id>'],
    };
    for (const [key, [value, description]] of Object.entries(values)) new CfnOutput(this, key, { value, description });
  }
}
