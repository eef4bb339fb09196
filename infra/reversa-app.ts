import type { App, Environment } from 'aws-cdk-lib';
import { asIEventBus, asITable } from './cdk-types.ts';
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
  /** @default statemachines/verify-backups.asl.json */
  readonly verifyDefinitionPath?: string;
  /** @default - handlers at their path under the repository root */
  readonly resolveEntry?: (relativePath: string) => string;
}

export interface ReversaStacks {
  readonly stateful: StatefulStack;
  readonly workflows: WorkflowsStack;
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
  const stateful = new StatefulStack(app, `${prefix}Stateful`, {
    ...env,
    description: 'Reversa data: tables, data bucket, event bus (retained on deletion)',
    ...(options.clientAccountIds === undefined ? {} : { clientAccountIds: options.clientAccountIds }),
    ...(options.clientOrganizationId === undefined ? {} : { clientOrganizationId: options.clientOrganizationId }),
  });
  const workflows = new WorkflowsStack(app, `${prefix}Workflows`, {
    ...env,
    description: 'Reversa processing: functions, verify workflow, event rules, schedules, alarms',
    stateful: {
      table: asITable(stateful.table),
      idempotencyTable: asITable(stateful.idempotencyTable),
      dataBucket: stateful.dataBucketForConsumers,
      eventBus: asIEventBus(stateful.eventBus),
    },
    ...(options.alarmEmail === undefined ? {} : { alarmEmail: options.alarmEmail }),
    ...(options.verifyDefinitionPath === undefined ? {} : { verifyDefinitionPath: options.verifyDefinitionPath }),
    ...(options.resolveEntry === undefined ? {} : { resolveEntry: options.resolveEntry }),
  });
  workflows.addStackDependency(stateful, 'the workflows read and write the stateful resources');
  return { stateful, workflows };
}

/** Reads the deploy-time parameters given as `-c key=value` (see docs/deploy.md). */
export function readDeployContext(
  app: App,
): Pick<ReversaStacksOptions, 'alarmEmail' | 'clientAccountIds' | 'clientOrganizationId' | 'stackPrefix'> {
  const text = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const alarmEmail = text('alarmEmail');
  const accounts = text('clientAccountIds');
  const organizationId = text('clientOrganizationId');
  const stackPrefix = text('stackPrefix');
  return {
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    ...(accounts === undefined ? {} : { clientAccountIds: accounts.split(',').map((id) => id.trim()) }),
    ...(organizationId === undefined ? {} : { clientOrganizationId: organizationId }),
    ...(stackPrefix === undefined ? {} : { stackPrefix }),
  };
}
