/** Sign: the archive's sidecars (checksum and its signature) and the version's manifest index. */
import { exportKeys } from '../../dossier/assemble-sources.ts';
import { sidecars } from '../../dossier/bag/sidecars.ts';
import type { DossierDeps } from '../dossier-deps.ts';
import { MAX_MANIFEST_BYTES, nextContext, publishedByThisExport, readJson, readPlan } from './run-io.ts';
import type { AssembledRecord, ExportContext } from './shapes.ts';

/** Writes `<zip>.sha256`, its signature and this version's manifest index beside the archive. */
export async function signDossier(deps: DossierDeps, ctx: ExportContext): Promise<ExportContext> {
  if (await publishedByThisExport(deps, ctx)) return nextContext(ctx);
  const plan = await readPlan(deps, ctx);
  const record = await readJson<AssembledRecord>(deps, exportKeys.assembled(ctx.tenantId, ctx.exportId));
  const files = await sidecars(record, deps.dossierSigner);
  const prefix = exportKeys.versionPrefix(ctx.tenantId, plan.version);
  await deps.dossierObjects.put(`${prefix}${files.checksum.name}`, files.checksum.bytes, 'text/plain; charset=utf-8');
  await deps.dossierObjects.put(`${prefix}${files.signature.name}`, files.signature.bytes, 'application/octet-stream');
  const manifest = await deps.objects.getBytes(record.manifestKey, MAX_MANIFEST_BYTES);
  await deps.dossierObjects.put(
    exportKeys.manifestIndex(ctx.tenantId, plan.version),
    manifest,
    'text/plain; charset=utf-8',
  );
  return nextContext(ctx);
}
