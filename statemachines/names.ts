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

/**
 * A Lambda Task that ran out of time: the function hit its own timeout (Sandbox.Timedout), the Task's TimeoutSeconds
 * elapsed (States.Timeout), or the invoke call itself timed out. Retried a little (statemachines/retry-policy.ts).
 */
export const LAMBDA_TIMEOUT_ERRORS = [
  'Sandbox.Timedout',
  'States.Timeout',
  'Lambda.ClientExecutionTimeoutException',
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

/* ------------------------------------------------------------------ restore tests (issue 3) */

export const RESTORE_TEST_WORKFLOW = 'restore-test' as const;

/** State names of statemachines/restore-test.asl.json. */
export const RestoreTestStates = {
  Prepare: 'Prepare',
  ChooseRunner: 'ChooseRunner',
  RestoreS3Archive: 'RestoreS3Archive',
  RestoreRestic: 'RestoreRestic',
  StartAwsBackupRestore: 'StartAwsBackupRestore',
  WaitForAwsBackupRestore: 'WaitForAwsBackupRestore',
  DescribeAwsBackupRestore: 'DescribeAwsBackupRestore',
  AwsBackupRestoreDone: 'AwsBackupRestoreDone',
  AwsBackupRestoreTimedOut: 'AwsBackupRestoreTimedOut',
  Validate: 'Validate',
  Cleanup: 'Cleanup',
  Record: 'Record',
  Recorded: 'Recorded',
  NotRecorded: 'NotRecorded',
} as const;

/** `${…}` placeholders of restore-test.asl.json. */
export const RestoreTestSubstitutions = {
  PrepareFunctionArn: 'PrepareFunctionArn',
  RestoreS3ArchiveFunctionArn: 'RestoreS3ArchiveFunctionArn',
  StartAwsBackupRestoreFunctionArn: 'StartAwsBackupRestoreFunctionArn',
  DescribeAwsBackupRestoreFunctionArn: 'DescribeAwsBackupRestoreFunctionArn',
  ValidateFunctionArn: 'ValidateFunctionArn',
  CleanupFunctionArn: 'CleanupFunctionArn',
  RecordFunctionArn: 'RecordFunctionArn',
  ClusterArn: 'ClusterArn',
  ResticTaskDefinitionArn: 'ResticTaskDefinitionArn',
  SubnetIds: 'SubnetIds',
  SecurityGroupIds: 'SecurityGroupIds',
} as const;
export type RestoreTestSubstitution = keyof typeof RestoreTestSubstitutions;

/** Name of the restic container in the ECS task definition (RunTask container overrides name it). */
export const RESTIC_CONTAINER_NAME = 'restic-runner' as const;

/**
 * Service integrations that cannot run locally and are replaced, by STATE NAME, with a local
 * implementation (the restic ECS task runs as a child process on the local cloud).
 */
export const LOCALLY_OVERRIDDEN_RESOURCES = ['arn:aws:states:::ecs:runTask.sync'] as const;

/** Error names raised inside the restore-test workflow itself (Fail states and Choice fallbacks). */
export const RestoreTestErrors = {
  /** DescribeAwsBackupRestore polled maxPolls times without a terminal status. */
  PollLimit: 'RestoreTest.PollLimitReached',
} as const;

export const EXPORT_WORKFLOW = 'reversibility-export' as const;

/** State names of statemachines/reversibility-export.asl.json. */
export const ExportStates = {
  Prepare: 'Prepare',
  Gather: 'Gather',
  GatherInventory: 'GatherInventory',
  GatherCatalogue: 'GatherCatalogue',
  GatherEvidence: 'GatherEvidence',
  GatherEscrow: 'GatherEscrow',
  GatherContacts: 'GatherContacts',
  Checklist: 'Checklist',
  Assemble: 'Assemble',
  Sign: 'Sign',
  Publish: 'Publish',
  Audit: 'Audit',
  Notify: 'Notify',
  Done: 'Done',
  Abort: 'Abort',
  ExportFailed: 'ExportFailed',
} as const;

/** `${…}` placeholders of reversibility-export.asl.json (CDK definitionSubstitutions; the local runner fills them too). */
export const ExportSubstitutions = {
  PrepareFunctionArn: 'PrepareFunctionArn',
  GatherFunctionArn: 'GatherFunctionArn',
  ChecklistFunctionArn: 'ChecklistFunctionArn',
  AssembleFunctionArn: 'AssembleFunctionArn',
  SignFunctionArn: 'SignFunctionArn',
  PublishFunctionArn: 'PublishFunctionArn',
  AuditFunctionArn: 'AuditFunctionArn',
  AbortFunctionArn: 'AbortFunctionArn',
  EventBusName: 'EventBusName',
} as const;
export type ExportSubstitution = keyof typeof ExportSubstitutions;

/** Detail-types of the dossier export's events. */
export const DossierEventDetailTypes = {
  DossierPublished: 'Reversa Dossier Published',
} as const;
