import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IGrantable, IPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LAMBDA_BUNDLING } from '../lambda-bundling.ts';
import { repoRoot } from '../paths.ts';

/**
 * The resource names every Reversa handler receives. They become the env vars that config.ts reads
 * (REVERSA_*), so a function never guesses a name and config.ts can demand all of them at once.
 */
export interface ReversaEnvironment {
  /** Main table name → REVERSA_TABLE. */
  readonly tableName: string;
  /** Powertools idempotency table name → REVERSA_IDEMPOTENCY_TABLE. */
  readonly idempotencyTableName: string;
  /** Data bucket name → REVERSA_DATA_BUCKET. */
  readonly dataBucketName: string;
  /** Custom event bus name → REVERSA_EVENT_BUS. */
  readonly eventBusName: string;
  /** Verify state machine ARN → REVERSA_VERIFY_STATE_MACHINE_ARN. */
  readonly verifyStateMachineArn: string;
  /** Audit log bucket name → REVERSA_AUDIT_BUCKET. */
  readonly auditBucketName: string;
  /** Audit digest signing key id → REVERSA_AUDIT_KEY_ID. */
  readonly auditKeyId: string;
  /** Dossier bucket name → REVERSA_DOSSIER_BUCKET. */
  readonly dossierBucketName: string;
  /** Dossier signing key id → REVERSA_DOSSIER_KEY_ID. */
  readonly dossierKeyId: string;
  /** Restore-test state machine ARN → REVERSA_RESTORE_TEST_STATE_MACHINE_ARN. */
  readonly restoreTestStateMachineArn?: string;
  /** Reversibility-export state machine ARN → REVERSA_EXPORT_STATE_MACHINE_ARN. */
  readonly exportStateMachineArn?: string;
  /** Role AWS Backup restores with → REVERSA_RESTORE_ROLE_ARN. */
  readonly restoreRoleArn?: string;
}

/** Maps the typed environment to the env var names fixed in the common brief. */
export function reversaEnvVars(env: ReversaEnvironment): Record<string, string> {
  return {
    REVERSA_TABLE: env.tableName,
    REVERSA_IDEMPOTENCY_TABLE: env.idempotencyTableName,
    REVERSA_DATA_BUCKET: env.dataBucketName,
    REVERSA_EVENT_BUS: env.eventBusName,
    REVERSA_VERIFY_STATE_MACHINE_ARN: env.verifyStateMachineArn,
    REVERSA_AUDIT_BUCKET: env.auditBucketName,
    REVERSA_AUDIT_KEY_ID: env.auditKeyId,
    REVERSA_DOSSIER_BUCKET: env.dossierBucketName,
    REVERSA_DOSSIER_KEY_ID: env.dossierKeyId,
    ...(env.restoreTestStateMachineArn === undefined
      ? {}
      : { REVERSA_RESTORE_TEST_STATE_MACHINE_ARN: env.restoreTestStateMachineArn }),
    ...(env.exportStateMachineArn === undefined ? {} : { REVERSA_EXPORT_STATE_MACHINE_ARN: env.exportStateMachineArn }),
    ...(env.restoreRoleArn === undefined ? {} : { REVERSA_RESTORE_ROLE_ARN: env.restoreRoleArn }),
  };
}

export interface ReversaFunctionProps {
  /** Absolute path of the handler file; it must export `handler`. */
  readonly entry: string;
  /** Resource names handed to the handler as REVERSA_* env vars. */
  readonly environment: ReversaEnvironment;
  /**
   * What the function does, shown in the console.
   * @default - no description
   */
  readonly description?: string;
  /**
   * Powertools service name (POWERTOOLS_SERVICE_NAME): groups logs, traces and metrics.
   * @default 'reversa'
   */
  readonly serviceName?: string;
  /**
   * Powertools metrics namespace (POWERTOOLS_METRICS_NAMESPACE).
   * @default 'Reversa'
   */
  readonly metricsNamespace?: string;
  /**
   * Memory in MiB. Lambda gives CPU in proportion to memory; 512 MiB keeps the cold start of a
   * minified ESM bundle short without paying for idle memory.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Maximum run time. Handlers are thin and payloads small, so 30 s is generous; raise it for
   * functions that page through external APIs (reconcile).
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * How long the function's log group keeps logs.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
  /**
   * Queue receiving events of asynchronous invocations (EventBridge rules, Scheduler) that still fail
   * after Lambda's own retries. Functions invoked synchronously (from Step Functions) need none.
   * @default - no dead-letter queue
   */
  readonly deadLetterQueue?: IQueue;
  /**
   * Retries Lambda makes for a failed asynchronous invocation before it goes to the dead-letter queue.
   * @default 2
   */
  readonly retryAttempts?: number;
  /**
   * Cap on reserved concurrency, to protect the table from a burst (e.g. thousands of inbox files).
   * @default - no reservation (account pool)
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Extra env vars for this function only. Cannot override the REVERSA_* or POWERTOOLS_* ones.
   * @default - none
   */
  readonly extraEnvironment?: Record<string, string>;
  /**
   * Node.js flags added to NODE_OPTIONS after `--enable-source-maps` (e.g. a smaller young generation
   * for a function that streams many short-lived buffers).
   * @default none
   */
  readonly nodeOptions?: readonly string[];
}

/**
 * A Reversa Lambda with safe defaults: Node 24 on arm64 (cheaper per GB-s, same code), one esbuild ESM
 * bundle per function, active tracing, its own log group with a retention (no log group lives forever)
 * and its own role that may only write to that log group (no AWSLambdaBasicExecutionRole, which allows
 * creating any log group). Grants are added by the caller, one concern at a time.
 */
export class ReversaFunction extends Construct implements IGrantable {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: ReversaFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      // Logs are diagnostic, not evidence (evidence lives in the table and the audit log): drop them with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      ...(props.description === undefined ? {} : { description: props.description }),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      role: this.role,
      ...(props.deadLetterQueue === undefined ? {} : { deadLetterQueue: props.deadLetterQueue }),
      retryAttempts: props.retryAttempts ?? 2,
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      projectRoot: repoRoot,
      depsLockFilePath: join(repoRoot, 'package-lock.json'),
      environment: {
        ...props.extraEnvironment,
        ...reversaEnvVars(props.environment),
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? 'reversa',
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace ?? 'Reversa',
        // Stack traces point at the TypeScript sources through the bundled source map.
        NODE_OPTIONS: ['--enable-source-maps', ...(props.nodeOptions ?? [])].join(' '),
      },
      bundling: {
        format: OutputFormat.ESM,
        ...LAMBDA_BUNDLING,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        // Ship the SDK clients we tested with instead of the runtime's copy: same versions locally and
        // in AWS, and only the per-service clients a handler imports end up in its bundle.
        bundleAwsSDK: true,
      },
    });

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.',
    });
  }

  get grantPrincipal(): IPrincipal {
    return this.role;
  }

  get functionArn(): string {
    return this.function.functionArn;
  }

  /** Adds a statement to the execution role; kept here so the stack reads as a list of grants. */
  allow(statement: PolicyStatement): void {
    this.role.addToPrincipalPolicy(statement);
  }
}
