import { ExecutionAlreadyExists, SFNClient, SFNServiceException, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SfnVerifyStarter } from '#adapters/aws/sfn-verify-starter.ts';

const ARN = 'arn:aws:states:eu-west-3:111122223333:stateMachine:reversa-verify-backups';
const sfn = mockClient(SFNClient);

beforeEach(() => sfn.reset());

describe('SfnVerifyStarter', () => {
  it('starts an execution named after the sweep slot with the input as JSON', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:x`, startDate: new Date() });
    const starter = new SfnVerifyStarter({ stateMachineArn: ARN, client: new SFNClient({ region: 'eu-west-3' }) });

    const result = await starter.start(
      { tenantId: 'acme', at: '2026-03-11T02:05:00.000Z', reason: 'deadline-passed' },
      'verify-acme-20260311T0205',
    );

    expect(result).toEqual({ started: true });
    const calls = sfn.commandCalls(StartExecutionCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      stateMachineArn: ARN,
      name: 'verify-acme-20260311T0205',
      input: JSON.stringify({ tenantId: 'acme', at: '2026-03-11T02:05:00.000Z', reason: 'deadline-passed' }),
    });
  });

  it('reports started false when an execution with that name already exists', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: { httpStatusCode: 400 } }));
    const starter = new SfnVerifyStarter({ stateMachineArn: ARN, client: new SFNClient({ region: 'eu-west-3' }) });

    await expect(starter.start({ tenantId: 'acme', reason: 'stale' }, 'verify-acme-20260311T0205')).resolves.toEqual({
      started: false,
    });
  });

  it('turns throttling into a TransientError so the caller retries', async () => {
    sfn.on(StartExecutionCommand).rejects(
      new SFNServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        message: 'Rate exceeded',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const starter = new SfnVerifyStarter({ stateMachineArn: ARN, client: new SFNClient({ region: 'eu-west-3' }) });

    await expect(starter.start({ tenantId: 'acme', reason: 'stale' }, 'n')).rejects.toMatchObject({
      name: 'TransientError',
      code: 'StartExecutionFailed',
    });
  });

  it('turns a missing state machine into a ConfigError', async () => {
    sfn.on(StartExecutionCommand).rejects(
      new SFNServiceException({
        name: 'StateMachineDoesNotExist',
        $fault: 'client',
        message: 'nope',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const starter = new SfnVerifyStarter({ stateMachineArn: ARN, client: new SFNClient({ region: 'eu-west-3' }) });

    await expect(starter.start({ tenantId: 'acme', reason: 'stale' }, 'n')).rejects.toMatchObject({
      name: 'ConfigError',
    });
  });
});
