/**
 * The contract between the workflow files (statemachines/*.asl.json) and the code: state names,
 * substitution placeholders, error names matched by Retry/Catch, and event detail-types.
 * A test checks the ASL files against these constants, so renaming one side breaks the build.
 */

export const VERIFY_WORKFLOW = 'verify-backups' as const;

/** State names of statemachines/verify-backups.asl.json. */
export const VerifyStates = {
  LoadStrategy: 'LoadStrategy',
  EvaluateBatches: 'EvaluateBatches',
  EvaluateBatch: 'EvaluateBatch',
  Aggregate: 'Aggregate',
  Persist: 'Persist',
  EmitFindings: 'EmitFindings',
  Done: 'Done',
  RecordFailure: 'RecordFailure',
  VerificationFailed: 'VerificationFailed',
} as const;

/** `${…}` placeholders of verify-backups.asl.json (CDK definitionSubstitutions; the local runner fills them too). */
export const VerifySubstitutions = {
  LoadStrategyFunctionArn: 'LoadStrategyFunctionArn',
  EvaluateBatchFunctionArn: 'EvaluateBatchFunctionArn',
  AggregateFunctionArn: 'AggregateFunctionArn',
  PersistFunctionArn: 'PersistFunctionArn',
  EventBusName: 'EventBusName',
} as const;
export type VerifySubstitution = keyof typeof VerifySubstitutions;

/** Error names (`error.name`) the workflows match. They are the `name` of core/errors.ts classes. */
export const ErrorNames = {
  Transient: 'TransientError',
  Validation: 'ValidationError',
  NotFound: 'NotFoundError',
  Internal: 'InternalError',
  Config: 'ConfigError',
} as const;

/** Lambda service errors worth retrying: throttling and the service's own hiccups, never our code's bugs. */
export const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/** EventBridge `source` and detail-types Reversa emits. */
export const EVENT_SOURCE = 'reversa' as const;
export const EventDetailTypes = {
  VerificationCompleted: 'Reversa Verification Completed',
  VerificationFailed: 'Reversa Verification Failed',
} as const;

/** Service integrations the workflows use (Task `Resource`). */
export const TaskResources = {
  LambdaInvoke: 'arn:aws:states:::lambda:invoke',
  EventsPutEvents: 'arn:aws:states:::events:putEvents',
} as const;
