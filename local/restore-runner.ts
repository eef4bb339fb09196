/**
 * The restore-test workflow on the local cloud: statemachines/restore-test.asl.json run by the
 * in-process ASL runner with every Lambda Task bound to its use case (core/use-cases/restore-test.ts)
 * and the restic ECS task (RestoreRestic, `ecs:runTask.sync`) bound BY STATE NAME to the same use case
 * running Debian's restic as a child process. Its ports come from wiring/local/restore-test.ts.
 */
import { restoreTestId } from '#core/restore/ids.ts';
import type { TenantScoped } from '#core/tenancy/scoped.ts';
import {
  cleanup,
  describeAwsBackupRestore,
  evidenceKeyOf,
  prepare,
  type RestoreTestDeps,
  type RestoreTestInput,
  type RestoreTestStarter,
  record,
  restorePlanKey,
  restoreRestic,
  restoreS3Archive,
  restoreStateFromCommand,
  startAwsBackupRestore,
  validate,
} from '#core/use-cases/restore-test.ts';
import { RESTORE_TEST_WORKFLOW, RestoreTestStates } from '#statemachines/names.ts';
import {
  bindLambdas,
  type ExecutionResult,
  type LocalLambda,
  LocalStarter,
  type LocalStarterOptions,
  localWorkflow,
  type RunOptions,
  runOptionsOf,
  type WorkflowRunOptions,
} from './asl-runner.ts';

/** The use case behind each Lambda placeholder of restore-test.asl.json: what functions/restore/*.ts call. */
export function restoreTestLambdas(deps: RestoreTestDeps): Record<string, LocalLambda> {
  return bindLambdas(deps, {
    PrepareFunctionArn: prepare,
    RestoreS3ArchiveFunctionArn: restoreS3Archive,
    StartAwsBackupRestoreFunctionArn: startAwsBackupRestore,
    DescribeAwsBackupRestoreFunctionArn: describeAwsBackupRestore,
    ValidateFunctionArn: validate,
    CleanupFunctionArn: cleanup,
    RecordFunctionArn: record,
  });
}

/** RestoreRestic (ecs:runTask.sync in AWS) → the restic use case, fed the same container command. */
export function restoreTestOverrides(deps: RestoreTestDeps): Record<string, LocalLambda> {
  return {
    [RestoreTestStates.RestoreRestic]: async (params) => {
      const command = (params as { Overrides?: { ContainerOverrides?: { Command?: unknown }[] } }).Overrides
        ?.ContainerOverrides?.[0]?.Command;
      await restoreRestic(deps, restoreStateFromCommand(command));
      // What RunTask .sync returns, trimmed (ResultPath null discards it anyway).
      return { LastStatus: 'STOPPED', Containers: [{ ExitCode: 0 }] };
    },
  };
}

export interface RunRestoreTestOptions extends WorkflowRunOptions {
  /** Replace or wrap state-name overrides (RestoreRestic). */
  overrides?: Readonly<Record<string, LocalLambda>>;
}

/** Runs statemachines/restore-test.asl.json for one test, end to end, on local ports. */
export async function runRestoreTest(
  deps: RestoreTestDeps,
  input: RestoreTestInput,
  options: RunRestoreTestOptions = {},
): Promise<ExecutionResult> {
  return localWorkflow(RESTORE_TEST_WORKFLOW).run(
    input,
    {
      lambdas: { ...restoreTestLambdas(deps), ...options.lambdas },
      overrides: { ...restoreTestOverrides(deps), ...options.overrides },
      events: { publish: async () => undefined },
    },
    runOptionsOf(options.executionName ?? testIdOfInput(input), options),
  );
}

/** The execution name of a test: its id (tenant, resource, slot). */
export function testIdOfInput(input: Pick<RestoreTestInput, 'tenantId' | 'resourceId' | 'scheduledAt'>): string {
  return restoreTestId({ ...input, scheduledAt: Date.parse(input.scheduledAt) });
}

/** RestoreTestStarter for the local cloud; a test's plan or evidence blob is the trace of its execution name. */
export class LocalRestoreTestStarter extends LocalStarter<RestoreTestInput> implements RestoreTestStarter {
  /** `deps`: each execution runs on its tenant's ports. */
  constructor(
    private readonly deps: TenantScoped<RestoreTestDeps>,
    options: LocalStarterOptions = {},
  ) {
    super(options);
  }

  protected async alreadyRan(input: RestoreTestInput, name: string): Promise<boolean> {
    const { blobs } = this.deps.forTenant(input.tenantId);
    const [planned, recorded] = await Promise.all([
      blobs.exists(restorePlanKey(input.tenantId, name)),
      blobs.exists(evidenceKeyOf(input.tenantId, name)),
    ]);
    return planned || recorded;
  }

  protected execute(input: RestoreTestInput, options: RunOptions): Promise<ExecutionResult> {
    return runRestoreTest(this.deps.forTenant(input.tenantId), input, options);
  }
}
