/**
 * Notification delivery on AWS (functions/notify/deliver.ts): per tenant, the subscriptions and the
 * delivery log in the tenant's partitions and the channel credentials in the tenant's secrets, all
 * with the tenant-access role; the delivery queue (retries), its dead-letter queue and the e-mail
 * topic with the function's own role (they hold no tenant data at rest beyond the event in flight).
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoNotificationStore, deliveryLogOf } from '#adapters/aws/dynamo-notification-store.ts';
import { secretsManagerNotificationSecrets } from '#adapters/aws/secrets-manager-notification-secrets.ts';
import { snsEmailTransport } from '#adapters/aws/sns-email-transport.ts';
import { SqsDeliveryQueue } from '#adapters/aws/sqs-delivery-queue.ts';
import { httpTransport } from '#adapters/host/http-transport.ts';
import { loadConfig } from '#config';
import type { NotificationTransport } from '#core/notifications/ports.ts';
import { systemClock } from '#core/ports.ts';
import type { NotifyDeps } from '#core/use-cases/notify.ts';
import { perTenant, type TenantScoped } from '../tenant-scope.ts';
import { awsAdapters } from './adapters.ts';
import { clientConfigOf } from './clients.ts';
import { tenantScope } from './tenant-credentials.ts';

export interface AwsNotifyWiring {
  deliveries: TenantScoped<NotifyDeps>;
  queue: SqsDeliveryQueue;
}

/** Without a topic the stack has no e-mail channel: an e-mail delivery is refused (dead-lettered, visible). */
const noEmail: NotificationTransport = {
  send: async () => ({
    kind: 'failed',
    status: 501,
    error: 'no e-mail topic configured (REVERSA_NOTIFY_EMAIL_TOPIC_ARN)',
  }),
};

export function awsNotifyWiring(
  config = loadConfig(['tableName', 'dataBucket', 'eventBusName', 'notifyQueueUrl', 'notifyDeadLetterQueueUrl']),
): AwsNotifyWiring {
  const queue = new SqsDeliveryQueue({
    queueUrl: config.notifyQueueUrl,
    deadLetterQueueUrl: config.notifyDeadLetterQueueUrl,
    client: new SQSClient({}),
    now: () => systemClock.now(),
  });
  const transport = httpTransport({
    email: config.notifyEmailTopicArn ? snsEmailTransport(config.notifyEmailTopicArn, new SNSClient({})) : noEmail,
  });
  const deliveries = perTenant((tenantId): NotifyDeps => {
    const scope = tenantScope(config, tenantId);
    const adapters = awsAdapters(config, scope);
    const store = new DynamoNotificationStore({ tableName: config.tableName, client: adapters.clients.dynamodb });
    return {
      strategies: adapters.strategies,
      subscriptions: store,
      log: deliveryLogOf(store),
      secrets: secretsManagerNotificationSecrets(new SecretsManagerClient(clientConfigOf(scope))),
      transport,
      retries: queue,
      deadLetters: queue,
      clock: systemClock,
    };
  });
  return { deliveries, queue };
}
