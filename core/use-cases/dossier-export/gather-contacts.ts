/** Gather, contacts part: who to call, as JSON and Markdown (nothing staged when the strategy names nobody). */
import { loadTenantStrategy } from '../../dossier/assemble-inputs.ts';
import { renderContactsJson, renderContactsMarkdown } from '../../dossier/contents/contacts.ts';
import { PAYLOAD_PATHS } from '../../dossier/contents/layout.ts';
import type { DossierDeps } from '../dossier-deps.ts';
import { stage } from './run-io.ts';
import type { ExportContext, GatherOutput } from './shapes.ts';

export async function gatherContacts(deps: DossierDeps, ctx: ExportContext): Promise<GatherOutput> {
  const { document, settings } = await loadTenantStrategy(deps.strategies, ctx.tenantId);
  if (settings.contacts.length === 0) return { part: 'contacts', files: 0, bytes: 0 };
  const bytes =
    (await stage(deps, ctx, PAYLOAD_PATHS.contactsJson, renderContactsJson(ctx.tenantId, settings.contacts))) +
    (await stage(
      deps,
      ctx,
      PAYLOAD_PATHS.contactsMarkdown,
      renderContactsMarkdown(document.tenant.name, settings.contacts),
    ));
  return { part: 'contacts', files: 2, bytes };
}
