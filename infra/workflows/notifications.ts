import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { CONSUMED_DETAIL_TYPES } from '#core/notifications/bus.ts';
import type { Binding } from '../bindings.ts';
import type { DeadLetterQueue } from '../constructs/dead-letter-queue.ts';
import type { ReversaFunction } from '../constructs/reversa-function.ts';
import { WorkflowConstruct, type WorkflowProps } from './workflow.ts';

export type NotificationsProps = WorkflowProps;

/** The delivery function's timeout; the queue's visibility timeout is six times it (AWS's advice for Lambda sources). */
const DELIVER_TIMEOUT = Duration.minutes(1);
/** Receives of one message before SQS moves it to the dead letters: our own failures (DynamoDB, STS), not endpoints'. */
const MAX_RECEIVES = 5;

/**
 * Notification delivery: an EventBridge rule on the Reversa bus (source `reversa`, the catalogue's detail types and
 * the export workflow's `Reversa Dossier Published`) sends events to the delivery queue; the deliver function
 * (functions/notify/deliver.ts) signs and posts webhooks and Slack messages, publishes e-mail to the notification
 * topic (one SNS e-mail subscription per `email` channel, filtered on its `subscription` attribute), logs every
 * attempt in the tenant's partition and puts retries back on the queue with their backoff delay. What keeps failing
 * goes to the dead-letter queue (the function's decision after the last attempt, or SQS's after MAX_RECEIVES).
 * Channel credentials are read from the tenant's secrets with the tenant-access role.
 */
export class Notifications extends WorkflowConstruct {
  readonly deliver: ReversaFunction;
  readonly queue: Queue;
  readonly deadLetterQueue: DeadLetterQueue;
  readonly emailTopic: Topic;
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id, props, 'reversa-notify');
    const { table, tenantSecrets, eventBus } = props.resources;

    this.deadLetterQueue = this.deadLetters('NotifyDeadLetters', 'notification deliveries (deliver)');
    this.queue = new Queue(this, 'NotifyQueue', {
      // SQS-managed keys: EventBridge can send without a key policy to maintain.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(DELIVER_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue.queue, maxReceiveCount: MAX_RECEIVES },
    });
    // Its own key: SNS e-mail needs no key access from outside, and AwsSolutions-SNS2 wants encryption at rest.
    const topicKey = new Key(this, 'NotifyEmailKey', {
      description: 'Encrypts the Reversa notification e-mail topic',
      enableKeyRotation: true,
    });
    this.emailTopic = new Topic(this, 'NotifyEmailTopic', {
      displayName: 'Reversa notifications',
      masterKey: topicKey,
      enforceSSL: true,
    });

    const queues: Binding = {
      environment: {
        notifyQueueUrl: this.queue.queueUrl,
        notifyDeadLetterQueueUrl: this.deadLetterQueue.queue.queueUrl,
        notifyEmailTopicArn: this.emailTopic.topicArn,
      },
      grants: [
        // Retries back on the delivery queue; given-up deliveries to the dead letters.
        {
          on: 'queue',
          actions: ['sqs:SendMessage'],
          resources: [this.queue.queueArn, this.deadLetterQueue.queue.queueArn],
        },
        { on: 'topic', actions: ['sns:Publish'], resources: [this.emailTopic.topicArn] },
        { on: 'key', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [topicKey.keyArn] },
      ],
    };
    // Subscriptions, delivery marks and the log in the event's tenant partition; channel credentials from the
    // tenant's secrets; both through the tenant-access role.
    this.deliver = this.fn('NotifyDeliver', 'functions/notify/deliver.ts', {
      description: 'Delivers Reversa events to webhooks (Standard Webhooks), Slack and e-mail, with retries',
      timeout: DELIVER_TIMEOUT,
    }).bind(table.readWrite(), tenantSecrets.read(), queues);
    this.deliver.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 10 }),
    );

    new Rule(this, 'NotifyEventsRule', {
      description: 'Reversa events that notifications deliver',
      eventBus: eventBus.bus,
      eventPattern: { source: ['reversa'], detailType: [...CONSUMED_DETAIL_TYPES] },
      targets: [
        new SqsQueue(this.queue, {
          deadLetterQueue: this.deadLetters('NotifyEventsDeliveryFailures', 'event deliveries to the notify queue')
            .queue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });
    this.alarms = [...this.deadLetterAlarms];
  }
}
