/**
 * The notification adapters against moto (real wire protocols): subscriptions, delivery marks and the log in the
 * main table; channel credentials in Secrets Manager, tagged with the tenant and read only by that tenant; retries
 * on SQS with their delay and dead letters on the DLQ; e-mail published on SNS with the subscription attribute the
 * e-mail subscriptions filter on.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoNotificationStore, deliveryLogOf } from '#adapters/aws/dynamo-notification-store.ts';
import { secretsManagerNotificationSecrets } from '#adapters/aws/secrets-manager-notification-secrets.ts';
import { snsEmailTransport, subscribeEmail } from '#adapters/aws/sns-email-transport.ts';
import { SqsDeliveryQueue } from '#adapters/aws/sqs-delivery-queue.ts';
import type { ReversaEvent } from '#core/events/catalogue.ts';
import type { DeliveryRecord } from '#core/notifications/ports.ts';
import { emailMessage } from '#core/notifications/render.ts';
import { createMainTable, uniqueName } from './support.ts';

let tenant: string;
let other: string;
let store: DynamoNotificationStore;

const event = (tenantId: string): ReversaEvent => ({
  id: `${tenantId}:rt-1:reversa.restore-test.failed`,
  type: 'reversa.restore-test.failed',
  tenantId,
  time: '2026-11-02T10:00:00.000Z',
  severity: 'high',
  subject: 'rt-1',
  summary: 'db: restore test FAILED',
  data: {},
});

beforeAll(async () => {
  tenant = uniqueName('tenant');
  other = uniqueName('other');
  const dynamodb = new DynamoDBClient({});
  store = new DynamoNotificationStore({ tableName: await createMainTable('notify', dynamodb), client: dynamodb });
});

describe('notification adapters on moto', () => {
  it('keeps subscriptions, delivery marks and a newest-first log in the tenant partitions', async () => {
    const sub = {
      id: 'ops',
      tenantId: tenant,
      channel: 'webhook' as const,
      target: 'https://hooks.example.com/…',
      secretName: 'notify/ops',
      origin: 'cli' as const,
      createdAt: '2026-11-01T00:00:00.000Z',
    };
    await store.put(sub);
    expect(await store.list(tenant)).toEqual([sub]);
    expect(await store.list(other)).toEqual([]);

    const log = deliveryLogOf(store);
    const record = (attempt: number, at: string): DeliveryRecord => ({
      tenantId: tenant,
      eventId: event(tenant).id,
      eventType: 'reversa.restore-test.failed',
      subscriptionId: 'ops',
      channel: 'webhook',
      target: sub.target,
      attempt,
      at,
      outcome: attempt < 3 ? 'failed' : 'delivered',
    });
    for (const [i, at] of [
      '2026-11-02T10:00:00.000Z',
      '2026-11-02T10:00:05.000Z',
      '2026-11-02T10:05:05.000Z',
    ].entries())
      await log.append(record(i + 1, at));
    expect((await log.list(tenant, { limit: 2 })).map((r) => r.attempt)).toEqual([3, 2]);
    expect(await log.wasDelivered(tenant, 'ops', event(tenant).id)).toBe(false);
    await log.markDelivered(tenant, 'ops', event(tenant).id, '2026-11-02T10:05:05.000Z');
    expect(await log.wasDelivered(tenant, 'ops', event(tenant).id)).toBe(true);
    expect(await log.wasDelivered(other, 'ops', event(tenant).id)).toBe(false);

    expect(await store.remove(tenant, 'ops')).toBe(true);
    expect(await store.remove(tenant, 'ops')).toBe(false);
  });

  it('stores channel credentials tagged with the tenant, updates them, and refuses them to another tenant', async () => {
    const sm = new SecretsManagerClient({});
    const secrets = secretsManagerNotificationSecrets(sm);
    await secrets.put(tenant, 'notify/hook', '{"url":"https://a.example/x","signingSecret":"whsec_one"}');
    await secrets.put(tenant, 'notify/hook', '{"url":"https://a.example/x","signingSecret":"whsec_two"}');

    const described = await sm.send(new DescribeSecretCommand({ SecretId: `reversa/${tenant}/notify/hook` }));
    expect(described.Tags).toEqual([{ Key: 'reversa:tenant', Value: tenant }]);
    expect(await secrets.get(tenant, 'notify/hook')).toContain('whsec_two');
    await expect(secrets.get(other, `reversa/${tenant}/notify/hook`)).rejects.toMatchObject({
      code: 'SecretNotOfTenant',
    });

    await secrets.delete(tenant, 'notify/hook');
    await expect(secrets.get(tenant, 'notify/hook')).rejects.toThrow();
    await secrets.delete(tenant, 'notify/hook'); // already gone: not an error
  });

  it('puts retries on the delivery queue with their delay and given-up jobs on the dead-letter queue', async () => {
    const sqs = new SQSClient({});
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('notify') }))).QueueUrl!;
    const deadLetterQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('notify-dlq') })))
      .QueueUrl!;
    const now = Date.parse('2026-11-02T10:00:00Z');
    const queue = new SqsDeliveryQueue({ queueUrl, deadLetterQueueUrl, client: sqs, now: () => now });
    const job = { tenantId: tenant, subscriptionId: 'ops', event: event(tenant), attempt: 2, dueAt: now };

    await queue.enqueue(job);
    await queue.put({ ...job, attempt: 8 }, 'still failing after 8 attempts: HTTP 503');

    const retry = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
    expect(JSON.parse(retry.Messages?.[0]?.Body ?? '{}')).toEqual({ reversaDeliveryJob: job });
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: deadLetterQueueUrl, WaitTimeSeconds: 1 }));
    expect(JSON.parse(dead.Messages?.[0]?.Body ?? '{}')).toMatchObject({ reason: expect.stringContaining('HTTP 503') });
  });

  it('publishes e-mail on the topic and subscribes addresses filtered on their subscription', async () => {
    const sns = new SNSClient({});
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName('notify-mail') }))).TopicArn!;
    await subscribeEmail(sns, topicArn, tenant, 'mail', 'ops@example.com');
    const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    expect(subs.Subscriptions?.map((s) => [s.Protocol, s.Endpoint])).toEqual([['email', 'ops@example.com']]);

    const outcome = await snsEmailTransport(topicArn, sns).send({
      channel: 'email',
      tenantId: tenant,
      subscriptionId: 'mail',
      address: 'ops@example.com',
      message: emailMessage(event(tenant)),
      eventId: event(tenant).id,
    });
    expect(outcome).toEqual({ kind: 'delivered' });
  });
});
