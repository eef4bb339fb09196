/**
 * Runs statemachines/reversibility-export.asl.json in-process on the local cloud, with each Lambda
 * placeholder bound to the same use-case function its handler calls in AWS (functions/dossier/*).
 * Every Lambda payload and result is recorded so tests can check that no state ever carries data
 * or a secret.
 */
import { join } from 'node:path';
import { DynamoDossierStore } from '#adapters/aws/dynamo-dossier-store.ts';
import { DynamoRestoreTestStore } from '#adapters/aws/dynamo-restore-test-store.ts';
import { S3DossierObjects } from '#adapters/aws/s3-dossier-objects.ts';
import { type Adapters, composeLocal } from '#adapters/compose.ts';
import { localDynamoClient, localS3Client } from '#adapters/local/local-clients.ts';
import { LocalSecretStore } from '#adapters/local/local-secret-store.ts';
import type { EventPublisher } from '#core/ports.ts';
import type { RestoreTestStore } from '#core/restore/ports.ts';
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
import { type ExecutionResult, type LocalLambda, localWorkflow } from '#local/asl-runner.ts';
import type { LocalCloud } from '#local/cloud.ts';
import { EXPORT_WORKFLOW } from '#statemachines/names.ts';

/** The use cases behind each Lambda placeholder of the export workflow. */
export function exportLambdas(deps: DossierDeps): Record<string, LocalLambda> {
  return {
    PrepareFunctionArn: (p) => prepareExport(deps, p as never),
    GatherFunctionArn: (p) => gatherPart(deps, p as never),
    ChecklistFunctionArn: (p) => checkDossier(deps, p as never),
    AssembleFunctionArn: (p) => assembleAndUpload(deps, p as never),
    SignFunctionArn: (p) => signDossier(deps, p as never),
    PublishFunctionArn: (p) => publishDossier(deps, p as never),
    AuditFunctionArn: (p) => auditDossier(deps, p as never),
    AbortFunctionArn: (p) => abortExport(deps, p as never),
  };
}

export interface RunExportDeps extends DossierDeps {
  events: EventPublisher;
}

export interface RunExportOptions {
  /** Default: exportExecutionName(tenant, requestedAt or now). */
  executionName?: string;
  zeroWaits?: boolean;
  /** Replace or wrap some Lambdas by placeholder (tests inject faults here). */
  lambdas?: Readonly<Record<string, LocalLambda>>;
}

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
    { executionName, ...(options.zeroWaits === undefined ? {} : { zeroWaits: options.zeroWaits }) },
  );
  return { ...result, executionName, invocations };
}

export interface LocalDossierDepsOptions {
  /** The local secret store directory. Default: <cloud home>/secrets. */
  secretsDir?: string;
  /** Default: the DynamoDB restore-test store on the local table. */
  restoreTests?: RestoreTestStore;
  adapters?: Adapters;
}

/** Dossier deps on the local cloud: the composed adapters plus the dossier store, object stores and secret store. */
export function localDossierDeps(cloud: LocalCloud, options: LocalDossierDepsOptions = {}): RunExportDeps {
  const adapters = options.adapters ?? composeLocal(cloud);
  const s3 = localS3Client(cloud.endpoints);
  const dynamo = localDynamoClient(cloud.endpoints);
  return {
    ...adapters,
    objects: new S3DossierObjects({ bucket: cloud.bucketName, client: s3 }),
    dossierObjects: new S3DossierObjects({ bucket: cloud.dossierBucketName, client: s3 }),
    dossiers: new DynamoDossierStore({ tableName: cloud.tableName, client: dynamo }),
    secrets: new LocalSecretStore({ dir: options.secretsDir ?? join(cloud.home, 'secrets'), clock: adapters.clock }),
    restoreTests: options.restoreTests ?? new DynamoRestoreTestStore({ tableName: cloud.tableName, client: dynamo }),
  };
}
