/**
 * Delivery retries and dead letters on SQS. A retry is a message on the delivery queue with the
 * job; SQS delays a message by at most 15 minutes, so a longer backoff is waited out in steps: the
 * Lambda finds the job not yet due and sends it back with the remaining delay (`resend`). A given-up
 * job is sent to the dead-letter queue with its reason, where the provider inspects or redrives it;
 * messages the Lambda keeps crashing on reach the same queue through the redrive policy.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetters, DeliveryJob, RetryQueue } from '#core/notifications/ports.ts';

export const MAX_SQS_DELAY_SECONDS = 900;

/** The body of a delivery-queue message that carries a job (bus events arrive as EventBridge envelopes). */
export interface JobMessage {
  reversaDeliveryJob: DeliveryJob;
}

export function isJobMessage(body: unknown): body is JobMessage {
  return typeof body === 'object' && body !== null && 'reversaDeliveryJob' in body;
}

export class SqsDeliveryQueue implements RetryQueue, DeadLetters {
  constructor(
    private readonly options: { queueUrl: string; deadLetterQueueUrl: string; client?: SQSClient; now: () => number },
    private readonly client = options.client ?? new SQSClient({}),
  ) {}

  async enqueue(job: DeliveryJob): Promise<void> {
    const delay = Math.min(MAX_SQS_DELAY_SECONDS, Math.max(0, Math.ceil((job.dueAt - this.options.now()) / 1000)));
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.options.queueUrl,
        MessageBody: JSON.stringify({ reversaDeliveryJob: job } satisfies JobMessage),
        DelaySeconds: delay,
      }),
    );
  }

  async put(job: DeliveryJob, reason: string): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.options.deadLetterQueueUrl,
        MessageBody: JSON.stringify({ reversaDeliveryJob: job, reason }),
      }),
    );
  }
}
