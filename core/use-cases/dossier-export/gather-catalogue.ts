/**
 * Gather, catalogue part: the backup catalogue (JSON and Markdown, streamed into two uploads), one
 * restore procedure per resource, the strategy in prose, and the procedures index over the
 * provider's own runbooks.
 */
import { finished } from 'node:stream/promises';
import { durationMs, loadTenantStrategy } from '../../dossier/assemble-inputs.ts';
import { exportKeys } from '../../dossier/assemble-sources.ts';
import { writeCatalogue } from '../../dossier/contents/catalogue.ts';
import { PAYLOAD_PATHS } from '../../dossier/contents/layout.ts';
import {
  renderProceduresIndex,
  renderRestoreProcedure,
  renderStrategyMarkdown,
  restorePoliciesFor,
  restoreProcedurePath,
  validateRunbooks,
} from '../../dossier/contents/procedures.ts';
import { resolveResources } from '../../strategy/resolve.ts';
import type { DossierDeps } from '../dossier-deps.ts';
import { DAY, stage, textSink } from './run-io.ts';
import type { ExportContext, ExportPlan, GatherOutput } from './shapes.ts';

export async function gatherCatalogue(deps: DossierDeps, ctx: ExportContext, plan: ExportPlan): Promise<GatherOutput> {
  const { document, settings } = await loadTenantStrategy(deps.strategies, ctx.tenantId);
  const seen = await deps.facts.listSeenResources(ctx.tenantId);
  const declared = resolveResources(document, seen).declared;
  const generatedAt = Date.parse(plan.requestedAt);
  const longest = Math.max(35 * DAY, ...declared.map((d) => durationMs(d.policy.retention)));
  const counter = { bytes: 0 };
  let files = 0;
  const generated: { path: string; title: string }[] = [];

  const jsonSink = deps.objects.createSink(exportKeys.staged(ctx.tenantId, ctx.exportId, PAYLOAD_PATHS.catalogueJson));
  const mdSink = deps.objects.createSink(
    exportKeys.staged(ctx.tenantId, ctx.exportId, PAYLOAD_PATHS.catalogueMarkdown),
  );
  try {
    await writeCatalogue(
      {
        tenantId: ctx.tenantId,
        resources: declared,
        facts: deps.facts as never,
        since: generatedAt - longest,
        generatedAt,
        onEntry: async (entry) => {
          const resource = declared.find((d) => d.resourceId === entry.resourceId);
          const tests = resource ? restorePoliciesFor(document, resource) : [];
          const path = restoreProcedurePath(entry.resourceId);
          counter.bytes += await stage(deps, ctx, path, renderRestoreProcedure(entry, tests));
          generated.push({ path, title: `Restore procedure: ${entry.name}` });
          files++;
        },
      },
      { json: textSink(jsonSink, counter), markdown: textSink(mdSink, counter) },
    );
    jsonSink.end();
    mdSink.end();
    await Promise.all([finished(jsonSink), finished(mdSink)]);
  } catch (error) {
    // Destroying aborts the uploads: no half-written catalogue is staged.
    jsonSink.destroy(error as Error);
    mdSink.destroy(error as Error);
    throw error;
  }
  files += 2;

  counter.bytes += await stage(deps, ctx, PAYLOAD_PATHS.strategyMarkdown, renderStrategyMarkdown(document, declared));
  files++;
  generated.unshift({ path: PAYLOAD_PATHS.strategyMarkdown, title: 'The declared backup strategy' });
  const runbookInputs = [];
  for await (const o of deps.objects.list(settings.prefixes.procedures)) {
    runbookInputs.push({ key: o.key, size: o.size, open: () => deps.objects.open(o.key) });
  }
  const { accepted } = validateRunbooks(runbookInputs, settings.prefixes.procedures);
  counter.bytes += await stage(deps, ctx, 'procedures/README.md', renderProceduresIndex(generated, accepted));
  files++;
  return { part: 'catalogue', files, bytes: counter.bytes };
}
