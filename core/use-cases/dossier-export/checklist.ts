/** Checklist: refuses to assemble a dossier the strategy would call incomplete. */
import { loadTenantStrategy } from '../../dossier/assemble-inputs.ts';
import { presenceOf } from '../../dossier/assemble-sources.ts';
import {
  evaluateChecklist,
  renderChecklistJson,
  renderChecklistMarkdown,
  requireComplete,
} from '../../dossier/checklist.ts';
import { PAYLOAD_PATHS } from '../../dossier/contents/layout.ts';
import type { DossierDeps } from '../dossier-deps.ts';
import { payloadFiles } from './payload.ts';
import { nextContext, publishedByThisExport, readPlan, stage } from './run-io.ts';
import type { ExportContext } from './shapes.ts';

/** Judges completeness from what is staged and what the source prefixes hold; stages checklist.md/json. */
export async function checkDossier(deps: DossierDeps, ctx: ExportContext): Promise<ExportContext> {
  if (await publishedByThisExport(deps, ctx)) return nextContext(ctx);
  await readPlan(deps, ctx);
  const { settings, document } = await loadTenantStrategy(deps.strategies, ctx.tenantId);
  const files = await payloadFiles(deps, settings, ctx);
  const result = evaluateChecklist(document.reversibility, presenceOf(files));
  requireComplete(result, `strategy of ${ctx.tenantId}`);
  await stage(deps, ctx, PAYLOAD_PATHS.checklistJson, renderChecklistJson(result));
  await stage(deps, ctx, PAYLOAD_PATHS.checklistMarkdown, renderChecklistMarkdown(result));
  return nextContext(ctx);
}
