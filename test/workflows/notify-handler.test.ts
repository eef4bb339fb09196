import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoNotificationStore, deliveryLogOf } from '#adapters/aws/dynamo-notification-store.ts';
import type { ReversaEvent } from '#core/events/catalogue.ts';
import type { DeliveryJob } from '#core/notifications/ports.ts';
import { generateSecret } from '#core/notifications/standard-webhooks.ts';
import { type CloudFixture, startTestCloud } from '../support/local-cloud.ts';
import { applyStrategy, DAY, strategyYaml } from '../support/verify-fixtures.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

// The deliver Lambda with its real middy + Powertools stack on the local cloud's DynamoDB; SQS and Secrets Manager
// (no emulator in the local cloud) are mocked; webhooks go to a receiver on 127.0.0.1 over real HTTP.
const sqs = mockClient(SQSClient);
const secretsManager = mockClient(SecretsManagerClient);
let cloud: CloudFixture;
let receiver: WebhookReceiver;
let store: DynamoNotificationStore;
const secret = generateSecret();
const TENANT = 'h-notify';
const context = {
  functionName: 'deliver',
  awsRequestId: 'r1',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

beforeAll(async () => {
  cloud = await startTestCloud({ label: 'notify-handler' });
  process.env.POWERTOOLS_DEV = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
  process.env.REVERSA_NOTIFY_QUEUE_URL = 'https://sqs.eu-west-3.amazonaws.com/000000000000/notify';
  process.env.REVERSA_NOTIFY_DLQ_URL = 'https://sqs.eu-west-3.amazonaws.com/000000000000/notify-dlq';
  receiver = await startWebhookReceiver({ secret, failFirst: 1 });
  await applyStrategy(cloud.adapters.strategies, strategyYaml(TENANT, ['nas://files']), Date.now() - DAY);
  store = new DynamoNotificationStore({ tableName: cloud.cloud.tableName, client: cloud.adapters.clients.dynamodb });
  await store.put({
    id: 'ops',
    tenantId: TENANT,
    channel: 'webhook',
    target: 'http://127.0.0.1:…',
    secretName: 'notify/ops',
    origin: 'cli',
    createdAt: new Date().toISOString(),
  });
  secretsManager.on(DescribeSecretCommand).resolves({
    ARN: 'arn:aws:secretsmanager:eu-west-3:000000000000:secret:reversa/h-notify/notify/ops-AbCdEf',
    Tags: [{ Key: 'reversa:tenant', Value: TENANT }],
  });
  secretsManager
    .on(GetSecretValueCommand)
    .resolves({ SecretString: JSON.stringify({ url: receiver.url('/lambda'), signingSecret: secret }) });
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
});
afterAll(async () => {
  await receiver.close();
  await cloud?.stop();
});

const event: ReversaEvent = {
  id: `${TENANT}:rt-9:reversa.restore-test.failed`,
  type: 'reversa.restore-test.failed',
  tenantId: TENANT,
  time: new Date().toISOString(),
  severity: 'high',
  subject: 'rt-9',
  summary: 'nas://files: restore test FAILED',
  data: { testId: 'rt-9' },
};
const sqsEvent = (...bodies: string[]): SQSEvent =>
  ({ Records: bodies.map((body, i) => ({ messageId: `m${i}`, body })) }) as unknown as SQSEvent;
const envelope = JSON.stringify({ version: '0', source: 'reversa', 'detail-type': event.type, detail: event });

describe('the deliver Lambda', () => {
  it('delivers a bus event; a failing endpoint is re-queued with its backoff delay, signed again on retry', async () => {
    const { handler } = await import('#functions/notify/deliver.ts');
    const first = await handler(sqsEvent(envelope), context);
    expect(first).toEqual({ batchItemFailures: [] });
    const sent = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.QueueUrl).toBe(process.env.REVERSA_NOTIFY_QUEUE_URL);
    expect(sent[0]?.DelaySeconds).toBeGreaterThanOrEqual(5);
    const job = JSON.parse(sent[0]!.MessageBody!).reversaDeliveryJob as DeliveryJob;
    expect(job).toMatchObject({ attempt: 2, subscriptionId: 'ops', event: { id: event.id } });

    // SQS hands the retry back once its delay is over.
    const retry = await handler(
      sqsEvent(JSON.stringify({ reversaDeliveryJob: { ...job, dueAt: Date.now() } })),
      context,
    );
    expect(retry).toEqual({ batchItemFailures: [] });
    const seen = receiver.requests.filter((r) => r.path === '/lambda');
    expect(seen.map((r) => [r.answered, r.signatureOk, r.headers['webhook-id']])).toEqual([
      [503, true, event.id],
      [204, true, event.id],
    ]);
    const log = await deliveryLogOf(store).list(TENANT);
    expect(log.map((r) => r.outcome)).toEqual(['delivered', 'failed']);
  });

  it('sends a retry that is not due yet back to the queue with the rest of its delay, at most 15 minutes', async () => {
    sqs.resetHistory();
    const { handler } = await import('#functions/notify/deliver.ts');
    const job: DeliveryJob = {
      tenantId: TENANT,
      subscriptionId: 'ops',
      event,
      attempt: 5,
      dueAt: Date.now() + 7_200_000,
    };
    await handler(sqsEvent(JSON.stringify({ reversaDeliveryJob: job })), context);
    const [again] = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(again?.DelaySeconds).toBe(900);
    expect(JSON.parse(again!.MessageBody!).reversaDeliveryJob).toEqual(job);
  });

  it('fails only the message it could not read, so SQS redelivers that one alone', async () => {
    const { handler } = await import('#functions/notify/deliver.ts');
    const result = await handler(sqsEvent('not json', envelope), context);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm0' }] });
  });
});
