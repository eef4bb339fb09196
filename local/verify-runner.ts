/**
 * The verify workflow on the local cloud: statemachines/verify-backups.asl.json run by the in-process
 * ASL runner with each Lambda Task bound to the use case its handler calls (functions/verify/*), and
 * the local VerifyStarter the sweep uses. Like Step Functions, an execution name runs at most once
 * (remembered in memory, and across restarts through the run's plan blob, which only exists once an
 * execution with that name has started).
 */
import type { EventPublisher, VerifyStarter } from '#core/ports.ts';
import type { TenantScoped } from '#core/tenancy/scoped.ts';
import {
  aggregate,
  compactUtc,
  evaluateBatch,
  loadStrategy,
  persist,
  planKeyOf,
  runIdFor,
  type VerifyDeps,
  type VerifyInput,
} from '#core/use-cases/verify.ts';
import { VERIFY_WORKFLOW } from '#statemachines/names.ts';
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

/** The use cases behind each Lambda placeholder, on the given (local) ports: what the handlers call in AWS. */
export function verifyLambdas(deps: VerifyDeps): Record<string, LocalLambda> {
  return bindLambdas(deps, {
    LoadStrategyFunctionArn: loadStrategy,
    EvaluateBatchFunctionArn: evaluateBatch,
    AggregateFunctionArn: aggregate,
    PersistFunctionArn: persist,
  });
}

export interface RunVerifyDeps extends VerifyDeps {
  events: EventPublisher;
}

export type RunVerifyOptions = WorkflowRunOptions;

/** Runs statemachines/verify-backups.asl.json end to end on local ports. */
export async function runVerify(
  deps: RunVerifyDeps,
  input: VerifyInput,
  options: RunVerifyOptions = {},
): Promise<ExecutionResult> {
  const at = input.at === undefined ? deps.clock.now() : Date.parse(input.at);
  const executionName =
    options.executionName ?? `verify-${input.tenantId}-${compactUtc(Number.isFinite(at) ? at : deps.clock.now())}`;
  return localWorkflow(VERIFY_WORKFLOW).run(
    input,
    { lambdas: { ...verifyLambdas(deps), ...options.lambdas }, events: deps.events },
    runOptionsOf(executionName, options),
  );
}

/** The sweep's VerifyStarter on the local cloud; a run's plan blob is the trace of its execution name. */
export class LocalVerifyStarter
  extends LocalStarter<{ tenantId: string; at?: string; reason: string }>
  implements VerifyStarter
{
  /** `deps`: each execution runs on its tenant's ports. */
  constructor(
    private readonly deps: TenantScoped<RunVerifyDeps>,
    options: LocalStarterOptions = {},
  ) {
    super(options);
  }

  protected alreadyRan(input: { tenantId: string }, name: string): Promise<boolean> {
    const plan = planKeyOf(input.tenantId, runIdFor(input.tenantId, 0, name));
    return this.deps.forTenant(input.tenantId).blobs.exists(plan);
  }

  protected execute(input: VerifyInput, options: RunOptions): Promise<ExecutionResult> {
    return runVerify(this.deps.forTenant(input.tenantId), input, options);
  }
}
