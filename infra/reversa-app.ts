import type { App, Environment } from 'aws-cdk-lib';
import { ConfigError } from '#core/errors.ts';
import { asIEventBus, asITable } from './cdk-types.ts';
import { PortalStack } from './portal-stack.ts';
import { PortalWafStack } from './portal-waf-stack.ts';
import { StatefulStack } from './stateful-stack.ts';
import { WorkflowsStack } from './workflows-stack.ts';

export interface ReversaStacksOptions {
  /**
   * Account and region. Omit both for environment-agnostic stacks (synth needs no credentials then).
   * @default - environment-agnostic
   */
  readonly env?: Environment;
  /**
   * Prefix of the stack names.
   * @default 'Reversa'
   */
  readonly stackPrefix?: string;
  /** @default - no e-mail subscription on the alarm topic */
  readonly alarmEmail?: string;
  /** @default - no client account may forward events */
  readonly clientAccountIds?: readonly string[];
  /** @default - no organization-wide forwarding */
  readonly clientOrganizationId?: string;
  /**
   * Days audit log objects stay under S3 Object Lock (COMPLIANCE mode).
   * @default 2555 (7 years)
   */
  readonly auditRetentionDays?: number;
  /** @default statemachines/verify-backups.asl.json */
  readonly verifyDefinitionPath?: string;
  /** @default - handlers at their path under the repository root */
  readonly resolveEntry?: (relativePath: string) => string;
  /** Subnets of the restic Fargate task (`-c restoreSubnetIds=subnet-a,subnet-b`). @default - none */
  readonly restoreSubnetIds?: readonly string[];
  /** Security groups of the restic Fargate task (`-c restoreSecurityGroupIds=sg-a`). @default - none */
  readonly restoreSecurityGroupIds?: readonly string[];
  /** Buckets holding archives and restic repositories, read-only (`-c restoreSourceBuckets=…`). @default - none */
  readonly restoreSourceBuckets?: readonly string[];
  /** Buckets s3-archive policies restore into (`-c restoreSandboxBuckets=…`). @default - none */
  readonly restoreSandboxBuckets?: readonly string[];
  /**
   * Deploy the client and auditor portal (`<prefix>Portal`: user pool, HTTP API, CloudFront). `-c portal=false` omits it.
   * @default true
   */
  readonly portal?: boolean;
  /** The built web app the portal deploys. @default web/dist (`npm run synth` builds it) */
  readonly webDistPath?: string;
  /** Hosted UI domain prefix (`-c portalAuthDomainPrefix=acme-msp-portal`). @default '<prefix>portal-<account>' */
  readonly portalAuthDomainPrefix?: string;
  /** Cognito threat protection, Plus plan (`-c portalThreatProtection=false` where unavailable). @default true */
  readonly portalThreatProtection?: boolean;
  /** An existing WAFv2 web ACL (CLOUDFRONT scope) for the distribution (`-c portalWebAclArn=arn:…`). @default - none */
  readonly portalWebAclArn?: string;
  /**
   * Deploy `<prefix>PortalWaf` in us-east-1 with a web ACL (AWS managed rules, a rate limit) and attach it
   * (`-c portalWaf=true`; needs an explicit account and region, and cdk bootstrap of us-east-1).
   * @default false
   */
  readonly portalWaf?: boolean;
  /** Custom domain and ACM certificate (us-east-1) of the portal (`-c portalDomainName=… -c portalCertificateArn=…`). */
  readonly portalDomainName?: string;
  readonly portalCertificateArn?: string;
}

/** Deploy-context keys that hold comma-separated lists, passed to the workflows stack as is. */
const listOptions = [
  'restoreSubnetIds',
  'restoreSecurityGroupIds',
  'restoreSourceBuckets',
  'restoreSandboxBuckets',
] as const;

export interface ReversaStacks {
  readonly stateful: StatefulStack;
  readonly workflows: WorkflowsStack;
  /** Absent with `portal: false`. */
  readonly portal?: PortalStack;
  /** Present with `portalWaf: true`. */
  readonly portalWaf?: PortalWafStack;
}

/**
 * Feature flags this app relies on. Set on the app (before any stack exists) rather than in cdk.json so that
 * tests building the app in-process get the same template as `cdk synth`.
 */
const featureFlags: Record<string, boolean | string> = {
  // Access-log delivery through a bucket policy (works with ACLs disabled) instead of the legacy ACL grant.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  // Exports stay protected while the workflows stack imports them (CloudFormation refuses to delete them).
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
};

/** Adds the Reversa stacks to `app`. The one place both `infra/app.ts` and the infra tests build the app. */
export function addReversaStacks(app: App, options: ReversaStacksOptions = {}): ReversaStacks {
  for (const [flag, value] of Object.entries(featureFlags)) {
    if (app.node.tryGetContext(flag) === undefined) app.node.setContext(flag, value);
  }
  const prefix = options.stackPrefix ?? 'Reversa';
  const env = options.env === undefined ? {} : { env: options.env };
  const workflowsStackName = `${prefix}Workflows`;
  const stateful = new StatefulStack(app, `${prefix}Stateful`, {
    ...env,
    description: 'Reversa data: tables, data/audit/dossier buckets, signing keys, event bus (retained on deletion)',
    // KMS aliases are per account and region: the prefix keeps two installs apart, as it does the stacks.
    aliasPrefix: prefix.toLowerCase(),
    applicationRoleNamePrefix: `${workflowsStackName}-`,
    ...(options.auditRetentionDays === undefined ? {} : { auditRetentionDays: options.auditRetentionDays }),
    ...(options.clientAccountIds === undefined ? {} : { clientAccountIds: options.clientAccountIds }),
    ...(options.clientOrganizationId === undefined ? {} : { clientOrganizationId: options.clientOrganizationId }),
  });
  const workflows = new WorkflowsStack(app, workflowsStackName, {
    ...env,
    description: 'Reversa processing: functions, verify workflow, event rules, schedules, alarms',
    stateful: {
      table: asITable(stateful.table),
      idempotencyTable: asITable(stateful.idempotencyTable),
      dataBucket: stateful.dataBucketForConsumers,
      eventBus: asIEventBus(stateful.eventBus),
      auditBucket: stateful.auditBucketForConsumers,
      auditSigningKey: stateful.auditSigningKey,
      dossierBucket: stateful.dossierBucketForConsumers,
      dossierSigningKey: stateful.dossierSigningKey,
    },
    ...(options.alarmEmail === undefined ? {} : { alarmEmail: options.alarmEmail }),
    ...(options.verifyDefinitionPath === undefined ? {} : { verifyDefinitionPath: options.verifyDefinitionPath }),
    ...(options.resolveEntry === undefined ? {} : { resolveEntry: options.resolveEntry }),
    ...Object.fromEntries(listOptions.flatMap((key) => (options[key] === undefined ? [] : [[key, options[key]]]))),
  });
  workflows.addStackDependency(stateful, 'the workflows read and write the stateful resources');
  if (options.portal === false) return { stateful, workflows };
  const { portal, portalWaf } = addPortalStacks(app, prefix, options, stateful, workflowsStackName);
  portal.addStackDependency(workflows, 'the portal starts the export workflow, which must exist');
  return { stateful, workflows, portal, ...(portalWaf === undefined ? {} : { portalWaf }) };
}

function addPortalStacks(
  app: App,
  prefix: string,
  options: ReversaStacksOptions,
  stateful: StatefulStack,
  workflowsStackName: string,
): { portal: PortalStack; portalWaf?: PortalWafStack } {
  const env = options.env === undefined ? {} : { env: options.env };
  let webAclArn = options.portalWebAclArn;
  let portalWaf: PortalWafStack | undefined;
  if (options.portalWaf === true) {
    if (options.env?.account === undefined || options.env.region === undefined) {
      throw new ConfigError(
        'PortalWafNeedsEnv',
        'portalWaf=true needs an explicit account and region (cdk deploy with credentials)',
      );
    }
    portalWaf = new PortalWafStack(app, `${prefix}PortalWaf`, {
      env: { account: options.env.account, region: 'us-east-1' },
      crossRegionReferences: true,
      description: 'Reversa portal: WAF web ACL for CloudFront (us-east-1)',
    });
    webAclArn = portalWaf.webAclArn;
  }
  const portal = new PortalStack(app, `${prefix}Portal`, {
    ...env,
    ...(portalWaf === undefined ? {} : { crossRegionReferences: true }),
    description: 'Reversa portal: Cognito user pool, HTTP API (JWT), API Lambda, CloudFront web app',
    workflowsStackName,
    stateful: {
      table: asITable(stateful.table),
      dataBucket: stateful.dataBucketForConsumers,
      eventBus: asIEventBus(stateful.eventBus),
      auditBucket: stateful.auditBucketForConsumers,
      auditSigningKey: stateful.auditSigningKey,
      dossierBucket: stateful.dossierBucketForConsumers,
    },
    ...(options.alarmEmail === undefined ? {} : { alarmEmail: options.alarmEmail }),
    ...(options.resolveEntry === undefined ? {} : { resolveEntry: options.resolveEntry }),
    ...(options.webDistPath === undefined ? {} : { webDistPath: options.webDistPath }),
    ...(options.portalAuthDomainPrefix === undefined ? {} : { authDomainPrefix: options.portalAuthDomainPrefix }),
    ...(options.portalThreatProtection === undefined ? {} : { threatProtection: options.portalThreatProtection }),
    ...(webAclArn === undefined ? {} : { webAclArn }),
    ...(options.portalDomainName === undefined ? {} : { domainName: options.portalDomainName }),
    ...(options.portalCertificateArn === undefined ? {} : { certificateArn: options.portalCertificateArn }),
  });
  portal.addStackDependency(stateful, 'the portal API reads and writes the stateful resources');
  if (portalWaf !== undefined) portal.addStackDependency(portalWaf, 'the distribution attaches the web ACL');
  return { portal, ...(portalWaf === undefined ? {} : { portalWaf }) };
}

/** Reads the deploy-time parameters given as `-c key=value` (see docs/deploy.md). */
export function readDeployContext(
  app: App,
): Pick<
  ReversaStacksOptions,
  | 'alarmEmail'
  | 'auditRetentionDays'
  | 'clientAccountIds'
  | 'clientOrganizationId'
  | 'stackPrefix'
  | (typeof listOptions)[number]
  | (typeof portalTextOptions)[number]
  | 'portal'
  | 'portalThreatProtection'
  | 'portalWaf'
> {
  const text = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const alarmEmail = text('alarmEmail');
  const accounts = text('clientAccountIds');
  const organizationId = text('clientOrganizationId');
  const stackPrefix = text('stackPrefix');
  const retention = text('auditRetentionDays') ?? numberText(app.node.tryGetContext('auditRetentionDays'));
  const lists = Object.fromEntries(
    listOptions.flatMap((key) => {
      const value = text(key);
      return value === undefined
        ? []
        : [
            [
              key,
              value
                .split(',')
                .map((item) => item.trim())
                .filter((item) => item !== ''),
            ],
          ];
    }),
  ) as Partial<Record<(typeof listOptions)[number], string[]>>;
  const portalTexts = Object.fromEntries(
    portalTextOptions.flatMap((key) => {
      const value = text(key);
      return value === undefined ? [] : [[key, value]];
    }),
  ) as Partial<Record<(typeof portalTextOptions)[number], string>>;
  const flags = Object.fromEntries(
    (['portal', 'portalThreatProtection', 'portalWaf'] as const).flatMap((key) => {
      const value: unknown = app.node.tryGetContext(key);
      return value === undefined ? [] : [[key, booleanOption(key, value)]];
    }),
  ) as Partial<Record<'portal' | 'portalThreatProtection' | 'portalWaf', boolean>>;
  return {
    ...lists,
    ...portalTexts,
    ...flags,
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    ...(retention === undefined ? {} : { auditRetentionDays: wholeDays(retention) }),
    ...(accounts === undefined ? {} : { clientAccountIds: accounts.split(',').map((id) => id.trim()) }),
    ...(organizationId === undefined ? {} : { clientOrganizationId: organizationId }),
    ...(stackPrefix === undefined ? {} : { stackPrefix }),
  };
}

/** Portal deploy-context keys taken as given (`-c portalDomainName=portal.example.com`). */
const portalTextOptions = [
  'portalAuthDomainPrefix',
  'portalWebAclArn',
  'portalDomainName',
  'portalCertificateArn',
] as const;

/** `-c portal=false` gives the string 'false'; cdk.json may hold a boolean. */
function booleanOption(key: string, value: unknown): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new ConfigError('InvalidFlag', `${key} must be true or false, got '${String(value)}'`);
}

/** `-c key=value` always gives a string; a context value in cdk.json may be a number. */
function numberText(value: unknown): string | undefined {
  return typeof value === 'number' ? String(value) : undefined;
}

function wholeDays(text: string): number {
  if (!/^\d+$/.test(text)) {
    throw new ConfigError('InvalidAuditRetention', `auditRetentionDays must be a whole number of days, got '${text}'`);
  }
  return Number(text);
}
