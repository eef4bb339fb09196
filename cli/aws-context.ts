/**
 * The CLI against a deployed stack: resource names come from the stacks' outputs, credentials
 * from the default AWS chain. Loaded only with --stack, so local runs never load these clients.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { DynamoDossierStore } from '#adapters/aws/dynamo-dossier-store.ts';
import { S3DossierObjects } from '#adapters/aws/s3-dossier-objects.ts';
import { SchedulerScheduleManager, sdkSchedulerApi } from '#adapters/aws/scheduler-schedule-manager.ts';
import { SecretsManagerSource } from '#adapters/aws/secrets-manager-source.ts';
import { SfnVerifyStarter } from '#adapters/aws/sfn-verify-starter.ts';
import { composeAws } from '#adapters/compose.ts';
import { ConfigError, NotFoundError } from '#core/errors.ts';
import type { DossierDeps } from '#core/use-cases/dossier-deps.ts';
import { exportExecutionName } from '#core/use-cases/dossier-export.ts';
import { compactUtc } from '#core/use-cases/verify.ts';
import type { CliContext, VerifyRun } from './context.ts';

/** Output keys the CDK stacks export (infra/*-stack.ts). */
const OUTPUTS = {
  tableName: 'TableName',
  dataBucket: 'DataBucketName',
  eventBusName: 'EventBusName',
  verifyStateMachineArn: 'VerifyStateMachineArn',
  auditBucket: 'AuditBucketName',
  auditKeyId: 'AuditKeyId',
  dossierBucket: 'DossierBucketName',
  dossierKeyId: 'DossierKeyId',
  exportStateMachineArn: 'ExportStateMachineArn',
  restoreTestStateMachineArn: 'RestoreTestStateMachineArn',
  restoreDispatcherArn: 'RestoreDispatcherArn',
  restoreSchedulerRoleArn: 'RestoreSchedulerRoleArn',
} as const;

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

export async function openAwsContext(prefix: string, region: string | undefined): Promise<CliContext> {
  const clientConfig = region ? { region } : {};
  const cfn = new CloudFormationClient(clientConfig);
  const outputs = {
    ...(await stackOutputs(cfn, `${prefix}Stateful`)),
    ...(await stackOutputs(cfn, `${prefix}Workflows`)),
  };
  const missing = Object.values(OUTPUTS).filter((k) => !outputs[k]);
  if (missing.length > 0) {
    throw new ConfigError(
      'StackOutputsMissing',
      `stacks ${prefix}Stateful/${prefix}Workflows lack outputs: ${missing.join(', ')}`,
    );
  }
  if (region) process.env.AWS_REGION = region;
  const deps = composeAws({
    tableName: outputs[OUTPUTS.tableName] as string,
    dataBucket: outputs[OUTPUTS.dataBucket] as string,
    eventBusName: outputs[OUTPUTS.eventBusName] as string,
    auditBucket: outputs[OUTPUTS.auditBucket] as string,
    auditKeyId: outputs[OUTPUTS.auditKeyId] as string,
    dossierBucket: outputs[OUTPUTS.dossierBucket] as string,
    dossierKeyId: outputs[OUTPUTS.dossierKeyId] as string,
  });
  const sfn = new SFNClient(clientConfig);
  const s3 = new S3Client(clientConfig);
  const tableName = outputs[OUTPUTS.tableName] as string;
  const dossierDeps: DossierDeps = {
    ...deps,
    objects: new S3DossierObjects({ bucket: outputs[OUTPUTS.dataBucket] as string, client: s3 }),
    dossierObjects: new S3DossierObjects({ bucket: outputs[OUTPUTS.dossierBucket] as string, client: s3 }),
    dossiers: new DynamoDossierStore({ tableName }),
    secrets: new SecretsManagerSource(),
    restoreTests: deps.restoreTests,
  };
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
  const stateMachineArn = outputs[OUTPUTS.verifyStateMachineArn] as string;
  return {
    target: 'aws',
    deps,
    now: () => Date.now(),
    async runVerify(input): Promise<VerifyRun> {
      const name = `verify-${input.tenantId}-${compactUtc(Date.now())}-cli`;
      const d = await runToEnd(stateMachineArn, name, { ...input, reason: 'cli' });
      if (d.status !== 'SUCCEEDED') {
        throw new ConfigError(
          'VerifyFailed',
          `execution ${name} ${d.status}: ${d.error ?? ''} ${d.cause ?? ''}`.trim(),
        );
      }
      return { status: d.status, executionName: name };
    },
    dossierDeps: () => dossierDeps,
    async runExport(input) {
      const name = exportExecutionName(input.tenantId, Date.now());
      return {
        executionName: name,
        ...(await runToEnd(outputs[OUTPUTS.exportStateMachineArn] as string, name, input)),
      };
    },
    // The operator applying strategies needs the stack's RestoreScheduleSyncPolicyArn policy (docs/deploy.md).
    scheduleManager: async () =>
      new SchedulerScheduleManager({
        api: await sdkSchedulerApi(),
        dispatcherArn: outputs[OUTPUTS.restoreDispatcherArn] as string,
        roleArn: outputs[OUTPUTS.restoreSchedulerRoleArn] as string,
      }),
    restoreTestStarter: () =>
      new SfnVerifyStarter({ stateMachineArn: outputs[OUTPUTS.restoreTestStateMachineArn] as string, client: sfn }),
    localSecrets: () => {
      throw new ConfigError('LocalOnly', 'deployed stacks read secrets from Secrets Manager (tag reversa:tenant=<id>)');
    },
    presignDossier: (key, expiresIn) =>
      getSignedUrl(s3, new GetObjectCommand({ Bucket: outputs[OUTPUTS.dossierBucket] as string, Key: key }), {
        expiresIn,
      }),
    describeBlob: (key) => `s3://${outputs[OUTPUTS.dataBucket]}/${key}`,
    describeDossier: (key) => `s3://${outputs[OUTPUTS.dossierBucket]}/${key}`,
    close: async () => {},
  };
}
