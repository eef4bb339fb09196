/** Gather, inventory part: the declared resources as JSON and CSV. */
import { loadInventory, loadTenantStrategy } from '../../dossier/assemble-inputs.ts';
import { renderInventoryCsv, renderInventoryJson } from '../../dossier/contents/inventory.ts';
import { PAYLOAD_PATHS } from '../../dossier/contents/layout.ts';
import type { DossierDeps } from '../dossier-deps.ts';
import { stage } from './run-io.ts';
import type { ExportContext, GatherOutput } from './shapes.ts';

export async function gatherInventory(deps: DossierDeps, ctx: ExportContext): Promise<GatherOutput> {
  const { document } = await loadTenantStrategy(deps.strategies, ctx.tenantId);
  const inventory = await loadInventory(deps, ctx.tenantId, document);
  if (inventory === undefined) return { part: 'inventory', files: 0, bytes: 0 };
  const bytes =
    (await stage(deps, ctx, PAYLOAD_PATHS.inventoryJson, renderInventoryJson(inventory))) +
    (await stage(deps, ctx, PAYLOAD_PATHS.inventoryCsv, [...renderInventoryCsv(inventory)].join('')));
  return { part: 'inventory', files: 2, bytes };
}
