import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface DeadLetterQueueProps {
  /** Topic notified as soon as one message lands in the queue. */
  readonly alarmTopic: ITopic;
  /** What failed deliveries end up here, for the alarm description (e.g. "backup events for backup-event"). */
  readonly purpose: string;
  /**
   * How long a failed event waits for someone to redrive it. 14 days is the SQS maximum: enough for a long weekend.
   * @default Duration.days(14)
   */
  readonly retentionPeriod?: Duration;
}

/**
 * An encrypted, TLS-only SQS queue that keeps events whose delivery or processing failed, with an alarm
 * on the first message: a dead-letter queue nobody watches is a silent data loss.
 */
export class DeadLetterQueue extends Construct {
  readonly queue: Queue;
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', {
      // SQS-managed keys: EventBridge, Scheduler and Lambda can all write without a key policy to maintain.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.retentionPeriod ?? Duration.days(14),
    });
    this.alarm = new Alarm(this, 'NotEmpty', {
      alarmDescription: `Reversa dead-letter queue holds failed ${props.purpose}; inspect and redrive.`,
      metric: this.queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(new SnsAction(props.alarmTopic));
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue (for a Lambda, an EventBridge target or a schedule).',
    });
  }
}
