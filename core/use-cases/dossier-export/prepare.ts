/** Prepare: the version claim and the plan every later step reads. */
import { currentInputs } from '../../dossier/assemble-inputs.ts';
import { exportKeys } from '../../dossier/assemble-sources.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { DossierDeps } from '../dossier-deps.ts';
import { checkApproval, type ExportRequest, requestKeyOf } from './request.ts';
import { badInput, checkContext, DAY, exportExecutionName, publishedByThisExport, readPlanIfAny } from './run-io.ts';
import type { ExportContext, ExportPlan, PrepareInput } from './shapes.ts';

/** Fields an attacker who may only start executions would like to set: refused in the input. */
const UNTRUSTED_FIELDS = ['requestedBy', 'recipients', 'breakGlass', 'custodians'] as const;

/**
 * The export request written with the authenticated principal (request.ts), its override approval
 * checked again here: the input only names the tenant and the time.
 */
async function trustedRequest(
  deps: DossierDeps,
  event: PrepareInput,
  tenantId: string,
  exportId: string,
  now: number,
): Promise<ExportRequest> {
  const given = UNTRUSTED_FIELDS.filter((f) => (event.input as unknown as Record<string, unknown>)[f] !== undefined);
  if (given.length > 0) {
    throw badInput(
      given[0] as string,
      `${given.join(', ')} cannot be set in the execution input: the requester is the authenticated caller and the recipients are the strategy's (request exports with reversa dossier export or the portal)`,
    );
  }
  let request: ExportRequest;
  try {
    request = JSON.parse(
      (await deps.objects.getBytes(requestKeyOf(tenantId, exportId), 64 * 1024)).toString('utf8'),
    ) as ExportRequest;
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw badInput(
        'tenantId',
        `no export request ${exportId} for ${tenantId}: start exports through requestExport (reversa dossier export, the portal)`,
      );
    }
    throw error;
  }
  if (request.tenantId !== tenantId || request.exportId !== exportId || typeof request.requestedBy !== 'string') {
    throw badInput('tenantId', `the export request ${exportId} does not belong to this export`);
  }
  if (request.override) await checkApproval(deps.audit, tenantId, request.override, request.requestedBy, now);
  return request;
}

/** Loads the strategy, claims the next version number and writes the plan every other step reads. */
export async function prepareExport(deps: DossierDeps, event: PrepareInput): Promise<ExportContext> {
  const input = event.input;
  const now = deps.clock.now();
  const requestedAt = input.requestedAt === undefined ? now : Date.parse(input.requestedAt);
  if (!Number.isFinite(requestedAt)) throw badInput('requestedAt', 'expected an ISO-8601 time');
  const exportId = event.executionName ?? exportExecutionName(input.tenantId, requestedAt);
  checkContext({ tenantId: input.tenantId, exportId });
  const tenantId = input.tenantId;
  const planKey = exportKeys.plan(tenantId, exportId);

  // A re-run of an export that already published (and cleaned up) points at that version, nothing more.
  const published = await publishedByThisExport(deps, { tenantId, exportId });
  if (published) return { tenantId, exportId, version: published.version, planKey };
  // A retried Prepare reuses its plan (and its claim): the version number never moves mid-run.
  const existing = await readPlanIfAny(deps, { tenantId, exportId });
  if (existing) return { tenantId, exportId, version: existing.version, planKey };

  const request = await trustedRequest(deps, event, tenantId, exportId, now);
  const inputs = await currentInputs(deps, tenantId);
  const latest = await deps.dossiers.getLatest(tenantId);
  const version = (latest?.version ?? 0) + 1;
  const staleBefore = now - (deps.tuning?.staleReservationMs ?? DAY);
  if (!(await deps.dossiers.reserve(tenantId, version, exportId, now, staleBefore))) {
    throw new ValidationError('DossierExportInProgress', [
      {
        file: '<export input>',
        path: 'tenantId',
        message: `another export of ${tenantId} is building v${version}: wait for it to finish`,
      },
    ]);
  }
  const settings = inputs.strategy.settings;
  const plan: ExportPlan = {
    planVersion: 1,
    tenantId,
    exportId,
    version,
    requestedAt: new Date(requestedAt).toISOString(),
    requestedBy: request.requestedBy,
    strategyVersion: inputs.strategy.stored.version,
    recipients: request.override?.recipients ?? settings.successorRecipients,
    embedData: input.embedData ?? settings.embedData,
    sourceOrganization: input.sourceOrganization ?? 'Reversa',
    fingerprint: inputs.fingerprint,
  };
  // An override replaces the strategy's recipients as a whole: what the approver saw is what is sealed to.
  const breakGlass = request.override ? request.override.breakGlass : settings.breakGlassRecipient;
  if (breakGlass !== undefined) plan.breakGlass = breakGlass;
  const custodians = request.override ? request.override.custodians : settings.custodians;
  if (custodians !== undefined) plan.custodians = custodians;
  await deps.objects.put(planKey, JSON.stringify(plan), 'application/json');
  return { tenantId, exportId, version, planKey };
}
