/** Audit: the 'dossier-export' entry in the tenant's audit log, once per version, then the run's cleanup. */
import type { DossierVersion } from '../../dossier/ports.ts';
import { InternalError } from '../../errors.ts';
import { recordInAuditLog } from '../audit-trail.ts';
import type { DossierDeps } from '../dossier-deps.ts';
import { checkContext } from './run-io.ts';
import type { AuditOutput, DossierPublishedDetail, ExportContext } from './shapes.ts';
import { deleteStaging } from './staging.ts';

function detailOf(v: DossierVersion, auditSeq: number): DossierPublishedDetail {
  return {
    tenantId: v.tenantId,
    version: v.version,
    exportId: v.exportId,
    zipKey: v.zipKey,
    zipSha256: v.zipSha256,
    zipBytes: v.zipBytes,
    signerFingerprint: v.signerFingerprint,
    recipientFingerprints: v.recipientFingerprints,
    changeSummary: v.changeSummary,
    createdAt: v.createdAt,
    createdBy: v.createdBy,
    auditSeq,
  };
}

/** Records the 'dossier-export' entry (once, even when retried), then drops the run's staging. */
export async function auditDossier(deps: DossierDeps, ctx: ExportContext): Promise<AuditOutput> {
  checkContext(ctx);
  const v = await deps.dossiers.getVersion(ctx.tenantId, ctx.version);
  if (!v || v.exportId !== ctx.exportId) {
    throw new InternalError('DossierNotPublished', `v${ctx.version} of ${ctx.tenantId} is not this export's`);
  }
  let auditSeq = v.auditSeq;
  if (auditSeq === undefined) {
    const { auditSeq: _none, ...record } = v;
    const logged = await recordInAuditLog(
      deps.audit,
      ctx.tenantId,
      {
        type: 'dossier-export',
        record,
        time: deps.clock.now(),
        summary: {
          who: v.createdBy,
          when: v.createdAt,
          version: v.version,
          exportId: v.exportId,
          zipKey: v.zipKey,
          archiveSha256: v.zipSha256,
          signerFingerprint: v.signerFingerprint,
          recipientFingerprints: v.recipientFingerprints,
          changeSummary: v.changeSummary,
        },
      },
      // An Audit that died between the entry and markAudited must not log the version twice when re-run.
      { once: `dossier-export:${v.exportId}:v${v.version}` },
    );
    auditSeq = logged.seq;
    await deps.dossiers.markAudited(ctx.tenantId, v.version, auditSeq);
  }
  await deleteStaging(deps, ctx.tenantId, ctx.exportId);
  await deps.dossiers.release(ctx.tenantId, v.version, ctx.exportId);
  return { ...ctx, detail: detailOf(v, auditSeq) };
}
