import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { AslStateMachine } from './asl-state-machine.ts';

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
   * dependency cycle (the workflow's own Task functions receive its ARN too, config.ts verifyStateMachineArn).
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
 * The verify-backups Standard workflow: an AslStateMachine (ALL-level logging, X-Ray, alarms on every
 * bad ending) with its four Task functions substituted by name and the right to put its findings event.
 */
export class VerifyStateMachine extends AslStateMachine {
  constructor(scope: Construct, id: string, props: VerifyStateMachineProps) {
    const { functions, eventBus } = props;
    const substitutions: Record<(typeof verifyDefinitionSubstitutionNames)[number], string> = {
      LoadStrategyFunctionArn: functions.loadStrategy.functionArn,
      EvaluateBatchFunctionArn: functions.evaluateBatch.functionArn,
      AggregateFunctionArn: functions.aggregate.functionArn,
      PersistFunctionArn: functions.persist.functionArn,
      EventBusName: eventBus.eventBusName,
    };
    super(scope, id, {
      definitionPath: props.definitionPath,
      substitutions,
      functions: Object.values(functions),
      stateMachineName: props.stateMachineName,
      label: 'verify workflow',
      alarmTopic: props.alarmTopic,
      ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
    });
    eventBus.grantPutEventsTo(this.stateMachine);
  }
}
