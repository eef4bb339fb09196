/**
 * The only module that reads (or writes) process.env. Everything else receives a typed Config
 * so that a missing variable is reported once, at startup, with every missing key named,
 * instead of surfacing as an `undefined` table name deep inside an SDK call.
 */
import { join } from 'node:path';
import { ConfigError } from '#core/errors.ts';

/** Config field → the environment variable it is read from. */
export const CONFIG_ENV = {
  tableName: 'REVERSA_TABLE',
  idempotencyTableName: 'REVERSA_IDEMPOTENCY_TABLE',
  dataBucket: 'REVERSA_DATA_BUCKET',
  eventBusName: 'REVERSA_EVENT_BUS',
  verifyStateMachineArn: 'REVERSA_VERIFY_STATE_MACHINE_ARN',
  /** Audit log objects (S3 Object Lock in AWS) and the KMS key that signs its digests. */
  auditBucket: 'REVERSA_AUDIT_BUCKET',
  auditKeyId: 'REVERSA_AUDIT_KEY_ID',
  /** Published reversibility dossiers and the KMS key that signs them. */
  dossierBucket: 'REVERSA_DOSSIER_BUCKET',
  dossierKeyId: 'REVERSA_DOSSIER_KEY_ID',
  restoreTestStateMachineArn: 'REVERSA_RESTORE_TEST_STATE_MACHINE_ARN',
  exportStateMachineArn: 'REVERSA_EXPORT_STATE_MACHINE_ARN',
  /** The role AWS Backup assumes to restore a recovery point in a restore test (aws-backup runner). */
  restoreRoleArn: 'REVERSA_RESTORE_ROLE_ARN',
  /** What restore-test schedules invoke (functions/restore/dispatch.ts) and the role Scheduler uses to. */
  restoreDispatcherArn: 'REVERSA_RESTORE_DISPATCHER_ARN',
  restoreSchedulerRoleArn: 'REVERSA_RESTORE_SCHEDULER_ROLE_ARN',
  /**
   * The role a function assumes, with the session tag tenant=<id>, to touch one tenant's data: its
   * policies allow only that tenant's partitions, prefixes and secrets (docs/deploy.md, "Tenant isolation").
   */
  tenantAccessRoleArn: 'REVERSA_TENANT_ACCESS_ROLE_ARN',
  /** The portal's Cognito user pool and its web app client (the API checks tokens against both). */
  userPoolId: 'REVERSA_USER_POOL_ID',
  userPoolClientId: 'REVERSA_USER_POOL_CLIENT_ID',
  /** Notification delivery: its queue (retries wait there), dead-letter queue and the SNS topic for e-mail. */
  notifyQueueUrl: 'REVERSA_NOTIFY_QUEUE_URL',
  notifyDeadLetterQueueUrl: 'REVERSA_NOTIFY_DLQ_URL',
  notifyEmailTopicArn: 'REVERSA_NOTIFY_EMAIL_TOPIC_ARN',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
} as const;

export type ConfigKey = keyof typeof CONFIG_ENV;

/**
 * Config field → the CloudFormation output of the deployed stacks that holds it: what the CLI's and
 * the API's deployed mode read with DescribeStacks (wiring/aws/platform.ts) and what the stacks must
 * export (infra/). Renaming one breaks deployed CLIs.
 */
export const STACK_OUTPUTS = {
  tableName: 'TableName',
  dataBucket: 'DataBucketName',
  eventBusName: 'EventBusName',
  verifyStateMachineArn: 'VerifyStateMachineArn',
  auditBucket: 'AuditBucketName',
  auditKeyId: 'AuditKeyId',
  dossierBucket: 'DossierBucketName',
  dossierKeyId: 'DossierKeyId',
  exportStateMachineArn: 'ExportStateMachineArn',
  restoreTestStateMachineArn: 'RestoreTestStateMachineArn',
  restoreDispatcherArn: 'RestoreDispatcherArn',
  restoreSchedulerRoleArn: 'RestoreSchedulerRoleArn',
} as const satisfies Partial<Record<ConfigKey, string>>;

/** Every key is optional in general; `loadConfig` narrows the required ones to `string`. */
export type Config = { readonly [K in ConfigKey]?: string };

/** The config a caller asked for: its required keys are guaranteed present. */
export type LoadedConfig<K extends ConfigKey> = Config & { readonly [P in K]: string };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the configuration. Every key in `required` must be set to a non-blank value; all missing
 * ones are reported together in one ConfigError. Optional keys are read when present. There are
 * no defaults for resource names: a wrong default would silently point at another stack's table.
 */
export function loadConfig<K extends ConfigKey>(required: readonly K[], env: Env = process.env): LoadedConfig<K> {
  const missing = required.filter((key) => !env[CONFIG_ENV[key]]?.trim()).map((key) => CONFIG_ENV[key]);
  if (missing.length > 0) {
    throw new ConfigError('MissingConfig', `missing environment variable(s): ${missing.join(', ')}`);
  }
  const config: Record<string, string> = {};
  for (const [key, name] of Object.entries(CONFIG_ENV)) {
    const value = env[name]?.trim();
    if (value) config[key] = value;
  }
  return config as LoadedConfig<K>;
}

/** True inside an AWS Lambda execution environment (the runtime sets AWS_LAMBDA_FUNCTION_NAME). */
export function runningInLambda(env: Env = process.env): boolean {
  return Boolean(env.AWS_LAMBDA_FUNCTION_NAME);
}

/** Where the local cloud keeps its state: $REVERSA_HOME, else `.reversa/` in `cwd`. */
export function reversaHome(cwd: string = process.cwd(), env: Env = process.env): string {
  const fromEnv = env.REVERSA_HOME?.trim();
  return fromEnv ? fromEnv : join(cwd, '.reversa');
}

export interface LocalEndpoints {
  dynamodb: string;
  s3: string;
}

export interface LocalResourceNames {
  tableName: string;
  idempotencyTableName: string;
  bucketName: string;
  auditBucketName: string;
  dossierBucketName: string;
}

export const LOCAL_REGION = 'eu-west-3';
export const LOCAL_EVENT_BUS = 'reversa-local';

/**
 * The environment the AWS SDK (and our own loadConfig) needs to talk to the local cloud.
 * - dummy credentials and AWS_EC2_METADATA_DISABLED: otherwise the default credential chain may
 *   try the instance metadata address, which hangs off AWS;
 * - WHEN_REQUIRED checksums: with the SDK's default flexible checksums s3rver stores a streamed
 *   PutObject with its aws-chunked framing inside the object (silent corruption);
 * - AWS_ENDPOINT_URL_*: the SDK follows them with no code change.
 */
export function localCloudEnv(endpoints: LocalEndpoints, names?: LocalResourceNames): Record<string, string> {
  const env: Record<string, string> = {
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
  };
  if (names) {
    env[CONFIG_ENV.tableName] = names.tableName;
    env[CONFIG_ENV.idempotencyTableName] = names.idempotencyTableName;
    env[CONFIG_ENV.dataBucket] = names.bucketName;
    env[CONFIG_ENV.auditBucket] = names.auditBucketName;
    env[CONFIG_ENV.dossierBucket] = names.dossierBucketName;
    env[CONFIG_ENV.eventBusName] = LOCAL_EVENT_BUS;
    env[CONFIG_ENV.serviceName] = 'reversa';
    env[CONFIG_ENV.metricsNamespace] = 'Reversa';
  }
  return env;
}

/** Copies variables into this process's environment (used by the local cloud so SDK clients and handlers find it). */
export function exportToProcessEnv(vars: Readonly<Record<string, string>>): void {
  Object.assign(process.env, vars);
}
