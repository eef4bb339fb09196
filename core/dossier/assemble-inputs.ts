/**
 * The inputs of a dossier, read the same way by the export (which records their fingerprint in
 * the published version) and by readiness (which recomputes it to tell whether that version is
 * stale): the strategy, the inventory, the provider's files, the secret references (never values)
 * and the newest restore-test evidence.
 */

import { createHash } from 'node:crypto';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { FactStore, StoredStrategyVersion, StrategyStore } from '../ports.ts';
import type { RestoreTestStore, RestoreTestSummary } from '../restore/ports.ts';
import type { SecretSource } from '../secrets/ports.ts';
import type { Duration } from '../strategy/policy.ts';
import type { StrategyDocument } from '../strategy/schema.ts';
import { parseStoredStrategy } from '../strategy/stored.ts';
import { exportKeys, listSourceFiles } from './assemble-sources.ts';
import {
  buildInventory,
  type InventoryAsset,
  type InventoryDocument,
  MAX_INVENTORY_BYTES,
  mergeAssets,
  parseInventory,
  renderInventoryJson,
} from './contents/inventory.ts';
import { type ReversibilitySettings, resolveReversibility } from './contents/settings.ts';
import type { ObjectStore } from './ports.ts';
import { canonicalJson, type InputsFingerprint, inputsFingerprint, type SecretRef } from './readiness.ts';

export interface DossierInputDeps {
  strategies: Pick<StrategyStore, 'getCurrent'>;
  facts: Pick<FactStore, 'listSeenResources'>;
  /** The data bucket, binary: inventory imports, provider files, staging. */
  objects: ObjectStore;
  secrets: SecretSource;
  restoreTests: Pick<RestoreTestStore, 'list'>;
  /** Optional discovery of the tenant's tagged cloud resources (Resource Groups Tagging API in AWS). */
  discover?: (tenantId: string) => Promise<InventoryAsset[]>;
}

export interface LoadedStrategy {
  stored: StoredStrategyVersion;
  document: StrategyDocument;
  settings: ReversibilitySettings;
}

export async function loadTenantStrategy(
  strategies: Pick<StrategyStore, 'getCurrent'>,
  tenantId: string,
  /** The current version when the caller has just read it (status reads it once for everything it shows). */
  current?: Promise<StoredStrategyVersion | undefined>,
): Promise<LoadedStrategy> {
  const stored = await (current ?? strategies.getCurrent(tenantId));
  if (!stored) {
    throw new NotFoundError('StrategyNotFound', `tenant ${tenantId} has no strategy: apply one before exporting`);
  }
  const { document } = parseStoredStrategy(stored);
  return { stored, document, settings: resolveReversibility(document.reversibility, tenantId) };
}

const UNIT_MS: Record<Duration['unit'], number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

/** Approximate length of a duration (calendar units as 24 h days): used for look-back windows only. */
export function durationMs(d: Duration): number {
  return d.amount * UNIT_MS[d.unit];
}

/**
 * The tenant's asset registry: every CSV/JSON file under inventory/<tenant>/, plus discovered
 * resources, joined with the strategy. Undefined when there is no asset at all (the checklist then
 * reports the inventory missing rather than delivering an empty one).
 */
export async function loadInventory(
  deps: Pick<DossierInputDeps, 'objects' | 'facts' | 'discover'>,
  tenantId: string,
  document: StrategyDocument,
): Promise<InventoryDocument | undefined> {
  const lists: InventoryAsset[][] = [];
  const prefix = exportKeys.inventoryPrefix(tenantId);
  for await (const o of deps.objects.list(prefix)) {
    const lower = o.key.toLowerCase();
    if (!lower.endsWith('.csv') && !lower.endsWith('.json')) continue;
    if (o.size > MAX_INVENTORY_BYTES) {
      throw new ValidationError('InventoryTooLarge', [
        { file: o.key, path: '', message: `expected at most ${MAX_INVENTORY_BYTES} bytes, got ${o.size}` },
      ]);
    }
    const text = (await deps.objects.getBytes(o.key, MAX_INVENTORY_BYTES)).toString('utf8');
    lists.push(parseInventory(text, o.key));
  }
  if (deps.discover) lists.push(await deps.discover(tenantId));
  const assets = mergeAssets(...lists);
  if (assets.length === 0) return undefined;
  const seen = await deps.facts.listSeenResources(tenantId);
  return buildInventory({ tenantId, assets, strategy: document, seen });
}

/** Secret references only (names, versions, change times): listing never reads a value. */
export async function listSecretRefs(source: SecretSource, tenantId: string): Promise<SecretRef[]> {
  const refs: SecretRef[] = [];
  for await (const r of source.list(tenantId)) {
    refs.push({ name: r.name, version: r.version ?? '', lastChangedAt: r.lastChangedAt ?? 0 });
  }
  return refs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Identifies the newest restore test: a new test (or a re-recorded one) changes it. */
export function restoreEvidenceHeadOf(newest: RestoreTestSummary | undefined): string | undefined {
  if (newest === undefined) return undefined;
  const { testId, startedAt, outcome, evidenceKey, auditSeq } = newest;
  return createHash('sha256')
    .update(canonicalJson({ testId, startedAt, outcome, evidenceKey, auditSeq }))
    .digest('hex');
}

export interface CurrentInputs {
  strategy: LoadedStrategy;
  inventory: InventoryDocument | undefined;
  inventoryJson: string | undefined;
  secrets: SecretRef[];
  fingerprint: InputsFingerprint;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export interface CurrentInputsOptions {
  /** The tenant's current strategy version, already being read by the caller: not read twice. */
  strategy?: Promise<StoredStrategyVersion | undefined>;
  /** The tenant's newest restore tests, newest first, already being read by the caller. */
  newestTests?: Promise<RestoreTestSummary[]>;
}

export async function currentInputs(
  deps: DossierInputDeps,
  tenantId: string,
  options: CurrentInputsOptions = {},
): Promise<CurrentInputs> {
  const strategy = await loadTenantStrategy(deps.strategies, tenantId, options.strategy);
  // Independent reads, side by side: readiness is asked for on every status and dashboard view.
  const [inventory, sources, secrets, [newestTest]] = await Promise.all([
    loadInventory(deps, tenantId, strategy.document),
    listSourceFiles(deps.objects, strategy.settings),
    listSecretRefs(deps.secrets, tenantId),
    options.newestTests ?? deps.restoreTests.list(tenantId, { limit: 1 }),
  ]);
  const inventoryJson = inventory === undefined ? undefined : renderInventoryJson(inventory);
  const ref = (s: (typeof sources)[number]) => ({
    key: s.info.key,
    ...(s.info.etag === undefined ? {} : { etag: s.info.etag }),
    lastModified: s.info.lastModified,
  });
  const head = restoreEvidenceHeadOf(newestTest);
  const fingerprint = inputsFingerprint({
    strategySha256: strategy.stored.contentSha256,
    inventorySha256: sha256(inventoryJson ?? ''),
    configurations: sources.filter((s) => s.item !== 'procedures').map(ref),
    procedures: sources.filter((s) => s.item === 'procedures').map(ref),
    secrets,
    ...(head === undefined ? {} : { restoreEvidenceHead: head }),
  });
  return { strategy, inventory, inventoryJson, secrets, fingerprint };
}
