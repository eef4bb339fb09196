/** Gather, escrow part: the tenant's secrets sealed with age to the plan's recipients (ciphertext only is staged). */
import { listSecretRefs } from '../../dossier/assemble-inputs.ts';
import { exportKeys } from '../../dossier/assemble-sources.ts';
import { sealEscrow } from '../../dossier/escrow/seal.ts';
import type { DossierDeps } from '../dossier-deps.ts';
import { stage } from './run-io.ts';
import type { EscrowMeta, ExportContext, ExportPlan, GatherOutput } from './shapes.ts';

export async function gatherEscrow(deps: DossierDeps, ctx: ExportContext, plan: ExportPlan): Promise<GatherOutput> {
  const refs = await listSecretRefs(deps.secrets, ctx.tenantId);
  const meta: EscrowMeta = { recipientFingerprints: [], secretRefs: [] };
  const noRecipient = plan.recipients.length === 0 && plan.breakGlass === undefined && plan.custodians === undefined;
  // Nothing to escrow, or nobody to escrow it to: the checklist decides whether that is acceptable.
  if (refs.length === 0 || noRecipient) {
    await deps.objects.put(exportKeys.escrowMeta(ctx.tenantId, ctx.exportId), JSON.stringify(meta), 'application/json');
    return { part: 'escrow', files: 0, bytes: 0 };
  }
  const sealed = await sealEscrow({
    source: deps.secrets,
    tenantId: ctx.tenantId,
    recipients: plan.recipients,
    ...(plan.breakGlass === undefined ? {} : { breakGlass: plan.breakGlass }),
    ...(plan.custodians === undefined ? {} : { custodians: plan.custodians }),
    now: new Date(plan.requestedAt),
  });
  let bytes = 0;
  for (const f of sealed.files) bytes += await stage(deps, ctx, `credentials/${f.path}`, f.body);
  meta.recipientFingerprints = sealed.recipientFingerprints;
  meta.secretRefs = sealed.manifest.secrets.map((s) => ({
    name: s.name,
    version: s.version ?? '',
    lastChangedAt: s.lastChangedAt === undefined ? 0 : Date.parse(s.lastChangedAt) || 0,
  }));
  await deps.objects.put(exportKeys.escrowMeta(ctx.tenantId, ctx.exportId), JSON.stringify(meta), 'application/json');
  return { part: 'escrow', files: sealed.files.length, bytes };
}
