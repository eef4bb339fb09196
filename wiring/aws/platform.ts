/**
 * The platform on a deployed stack (`--stack <prefix>`): resource names come from the stacks'
 * outputs (config.ts STACK_OUTPUTS), credentials from the default AWS chain. Loaded only in that
 * mode, so local runs never load these clients.
 */

import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { DynamoNotificationStore, deliveryLogOf } from '#adapters/aws/dynamo-notification-store.ts';
import { SchedulerScheduleManager, sdkSchedulerApi } from '#adapters/aws/scheduler-schedule-manager.ts';
import { secretsManagerNotificationSecrets } from '#adapters/aws/secrets-manager-notification-secrets.ts';
import { SfnVerifyStarter } from '#adapters/aws/sfn-verify-starter.ts';
import { STACK_OUTPUTS } from '#config';
import { ConfigError, NotFoundError } from '#core/errors.ts';
import { exportExecutionName } from '#core/use-cases/dossier-export.ts';
import { compactUtc } from '#core/use-cases/verify.ts';
import type { NotificationAdmin, Platform, VerifyRun } from '../platform.ts';
import { slaDepsOf } from '../sla.ts';
import { awsAdapters } from './adapters.ts';
import { awsDossierDeps } from './dossier.ts';

type StackConfig = { -readonly [K in keyof typeof STACK_OUTPUTS]: string };

async function stackOutputs(cfn: CloudFormationClient, stackName: string): Promise<Record<string, string>> {
  try {
    const res = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const out: Record<string, string> = {};
    for (const o of res.Stacks?.[0]?.Outputs ?? []) if (o.OutputKey && o.OutputValue) out[o.OutputKey] = o.OutputValue;
    return out;
  } catch (err) {
    throw new NotFoundError('StackNotFound', `cannot read stack '${stackName}': ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** One output of a stack that may not exist; undefined when it (or the stack) is absent. */
async function readOptionalOutput(
  cfn: CloudFormationClient,
  stackName: string,
  key: string,
): Promise<string | undefined> {
  try {
    const res = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    return res.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
  } catch {
    return undefined;
  }
}

/** Every output the platform needs, from `<prefix>Stateful` and `<prefix>Workflows`; all missing ones named at once. */
export async function readStackConfig(cfn: CloudFormationClient, prefix: string): Promise<StackConfig> {
  const outputs = {
    ...(await stackOutputs(cfn, `${prefix}Stateful`)),
    ...(await stackOutputs(cfn, `${prefix}Workflows`)),
  };
  const missing = Object.values(STACK_OUTPUTS).filter((k) => !outputs[k]);
  if (missing.length > 0) {
    throw new ConfigError(
      'StackOutputsMissing',
      `stacks ${prefix}Stateful/${prefix}Workflows lack outputs: ${missing.join(', ')}`,
    );
  }
  return Object.fromEntries(
    Object.entries(STACK_OUTPUTS).map(([key, output]) => [key, outputs[output] as string]),
  ) as StackConfig;
}

export async function openAwsPlatform(prefix: string, region: string | undefined): Promise<Platform> {
  const clientConfig = region ? { region } : {};
  const config = await readStackConfig(new CloudFormationClient(clientConfig), prefix);
  if (region) process.env.AWS_REGION = region;
  const deps = awsAdapters(config, clientConfig);
  const dossierDeps = awsDossierDeps(config, deps);
  const sfn = new SFNClient(clientConfig);
  const { s3 } = deps.clients;
  let callerArn: Promise<string> | undefined;

  /** Starts an execution and polls it with a gentle backoff (runs take seconds to minutes). */
  async function runToEnd(
    stateMachineArn: string,
    name: string,
    input: unknown,
  ): Promise<{ status: string; error?: string; cause?: string }> {
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    for (let delay = 1000; ; delay = Math.min(delay * 1.5, 10_000)) {
      await new Promise((r) => setTimeout(r, delay));
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
      if (d.status === 'RUNNING' || d.status === 'PENDING_REDRIVE') continue;
      const out: { status: string; error?: string; cause?: string } = { status: d.status ?? 'UNKNOWN' };
      if (d.error) out.error = d.error;
      if (d.cause) out.cause = d.cause;
      return out;
    }
  }

  let notifications: NotificationAdmin | undefined;
  function notificationAdmin(): NotificationAdmin {
    const store = new DynamoNotificationStore({ tableName: config.tableName, client: deps.clients.dynamodb });
    // The e-mail topic is an output of the Workflows stack; older stacks have none (no e-mail channel).
    const topic = () =>
      readOptionalOutput(new CloudFormationClient(clientConfig), `${prefix}Workflows`, 'NotifyEmailTopicArn').then(
        (arn) => {
          if (!arn) throw new ConfigError('NoEmailTopic', `stack ${prefix}Workflows has no NotifyEmailTopicArn output`);
          return arn;
        },
      );
    const sns = async () => {
      const { SNSClient } = await import('@aws-sdk/client-sns');
      return new SNSClient(clientConfig);
    };
    return {
      subscriptions: store,
      log: deliveryLogOf(store),
      secrets: secretsManagerNotificationSecrets(new SecretsManagerClient(clientConfig)),
      events: deps.notifications,
      strategies: deps.strategies,
      flush: async () => {},
      // The bus → SQS → Lambda path takes seconds; notify test waits this long for the log.
      settleMs: 30_000,
      describeDeadLetters: () => `the ${prefix}Workflows notification dead-letter queue (NotifyDeadLetterQueue)`,
      async addEmail(tenantId, subscriptionId, address) {
        const { subscribeEmail } = await import('#adapters/aws/sns-email-transport.ts');
        await subscribeEmail(await sns(), await topic(), tenantId, subscriptionId, address);
      },
      async removeEmail(_tenantId, _subscriptionId, address) {
        const { unsubscribeEmail } = await import('#adapters/aws/sns-email-transport.ts');
        await unsubscribeEmail(await sns(), await topic(), address);
      },
    };
  }

  return {
    target: 'aws',
    notifications: () => {
      notifications ??= notificationAdmin();
      return notifications;
    },
    deps,
    now: () => Date.now(),
    async runVerify(input): Promise<VerifyRun> {
      const name = `verify-${input.tenantId}-${compactUtc(Date.now())}-cli`;
      const d = await runToEnd(config.verifyStateMachineArn, name, { ...input, reason: 'cli' });
      if (d.status !== 'SUCCEEDED') {
        throw new ConfigError(
          'VerifyFailed',
          `execution ${name} ${d.status}: ${d.error ?? ''} ${d.cause ?? ''}`.trim(),
        );
      }
      return { status: d.status, executionName: name };
    },
    dossierDeps: () => dossierDeps,
    slaDeps: () => slaDepsOf(deps, dossierDeps.dossiers),
    async runExport(input) {
      const name = exportExecutionName(input.tenantId, Date.now());
      return { executionName: name, ...(await runToEnd(config.exportStateMachineArn, name, input)) };
    },
    // The operator applying strategies needs the stack's RestoreScheduleSyncPolicyArn policy (docs/deploy.md).
    scheduleManager: async () =>
      new SchedulerScheduleManager({
        api: await sdkSchedulerApi(),
        dispatcherArn: config.restoreDispatcherArn,
        roleArn: config.restoreSchedulerRoleArn,
      }),
    restoreTestStarter: () => new SfnVerifyStarter({ stateMachineArn: config.restoreTestStateMachineArn, client: sfn }),
    verifyStarter: () => new SfnVerifyStarter({ stateMachineArn: config.verifyStateMachineArn, client: sfn }),
    localSecrets: () => {
      throw new ConfigError('LocalOnly', 'deployed stacks read secrets from Secrets Manager (tag reversa:tenant=<id>)');
    },
    presignDossier: (key, expiresIn) =>
      getSignedUrl(s3, new GetObjectCommand({ Bucket: config.dossierBucket, Key: key }), { expiresIn }),
    actor: async () => {
      callerArn ??= new STSClient(clientConfig)
        .send(new GetCallerIdentityCommand({}))
        .then((identity) => identity.Arn ?? 'aws:unknown');
      return callerArn;
    },
    async users() {
      // The portal stack exports its pool; without one (no portal deployed) there are no portal users.
      const userPoolId = await readOptionalOutput(
        new CloudFormationClient(clientConfig),
        `${prefix}Portal`,
        'UserPoolId',
      );
      if (!userPoolId) throw new ConfigError('NoPortal', `stack ${prefix}Portal (the portal) is not deployed`);
      const { CognitoIdentityProviderClient } = await import('@aws-sdk/client-cognito-identity-provider');
      const { CognitoUserDirectory } = await import('#adapters/aws/cognito-user-directory.ts');
      return new CognitoUserDirectory({ userPoolId, client: new CognitoIdentityProviderClient(clientConfig) });
    },
    describeBlob: (key) => `s3://${config.dataBucket}/${key}`,
    describeDossier: (key) => `s3://${config.dossierBucket}/${key}`,
    close: async () => {},
  };
}
