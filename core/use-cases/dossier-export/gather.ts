/** Gather: the workflow's Parallel state runs one branch per part; each stages its documents. */
import type { DossierDeps } from '../dossier-deps.ts';
import { gatherCatalogue } from './gather-catalogue.ts';
import { gatherContacts } from './gather-contacts.ts';
import { gatherEscrow } from './gather-escrow.ts';
import { gatherEvidence } from './gather-evidence.ts';
import { gatherInventory } from './gather-inventory.ts';
import { badInput, publishedByThisExport, readPlan } from './run-io.ts';
import { type ExportContext, GATHER_PARTS, type GatherInput, type GatherOutput } from './shapes.ts';

/** One branch of the Gather Parallel state: stages one part's documents, returns counts. */
export async function gatherPart(deps: DossierDeps, input: GatherInput): Promise<GatherOutput> {
  if (await publishedByThisExport(deps, input)) return { part: input.part, files: 0, bytes: 0 };
  const plan = await readPlan(deps, input);
  const ctx: ExportContext = {
    tenantId: input.tenantId,
    exportId: input.exportId,
    version: plan.version,
    planKey: input.planKey,
  };
  switch (input.part) {
    case 'inventory':
      return gatherInventory(deps, ctx);
    case 'catalogue':
      return gatherCatalogue(deps, ctx, plan);
    case 'evidence':
      return gatherEvidence(deps, ctx, plan);
    case 'escrow':
      return gatherEscrow(deps, ctx, plan);
    case 'contacts':
      return gatherContacts(deps, ctx);
    default:
      throw badInput('part', `expected one of ${GATHER_PARTS.join(', ')}`);
  }
}
