/**
 * Where each payload file of a dossier comes from: the documents the Gather steps staged under
 * runs/<tenant>/<exportId>/staging/ (already at their payload path), and the provider's files
 * under the tenant's source prefixes (configurations, security settings, access rights and logs,
 * runbooks), mapped to their checklist folder. Only listings are read here, never contents: the
 * checklist counts files and bytes, the assembler streams them later.
 */
import type { Problem } from '../errors.ts';
import type { ChecklistItemId } from '../strategy/reversibility-schema.ts';
import { compareBytes, unsafePathReason } from './bag/paths.ts';
import { ITEM_FOLDERS, itemOfPayloadPath } from './contents/layout.ts';
import { validateRunbooks } from './contents/procedures.ts';
import { itemOfSourceKey, type ReversibilitySettings, SOURCE_ITEMS, type SourceItemId } from './contents/settings.ts';
import type { ObjectInfo, ObjectStore } from './ports.ts';

export const exportKeys = {
  runPrefix: (tenantId: string, exportId: string) => `runs/${tenantId}/${exportId}/`,
  plan: (tenantId: string, exportId: string) => `runs/${tenantId}/${exportId}/plan.json`,
  escrowMeta: (tenantId: string, exportId: string) => `runs/${tenantId}/${exportId}/escrow-meta.json`,
  assembled: (tenantId: string, exportId: string) => `runs/${tenantId}/${exportId}/assembled.json`,
  manifest: (tenantId: string, exportId: string) => `runs/${tenantId}/${exportId}/manifest-sha256.txt`,
  stagingPrefix: (tenantId: string, exportId: string) => `runs/${tenantId}/${exportId}/staging/`,
  staged: (tenantId: string, exportId: string, payloadPath: string) =>
    `runs/${tenantId}/${exportId}/staging/${payloadPath}`,
  inventoryPrefix: (tenantId: string) => `inventory/${tenantId}/`,
  /** Dossier bucket. */
  versionPrefix: (tenantId: string, version: number) => `dossiers/${tenantId}/v${version}/`,
  bagName: (tenantId: string, version: number) => `reversa-dossier-${tenantId}-v${version}`,
  zip: (tenantId: string, version: number) =>
    `dossiers/${tenantId}/v${version}/reversa-dossier-${tenantId}-v${version}.zip`,
  manifestIndex: (tenantId: string, version: number) => `dossiers/${tenantId}/v${version}/manifest-sha256.txt`,
} as const;

/** One payload file and the object it is read from (data bucket). */
export interface SourcedFile {
  /** Payload path, relative to data/. */
  path: string;
  key: string;
  size: number;
  /** Epoch ms of the source object; staged documents take the bagging time. */
  lastModified?: number;
  /** A provider file (may be large backup data) rather than a generated document. */
  provided: boolean;
}

export interface PayloadSources {
  /** Sorted byte-wise by path. */
  files: SourcedFile[];
  /** Provider files refused (unsafe names, runbook rules); the export fails on any. */
  problems: Problem[];
}

async function collect(objects: ObjectStore, prefix: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const o of objects.list(prefix)) if (!o.key.endsWith('/')) out.push(o);
  return out;
}

/** Every file under the configuration prefixes, each assigned to the item with the longest matching prefix. */
export async function listSourceFiles(
  objects: ObjectStore,
  settings: ReversibilitySettings,
): Promise<{ item: SourceItemId; info: ObjectInfo }[]> {
  const seen = new Map<string, { item: SourceItemId; info: ObjectInfo }>();
  // Prefixes nest (config/t/ holds config/t/security/): list only the outermost ones, all at once; each key once.
  const prefixes = [...new Set(SOURCE_ITEMS.map((id) => settings.prefixes[id]))];
  const roots = prefixes.filter((p) => !prefixes.some((q) => q !== p && p.startsWith(q)));
  const listed = await Promise.all(roots.map((prefix) => collect(objects, prefix)));
  for (const infos of listed) {
    for (const info of infos) {
      const item = itemOfSourceKey(settings.prefixes, info.key);
      if (item !== undefined && !seen.has(info.key)) seen.set(info.key, { item, info });
    }
  }
  return [...seen.values()].sort((a, b) => compareBytes(a.info.key, b.info.key));
}

export async function payloadSources(
  objects: ObjectStore,
  settings: ReversibilitySettings,
  tenantId: string,
  exportId: string,
): Promise<PayloadSources> {
  const problems: Problem[] = [];
  const files: SourcedFile[] = [];
  const stagingPrefix = exportKeys.stagingPrefix(tenantId, exportId);
  for (const info of await collect(objects, stagingPrefix)) {
    files.push({ path: info.key.slice(stagingPrefix.length), key: info.key, size: info.size, provided: false });
  }

  const sources = await listSourceFiles(objects, settings);
  const runbooks = sources.filter((s) => s.item === 'procedures');
  const { accepted, problems: runbookProblems } = validateRunbooks(
    runbooks.map((r) => ({ key: r.info.key, size: r.info.size, open: () => objects.open(r.info.key) })),
    settings.prefixes.procedures,
  );
  problems.push(...runbookProblems);
  const modified = new Map(runbooks.map((r) => [r.info.key, r.info.lastModified]));
  for (const r of accepted) {
    files.push({ path: r.path, key: r.key, size: r.size, lastModified: modified.get(r.key) ?? 0, provided: true });
  }

  for (const { item, info } of sources) {
    if (item === 'procedures') continue;
    const relative = info.key.slice(settings.prefixes[item].length).normalize('NFC');
    const path = `${ITEM_FOLDERS[item]}/${relative}`;
    const reason = unsafePathReason(path);
    if (reason !== undefined) {
      problems.push({ file: info.key, path: '', message: `cannot enter the dossier: its name ${reason}` });
      continue;
    }
    files.push({ path, key: info.key, size: info.size, lastModified: info.lastModified, provided: true });
  }

  files.sort((a, b) => compareBytes(a.path, b.path));
  for (let i = 1; i < files.length; i++) {
    if (files[i]!.path === files[i - 1]!.path) {
      problems.push({
        file: files[i]!.key,
        path: '',
        message: `two inputs map to the same dossier path data/${files[i]!.path}`,
      });
    }
  }
  return { files, problems };
}

/** Files and bytes per checklist item, from payload paths (root files such as checklist.md count for none). */
export function presenceOf(
  files: readonly { path: string; size: number }[],
): Partial<Record<ChecklistItemId, { files: number; bytes: number }>> {
  const presence: Partial<Record<ChecklistItemId, { files: number; bytes: number }>> = {};
  for (const f of files) {
    const item = itemOfPayloadPath(f.path);
    if (item === undefined) continue;
    const p = presence[item] ?? { files: 0, bytes: 0 };
    p.files++;
    p.bytes += f.size;
    presence[item] = p;
  }
  return presence;
}
