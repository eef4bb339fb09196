/**
 * VerifyStarter on Step Functions. The execution name is the idempotency key: Step Functions keeps
 * names unique per state machine for 90 days, so a sweep delivered twice starts one execution.
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ConfigError, ReversaError, TransientError } from '#core/errors.ts';
import type { VerifyStarter } from '#core/ports.ts';
import { classifySdkError } from './sdk-errors.ts';

export interface SfnVerifyStarterOptions {
  stateMachineArn: string;
  client?: SFNClient;
}

const MISCONFIGURED = new Set([
  'StateMachineDoesNotExist',
  'StateMachineDeleting',
  'AccessDeniedException',
  'InvalidArn',
]);

export class SfnVerifyStarter implements VerifyStarter {
  private readonly client: SFNClient;
  private readonly stateMachineArn: string;

  constructor(options: SfnVerifyStarterOptions) {
    this.client = options.client ?? new SFNClient({});
    this.stateMachineArn = options.stateMachineArn;
  }

  async start(input: { tenantId: string; at?: string; reason: string }, name: string): Promise<{ started: boolean }> {
    try {
      await this.client.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }),
      );
      return { started: true };
    } catch (error) {
      const errorName = error instanceof Error ? error.name : 'Unknown';
      // Same name, different input (or a finished execution): this slot's run was already started.
      if (errorName === 'ExecutionAlreadyExists') return { started: false };
      const message = `StartExecution ${name} failed: ${errorName}`;
      const { kind } = classifySdkError(error);
      if (kind === 'transient') throw new TransientError('StartExecutionFailed', message, { cause: error });
      if (MISCONFIGURED.has(errorName) || kind === 'access-denied')
        throw new ConfigError('StartExecutionFailed', message, { cause: error });
      throw new ReversaError('StartExecutionFailed', message, { cause: error });
    }
  }
}
