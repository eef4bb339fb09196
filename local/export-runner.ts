/**
 * Runs statemachines/reversibility-export.asl.json in-process on the local cloud, with each Lambda
 * placeholder bound to the same use-case function its handler calls in AWS (functions/dossier/*).
 * Every Lambda payload and result is recorded so tests can check that no state ever carries data
 * or a secret.
 */
import type { EventPublisher } from '#core/ports.ts';
import type { DossierDeps } from '#core/use-cases/dossier-deps.ts';
import {
  abortExport,
  assembleAndUpload,
  auditDossier,
  checkDossier,
  type ExportInput,
  exportExecutionName,
  gatherPart,
  prepareExport,
  publishDossier,
  signDossier,
} from '#core/use-cases/dossier-export.ts';
import {
  bindLambdas,
  type ExecutionResult,
  type LocalLambda,
  localWorkflow,
  runOptionsOf,
  type WorkflowRunOptions,
} from '#local/asl-runner.ts';
import { EXPORT_WORKFLOW } from '#statemachines/names.ts';

/** The use cases behind each Lambda placeholder of the export workflow. */
export function exportLambdas(deps: DossierDeps): Record<string, LocalLambda> {
  return bindLambdas(deps, {
    PrepareFunctionArn: prepareExport,
    GatherFunctionArn: gatherPart,
    ChecklistFunctionArn: checkDossier,
    AssembleFunctionArn: assembleAndUpload,
    SignFunctionArn: signDossier,
    PublishFunctionArn: publishDossier,
    AuditFunctionArn: auditDossier,
    AbortFunctionArn: abortExport,
  });
}

export interface RunExportDeps extends DossierDeps {
  events: EventPublisher;
}

export type RunExportOptions = WorkflowRunOptions;

/** One Lambda invocation as the workflow saw it (JSON text of its payload and result, or its error). */
export interface RecordedInvocation {
  placeholder: string;
  payload: string;
  result?: string;
  error?: string;
}

export interface ExportExecutionResult extends ExecutionResult {
  executionName: string;
  invocations: RecordedInvocation[];
}

/** Runs the reversibility export end to end on local ports. */
export async function runExport(
  deps: RunExportDeps,
  input: ExportInput,
  options: RunExportOptions = {},
): Promise<ExportExecutionResult> {
  const requestedAt = input.requestedAt === undefined ? deps.clock.now() : Date.parse(input.requestedAt);
  const executionName =
    options.executionName ??
    exportExecutionName(input.tenantId, Number.isFinite(requestedAt) ? requestedAt : deps.clock.now());
  const invocations: RecordedInvocation[] = [];
  const lambdas = { ...exportLambdas(deps), ...options.lambdas };
  const recorded = Object.fromEntries(
    Object.entries(lambdas).map(([placeholder, impl]) => [
      placeholder,
      async (payload: unknown) => {
        const call: RecordedInvocation = { placeholder, payload: JSON.stringify(payload ?? null) };
        invocations.push(call);
        try {
          const result = await impl(payload);
          call.result = JSON.stringify(result ?? null);
          return result;
        } catch (error) {
          call.error = `${(error as Error).name}: ${(error as Error).message}`;
          throw error;
        }
      },
    ]),
  ) as Record<string, LocalLambda>;
  const result = await localWorkflow(EXPORT_WORKFLOW).run(
    input,
    { lambdas: recorded, events: deps.events },
    runOptionsOf(executionName, options),
  );
  return { ...result, executionName, invocations };
}
