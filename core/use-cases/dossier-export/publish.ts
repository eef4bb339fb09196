/** Publish: the immutable version row, with its change summary against the previous version. */
import { exportKeys } from '../../dossier/assemble-sources.ts';
import type { DossierVersion } from '../../dossier/ports.ts';
import { diffSummary, manifestIndexOf } from '../../dossier/readiness.ts';
import { InternalError } from '../../errors.ts';
import type { DossierDeps } from '../dossier-deps.ts';
import { MAX_MANIFEST_BYTES, nextContext, publishedByThisExport, readJson, readPlan } from './run-io.ts';
import type { AssembledRecord, EscrowMeta, ExportContext } from './shapes.ts';

/** Publishes the immutable version row, with what changed since the previous version. */
export async function publishDossier(deps: DossierDeps, ctx: ExportContext): Promise<ExportContext> {
  if (await publishedByThisExport(deps, ctx)) return ctx; // a retried Publish, or a re-run after it
  const plan = await readPlan(deps, ctx);
  const record = await readJson<AssembledRecord>(deps, exportKeys.assembled(ctx.tenantId, ctx.exportId));
  const escrow = await readJson<EscrowMeta>(deps, exportKeys.escrowMeta(ctx.tenantId, ctx.exportId));
  const manifestText = (await deps.objects.getBytes(record.manifestKey, MAX_MANIFEST_BYTES)).toString('utf8');
  const previous = plan.version > 1 ? await deps.dossiers.getVersion(ctx.tenantId, plan.version - 1) : undefined;
  let changeSummary = `v${plan.version}: first version (${record.embedded + record.fetched} files)`;
  if (previous) {
    const before = (await deps.dossierObjects.getBytes(previous.manifestIndexKey, MAX_MANIFEST_BYTES)).toString('utf8');
    const diff = diffSummary(manifestIndexOf(before), manifestIndexOf(manifestText), {
      previous: previous.secretRefs ?? [],
      current: escrow.secretRefs,
    });
    changeSummary = `v${plan.version}: ${diff.summary}`;
  }
  const version: DossierVersion = {
    tenantId: ctx.tenantId,
    version: plan.version,
    exportId: ctx.exportId,
    zipKey: record.zipKey,
    zipSha256: record.zipSha256,
    zipBytes: record.zipBytes,
    signerFingerprint: record.signerFingerprint,
    recipientFingerprints: escrow.recipientFingerprints,
    inputsFingerprint: plan.fingerprint,
    secretRefs: escrow.secretRefs,
    manifestIndexKey: exportKeys.manifestIndex(ctx.tenantId, plan.version),
    changeSummary,
    createdAt: new Date(deps.clock.now()).toISOString(),
    createdBy: plan.requestedBy,
  };
  if (!(await deps.dossiers.putVersion(version))) {
    throw new InternalError(
      'DossierVersionTaken',
      `v${plan.version} of ${ctx.tenantId} was published by another export`,
    );
  }
  return nextContext(ctx);
}
