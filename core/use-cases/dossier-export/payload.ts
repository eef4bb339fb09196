/** The files that go into the bag, as both Checklist and Assemble must see them. */
import { payloadSources, type SourcedFile } from '../../dossier/assemble-sources.ts';
import type { ReversibilitySettings } from '../../dossier/contents/settings.ts';
import { ValidationError } from '../../errors.ts';
import type { DossierDeps } from '../dossier-deps.ts';

/**
 * The staged documents and the provider's files, listed from their prefixes. A file the dossier
 * would refuse (unsafe name, too large…) fails the export here, naming it, never silently skipped.
 */
export async function payloadFiles(
  deps: DossierDeps,
  settings: ReversibilitySettings,
  ctx: { tenantId: string; exportId: string },
): Promise<SourcedFile[]> {
  const { files, problems } = await payloadSources(deps.objects, settings, ctx.tenantId, ctx.exportId);
  if (problems.length > 0) throw new ValidationError('DossierInputRefused', problems);
  return files;
}
