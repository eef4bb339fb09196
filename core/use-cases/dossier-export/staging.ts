/** The run's staging area under runs/<tenant>/<exportId>/: dropped once the version is audited, or aborted. */
import { exportKeys } from '../../dossier/assemble-sources.ts';
import type { DossierDeps } from '../dossier-deps.ts';
import { forEachLimit } from './run-io.ts';

export async function deleteStaging(deps: DossierDeps, tenantId: string, exportId: string): Promise<number> {
  const keys: string[] = [];
  for await (const o of deps.objects.list(exportKeys.runPrefix(tenantId, exportId))) keys.push(o.key);
  await forEachLimit(keys, (key) => deps.objects.delete(key));
  return keys.length;
}
