/** Prepare: the version claim and the plan every later step reads. */
import { currentInputs } from '../../dossier/assemble-inputs.ts';
import { exportKeys } from '../../dossier/assemble-sources.ts';
import { ValidationError } from '../../errors.ts';
import type { DossierDeps } from '../dossier-deps.ts';
import { badInput, checkContext, DAY, exportExecutionName, readPlanIfAny } from './run-io.ts';
import type { ExportContext, ExportPlan, PrepareInput } from './shapes.ts';

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

  // A retried Prepare reuses its plan (and its claim): the version number never moves mid-run.
  const existing = await readPlanIfAny(deps, { tenantId, exportId });
  if (existing) return { tenantId, exportId, version: existing.version, planKey };

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
    requestedBy: input.requestedBy ?? 'unknown',
    strategyVersion: inputs.strategy.stored.version,
    recipients: input.recipients ?? settings.successorRecipients,
    embedData: input.embedData ?? settings.embedData,
    sourceOrganization: input.sourceOrganization ?? 'Reversa',
    fingerprint: inputs.fingerprint,
  };
  const breakGlass = input.breakGlass ?? settings.breakGlassRecipient;
  if (breakGlass !== undefined) plan.breakGlass = breakGlass;
  const custodians = input.custodians ?? settings.custodians;
  if (custodians !== undefined) plan.custodians = custodians;
  await deps.objects.put(planKey, JSON.stringify(plan), 'application/json');
  return { tenantId, exportId, version, planKey };
}
