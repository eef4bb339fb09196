/** Abort: what any failure of the export leads to, so nothing half-made is ever published or left behind. */
import { exportKeys } from '../../dossier/assemble-sources.ts';
import type { DossierDeps } from '../dossier-deps.ts';
import { checkContext, readPlanIfAny } from './run-io.ts';
import type { AbortInput, AbortOutput } from './shapes.ts';
import { deleteStaging } from './staging.ts';

/**
 * Undoes an unpublished export: aborts a multipart upload a crashed Assemble left, deletes the
 * archive, sidecars and manifest index of the claimed version (only when this export holds the
 * claim and the version is not published), releases the claim, and deletes the run's staging.
 */
export async function abortExport(deps: DossierDeps, input: AbortInput): Promise<AbortOutput> {
  checkContext(input);
  const plan = await readPlanIfAny(deps, input);
  let deleted = 0;
  let published = false;
  if (plan) {
    const v = await deps.dossiers.getVersion(input.tenantId, plan.version);
    published = v?.exportId === input.exportId;
    const ours = (await deps.dossiers.reservedBy(input.tenantId, plan.version)) === input.exportId;
    if (!published && ours && v === undefined) {
      const zipKey = exportKeys.zip(input.tenantId, plan.version);
      await deps.dossierObjects.abortUploads(zipKey);
      for await (const o of deps.dossierObjects.list(exportKeys.versionPrefix(input.tenantId, plan.version))) {
        await deps.dossierObjects.delete(o.key);
        deleted++;
      }
      await deps.dossiers.release(input.tenantId, plan.version, input.exportId);
    }
  }
  deleted += await deleteStaging(deps, input.tenantId, input.exportId);
  return { tenantId: input.tenantId, exportId: input.exportId, deleted, published };
}
