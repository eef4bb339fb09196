import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IGrantable, IPrincipal } from 'aws-cdk-lib/aws-iam';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CONFIG_ENV } from '#config';
import { Binder } from '../binder.ts';
import type { Binding, ReversaEnvironment } from '../bindings.ts';
import { applyGrants, type Grant } from '../grants.ts';
import { LAMBDA_BUNDLING } from '../lambda-bundling.ts';
import { repoRoot } from '../paths.ts';
import { TENANT_ROLE_ID_SUFFIX, tenantRoleName } from '../role-names.ts';
import type { TenantAccessRole } from './tenant-access-role.ts';

/** Every variable config.ts reads: extra environment variables may not set one (a binding does). */
const RESERVED = new Set<string>(Object.values(CONFIG_ENV));

export interface ReversaFunctionProps {
  /** Absolute path of the handler file; it must export `handler`. */
  readonly entry: string;
  /**
   * Resource names handed to the handler without a grant, as the config.ts variables of their keys. `bind` adds
   * names together with their grants.
   * @default - none
   */
  readonly environment?: ReversaEnvironment;
  /**
   * What the function does, shown in the console.
   * @default - no description
   */
  readonly description?: string;
  /**
   * Powertools service name (config.ts serviceName): groups logs, traces and metrics.
   * @default 'reversa'
   */
  readonly serviceName?: string;
  /**
   * Powertools metrics namespace (config.ts metricsNamespace).
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
   * Extra env vars for this function only. Those config.ts reads (CONFIG_ENV) are ignored here: names come from
   * `environment` and `bind`, the Powertools ones from `serviceName` and `metricsNamespace`.
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
 * creating any log group). What it may touch is added by the caller: `bind` a resource (its name and the
 * grant in one call), `grant` what has no name to hand over (AWS Backup, tenant secrets, sandboxes).
 */
export class ReversaFunction extends Construct implements IGrantable {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;
  /** Applies bindings: names to the environment, grants to the role or to the tenant-access role. */
  private readonly binder: Binder;

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
        ...Object.fromEntries(Object.entries(props.extraEnvironment ?? {}).filter(([name]) => !RESERVED.has(name))),
        [CONFIG_ENV.serviceName]: props.serviceName ?? 'reversa',
        [CONFIG_ENV.metricsNamespace]: props.metricsNamespace ?? 'Reversa',
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
    this.binder = new Binder({
      path: this.node.path,
      target: this,
      role: this.role,
      addEnvironment: (name, value) => this.function.addEnvironment(name, value),
      tenantRole: {
        scope,
        id: `${id}${TENANT_ROLE_ID_SUFFIX}`,
        roleName: tenantRoleName(`${Stack.of(this).stackName}-`, id),
      },
    });
    this.binder.setNames(props.environment ?? {});
  }

  get grantPrincipal(): IPrincipal {
    return this.role;
  }

  get functionArn(): string {
    return this.function.functionArn;
  }

  /**
   * The role the function assumes, with the session tag `tenant=<id>`, to touch one tenant's data; created by the
   * first binding with tenant grants (its ARN is config.ts `tenantAccessRoleArn`). Undefined for a function that
   * serves no single tenant (the sweep).
   */
  get tenantAccess(): TenantAccessRole | undefined {
    return this.binder.tenantAccess;
  }

  /**
   * Gives the function each resource: its name under the resource's config key (config.ts CONFIG_ENV names the
   * variable) and the grants on it, tenant data through its tenant-access role, plus whatever the resource's own
   * policy must admit (a signing key).
   */
  bind(...bindings: Binding[]): this {
    for (const binding of bindings) this.binder.bind(binding);
    return this;
  }

  /** Grants to the function's own role on what has no name to hand over (AWS Backup, sandbox resources, `*`-only actions). */
  grant(...grants: Grant[]): this {
    applyGrants(this, grants);
    return this;
  }
}
