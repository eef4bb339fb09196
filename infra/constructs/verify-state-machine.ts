import { readFileSync } from 'node:fs';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../nag.ts';

/** The Task functions the verify workflow calls, one per substitution in the ASL file. */
export interface VerifyFunctions {
  readonly loadStrategy: IFunction;
  readonly evaluateBatch: IFunction;
  readonly aggregate: IFunction;
  readonly persist: IFunction;
}

export interface VerifyStateMachineProps {
  /** Absolute path of the ASL file (JSONPath), e.g. statemachines/verify-backups.asl.json. */
  readonly definitionPath: string;
  /** Functions substituted for ${LoadStrategyFunctionArn} and friends. */
  readonly functions: VerifyFunctions;
  /** Bus substituted for ${EventBusName}; the workflow may put events on it. */
  readonly eventBus: IEventBus;
  /** Topic the execution alarms notify. */
  readonly alarmTopic: ITopic;
  /**
   * State machine name. Fixed (not generated) so that functions can receive the ARN without a
   * dependency cycle (the workflow's own Task functions read REVERSA_VERIFY_STATE_MACHINE_ARN too).
   */
  readonly stateMachineName: string;
  /**
   * Execution log retention.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
}

/** Substitution names used in the ASL file, in one place so tests and the local runner agree. */
export const verifyDefinitionSubstitutionNames = [
  'LoadStrategyFunctionArn',
  'EvaluateBatchFunctionArn',
  'AggregateFunctionArn',
  'PersistFunctionArn',
  'EventBusName',
] as const;

/**
 * The verify-backups Standard workflow, deployed from its ASL file, with ALL-level logging, X-Ray tracing
 * and alarms on every way an execution can end badly.
 */
export class VerifyStateMachine extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: VerifyStateMachineProps) {
    super(scope, id);
    const { functions, eventBus } = props;

    this.logGroup = new LogGroup(this, 'Logs', {
      // The /aws/vendedlogs/ prefix keeps CloudWatch's account-wide log resource policy from growing per state machine.
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const substitutions: Record<(typeof verifyDefinitionSubstitutionNames)[number], string> = {
      LoadStrategyFunctionArn: functions.loadStrategy.functionArn,
      EvaluateBatchFunctionArn: functions.evaluateBatch.functionArn,
      AggregateFunctionArn: functions.aggregate.functionArn,
      PersistFunctionArn: functions.persist.functionArn,
      EventBusName: eventBus.eventBusName,
    };

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      // The file's text goes into the template as is and CloudFormation applies the substitutions
      // (DefinitionSubstitutions). DefinitionBody.fromFile would do the same but through an S3 asset, which
      // hides the deployed workflow from template diffs and tests; the file stays the single source either way.
      definitionBody: DefinitionBody.fromString(readFileSync(props.definitionPath, 'utf8')),
      definitionSubstitutions: substitutions,
      tracingEnabled: true,
      logs: {
        destination: this.logGroup,
        level: LogLevel.ALL,
        // ALL keeps every state transition, error name and timing, which is what operators need. Inputs and
        // outputs stay out: they carry tenant identifiers and findings, which already live in the table and in
        // the execution history (90 days); copying them into logs would only duplicate data and cost.
        includeExecutionData: false,
      },
    });

    for (const fn of Object.values(functions)) {
      fn.grantInvoke(this.stateMachine);
      acknowledgeWildcardResource(
        this.stateMachine.role,
        `${fn.functionArn}:*`,
        'grantInvoke adds <functionArn>:* so that a version or alias of this same function can be invoked; it names one function.',
      );
    }
    eventBus.grantPutEventsTo(this.stateMachine);

    const alarmOn = (alarmId: string, metric: Metric, what: string): Alarm => {
      const alarm = new Alarm(this, alarmId, {
        alarmDescription: `Reversa verify workflow: ${what}. Open the execution in the Step Functions console.`,
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

    const role = this.stateMachine.role;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions log delivery (logs:*LogDelivery, logs:PutResourcePolicy, ...) and X-Ray actions support no resource-level permissions.',
    });
  }
}
