import { Duration, Stack } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, type ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../nag.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';

export interface ScheduledInvokeProps {
  /** Function the schedule invokes (asynchronously). */
  readonly target: IFunction;
  /** When it runs, e.g. ScheduleExpression.rate(Duration.minutes(5)). */
  readonly schedule: ScheduleExpression;
  /** What the schedule is for; becomes its description and the DLQ alarm text. */
  readonly description: string;
  /** Topic notified when an invocation ends in the dead-letter queue. */
  readonly alarmTopic: ITopic;
  /**
   * JSON payload the function receives.
   * @default - Scheduler's default (no payload)
   */
  readonly input?: Record<string, unknown>;
  /**
   * Retries Scheduler makes when the invocation itself fails (throttling, service error).
   * @default 3
   */
  readonly retryAttempts?: number;
  /**
   * How long Scheduler keeps retrying one occurrence. Keep it below the period: a stale tick is worth less
   * than the next one.
   * @default Duration.minutes(4)
   */
  readonly maxEventAge?: Duration;
}

/**
 * An EventBridge Scheduler schedule invoking one Lambda, with its own role (allowed to invoke that function
 * and to write that DLQ, nothing else) and its own dead-letter queue with an alarm.
 */
export class ScheduledInvoke extends Construct {
  readonly schedule: Schedule;
  readonly role: Role;
  readonly deadLetterQueue: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: ScheduledInvokeProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new Role(this, 'Role', {
      description: `Lets EventBridge Scheduler run: ${props.description}`,
      // Confused-deputy guard: only schedules of this account's default group may assume it.
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: 'default/*' }),
          },
        },
      }),
    });
    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetters', {
      alarmTopic: props.alarmTopic,
      purpose: `scheduled invocations (${props.description})`,
    });
    this.schedule = new Schedule(this, 'Schedule', {
      schedule: props.schedule,
      description: props.description,
      target: new LambdaInvoke(props.target, {
        role: this.role,
        deadLetterQueue: this.deadLetterQueue.queue,
        retryAttempts: props.retryAttempts ?? 3,
        maxEventAge: props.maxEventAge ?? Duration.minutes(4),
        ...(props.input === undefined ? {} : { input: ScheduleTargetInput.fromObject(props.input) }),
      }),
    });
    acknowledgeWildcardResource(
      this.role,
      `${props.target.functionArn}:*`,
      'The Scheduler target grant adds <functionArn>:* (versions and aliases of this one function); nothing else is invocable.',
    );
  }
}
