/**
 * The CLI against a deployed stack: resource names come from the stacks' outputs, credentials
 * from the default AWS chain. Loaded only with --stack, so local runs never load these clients.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { composeAws } from '#adapters/compose.ts';
import { ConfigError, NotFoundError } from '#core/errors.ts';
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
  const stateMachineArn = outputs[OUTPUTS.verifyStateMachineArn] as string;
  return {
    target: 'aws',
    deps,
    now: () => Date.now(),
    async runVerify(input): Promise<VerifyRun> {
      const name = `verify-${input.tenantId}-${compactUtc(Date.now())}-cli`;
      const started = await sfn.send(
        new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify({ ...input, reason: 'cli' }) }),
      );
      // Poll with a gentle backoff: a verify run takes seconds to a few minutes.
      for (let delay = 1000; ; delay = Math.min(delay * 1.5, 10_000)) {
        await new Promise((r) => setTimeout(r, delay));
        const d = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
        if (d.status === 'RUNNING' || d.status === 'PENDING_REDRIVE') continue;
        if (d.status !== 'SUCCEEDED') {
          throw new ConfigError(
            'VerifyFailed',
            `execution ${name} ${d.status}: ${d.error ?? ''} ${d.cause ?? ''}`.trim(),
          );
        }
        return { status: d.status, executionName: name };
      }
    },
    describeBlob: (key) => `s3://${outputs[OUTPUTS.dataBucket]}/${key}`,
    close: async () => {},
  };
}
