import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { readExpandedDefinition } from '#statemachines/definitions.ts';
import { acknowledgeWildcardResource } from '../nag.ts';

export interface AslStateMachineProps {
  /**
   * Absolute path of the ASL file (JSONPath). Deployed as the local runner runs it: with the standard retry
   * policies expanded (statemachines/definitions.ts `expandDefinition`); CloudFormation applies the substitutions.
   */
  readonly definitionPath: string;
  /** Every `${…}` placeholder of the file → its value. */
  readonly substitutions: Readonly<Record<string, string>>;
  /** The Task functions the workflow invokes (each gets lambda:InvokeFunction, nothing else). */
  readonly functions: readonly IFunction[];
  /** Fixed name, so functions can receive the ARN without a dependency cycle. */
  readonly stateMachineName: string;
  /** What the workflow is, for the alarm descriptions (e.g. "restore-test workflow"). */
  readonly label: string;
  /** Topic the execution alarms notify. */
  readonly alarmTopic: ITopic;
  /**
   * Execution log retention.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
}

/**
 * A Standard workflow deployed from its ASL file (the file the local runner also executes), with ALL-level
 * logging without execution data, X-Ray tracing and alarms on every bad way an execution can end: the
 * verify-backups (VerifyStateMachine), restore-test and reversibility-export workflows.
 */
export class AslStateMachine extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: AslStateMachineProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      // The expanded text goes into the template and CloudFormation applies the substitutions. fromFile would deploy
      // the file unexpanded, through an S3 asset that hides the deployed workflow from template diffs and tests.
      definitionBody: DefinitionBody.fromString(readExpandedDefinition(props.definitionPath)),
      definitionSubstitutions: { ...props.substitutions },
      tracingEnabled: true,
      // Inputs and outputs carry tenant ids and object keys, never data; they stay in the execution history.
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });
    for (const fn of props.functions) {
      fn.grantInvoke(this.stateMachine);
      acknowledgeWildcardResource(
        this.stateMachine.role,
        `${fn.functionArn}:*`,
        'grantInvoke adds <functionArn>:* so that a version or alias of this same function can be invoked; it names one function.',
      );
    }

    const alarmOn = (alarmId: string, metric: Metric, what: string): Alarm => {
      const alarm = new Alarm(this, alarmId, {
        alarmDescription: `Reversa ${props.label}: ${what}. Open the execution in the Step Functions console.`,
        metric: metric.with({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(new SnsAction(props.alarmTopic));
      return alarm;
    };
    this.alarms = [
      alarmOn('ExecutionsFailedAlarm', this.stateMachine.metricFailed(), 'an execution failed'),
      alarmOn('ExecutionThrottledAlarm', this.stateMachine.metricThrottled(), 'executions were throttled'),
      alarmOn('ExecutionsAbortedAlarm', this.stateMachine.metricAborted(), 'an execution was aborted'),
      alarmOn('ExecutionsTimedOutAlarm', this.stateMachine.metricTimedOut(), 'an execution timed out'),
    ];
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions log delivery (logs:*LogDelivery, logs:PutResourcePolicy, ...) and X-Ray actions support no resource-level permissions.',
    });
  }
}
