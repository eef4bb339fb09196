/**
 * Notification delivery (SQS, fed by the EventBridge rule on the Reversa bus): each message is a bus
 * event (an EventBridge envelope: first attempts to every subscription that wants it) or a queued
 * retry (`reversaDeliveryJob`). A retry not yet due goes back on the queue with the rest of its
 * delay (SQS delays at most 15 minutes). An endpoint's failures are outcomes the use case logs and
 * schedules; only our own failures (DynamoDB, STS…) fail the message, which SQS then redelivers and,
 * after a few receives, moves to the dead-letter queue (ReportBatchItemFailures: the rest of the
 * batch is not redelivered with it).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { isJobMessage } from '#adapters/aws/sqs-delivery-queue.ts';
import { fromBusEvent } from '#core/notifications/bus.ts';
import type { DeliveryRecord } from '#core/notifications/ports.ts';
import { TENANT_ID_PATTERN } from '#core/strategy/schema.ts';
import { attemptDelivery, deliverEvent } from '#core/use-cases/notify.ts';
import { describeError, logger, metrics, withPowertools } from '#functions/shared/powertools.ts';
import { awsNotifyWiring } from '#wiring/aws/notify.ts';

const { deliveries, queue } = awsNotifyWiring();

interface BusEnvelope {
  'detail-type'?: string;
  detail?: Record<string, unknown>;
}

async function handleBody(body: unknown, now: number): Promise<DeliveryRecord[]> {
  if (isJobMessage(body)) {
    const job = body.reversaDeliveryJob;
    if (!TENANT_ID_PATTERN.test(job.tenantId)) return [];
    if (job.dueAt > now) {
      await queue.enqueue(job);
      return [];
    }
    return [await attemptDelivery(deliveries.forTenant(job.tenantId), job)];
  }
  const envelope = body as BusEnvelope;
  const event = fromBusEvent(envelope['detail-type'] ?? '', envelope.detail ?? {});
  if (!event || !TENANT_ID_PATTERN.test(event.tenantId)) return [];
  return deliverEvent(deliveries.forTenant(event.tenantId), event);
}

export const handler = withPowertools(async function deliverNotifications(event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const outcomes = await handleBody(JSON.parse(record.body), Date.now());
      for (const o of outcomes) {
        metrics.addMetric(`Notification_${o.outcome}`, MetricUnit.Count, 1);
        // The log line names the subscription and the display target only (never a URL or a secret).
        logger.info('notification attempt', {
          tenantId: o.tenantId,
          eventId: o.eventId,
          subscriptionId: o.subscriptionId,
          attempt: o.attempt,
          outcome: o.outcome,
          ...(o.status === undefined ? {} : { status: o.status }),
        });
      }
    } catch (error) {
      logger.error('notification message failed; SQS will redeliver it', {
        messageId: record.messageId,
        error: describeError(error),
      });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
});
