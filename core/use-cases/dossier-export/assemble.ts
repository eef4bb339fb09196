/** Assemble: the bag streamed into a multipart upload to the dossier bucket. */
import { assembleDossier } from '../../dossier/assemble.ts';
import { loadTenantStrategy } from '../../dossier/assemble-inputs.ts';
import { exportKeys } from '../../dossier/assemble-sources.ts';
import type { DossierDeps } from '../dossier-deps.ts';
import { payloadFiles } from './payload.ts';
import { publishedByThisExport, readPlan } from './run-io.ts';
import type { AssembledRecord, AssembleOutput, ExportContext } from './shapes.ts';

/** Streams the bag into a multipart upload to the dossier bucket; on any error the upload is aborted. */
export async function assembleAndUpload(deps: DossierDeps, ctx: ExportContext): Promise<AssembleOutput> {
  const published = await publishedByThisExport(deps, ctx);
  if (published) return { ...ctx, zipKey: published.zipKey };
  const plan = await readPlan(deps, ctx);
  const { settings } = await loadTenantStrategy(deps.strategies, ctx.tenantId);
  const files = await payloadFiles(deps, settings, ctx);
  const zipKey = exportKeys.zip(ctx.tenantId, plan.version);
  const assembled = await assembleDossier({
    objects: deps.objects,
    files,
    bagName: exportKeys.bagName(ctx.tenantId, plan.version),
    bagInfo: {
      'Source-Organization': plan.sourceOrganization,
      'External-Identifier': `${ctx.tenantId} v${plan.version}`,
      'Reversa-Tenant': ctx.tenantId,
      'Reversa-Dossier-Version': String(plan.version),
      'Reversa-Export-Id': ctx.exportId,
      'Reversa-Strategy-Version': String(plan.strategyVersion),
    },
    signer: deps.dossierSigner,
    sink: deps.dossierObjects.createSink(zipKey, 'application/zip'),
    now: new Date(plan.requestedAt),
    embedData: plan.embedData,
    ...(deps.tuning?.largeFileBytes === undefined ? {} : { largeFileBytes: deps.tuning.largeFileBytes }),
    ...(deps.tuning?.partBytes === undefined ? {} : { partBytes: deps.tuning.partBytes }),
  });
  const manifestKey = exportKeys.manifest(ctx.tenantId, ctx.exportId);
  await deps.objects.put(manifestKey, assembled.manifestText, 'text/plain; charset=utf-8');
  const record: AssembledRecord = {
    zipKey,
    zipName: assembled.bag.zipName,
    zipSha256: assembled.bag.zipSha256,
    zipBytes: assembled.bag.zipBytes,
    payloadOxum: assembled.bag.payloadOxum,
    signerFingerprint: assembled.bag.signerFingerprint,
    manifestKey,
    embedded: assembled.embedded,
    fetched: assembled.fetched,
  };
  await deps.objects.put(exportKeys.assembled(ctx.tenantId, ctx.exportId), JSON.stringify(record), 'application/json');
  return { ...ctx, zipKey };
}
