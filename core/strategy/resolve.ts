import type { BackupSource, SeenResource } from '../model.ts';
import { effectivePolicy } from './effective.ts';
import type { DeclaredResource, EffectivePolicy } from './policy.ts';
import type { ResourceDeclaration, ResourceSelector, StrategyDocument } from './schema.ts';

export interface ResolvedResources {
  /** Declared resources: explicit ones (seen or not) in declaration order, then each selector's matches by locator. */
  declared: DeclaredResource[];
  /** Seen resources the strategy neither declares nor excludes: drift. Sorted by locator. */
  undeclared: SeenResource[];
  /** Locators of seen resources removed by an exclusion, sorted. */
  excluded: string[];
}

/** The source an explicit resource's locator implies when `source` is not written (see the locator conventions). */
export function sourceOfLocator(locator: string): BackupSource {
  if (locator.startsWith('arn:')) return 'aws-backup';
  if (locator.startsWith('restic:')) return 'restic';
  if (locator.startsWith('pgbackrest:')) return 'pgbackrest';
  return 'generic';
}

function byLocator(a: SeenResource, b: SeenResource): number {
  return a.resourceId < b.resourceId ? -1 : a.resourceId > b.resourceId ? 1 : 0;
}

export function selectorMatches(select: ResourceSelector, seen: SeenResource): boolean {
  if (seen.source !== select.source) return false;
  if (select.type !== undefined && seen.resourceType?.toLowerCase() !== select.type.toLowerCase()) return false;
  if (select.prefix !== undefined && !seen.resourceId.startsWith(select.prefix)) return false;
  if (select.tags !== undefined) {
    for (const [key, value] of Object.entries(select.tags)) {
      if (seen.tags?.[key] !== value) return false;
    }
  }
  return true;
}

/**
 * Expands the strategy over the resources the sources have reported. An explicit resource wins over
 * any selector; a resource two selectors match belongs to the first; excluded locators are neither
 * declared nor drift. Linear in seen × selectors, which stays fast for 10k resources.
 */
export function resolveResources(doc: StrategyDocument, seen: readonly SeenResource[]): ResolvedResources {
  const exclusions = new Set((doc.exclusions ?? []).map((e) => e.locator));
  const policies = new Map<ResourceDeclaration, EffectivePolicy>();
  const policyOf = (r: ResourceDeclaration, i: number) => {
    let policy = policies.get(r);
    if (!policy) {
      policy = effectivePolicy(doc.defaults, r, { file: '<strategy>', path: `resources[${i}]` });
      policies.set(r, policy);
    }
    return policy;
  };

  const declared: DeclaredResource[] = [];
  const taken = new Set<string>();
  doc.resources.forEach((r, i) => {
    if (r.locator === undefined || exclusions.has(r.locator) || taken.has(r.locator)) return;
    taken.add(r.locator);
    const resource: DeclaredResource = {
      resourceId: r.locator,
      name: r.name ?? r.locator,
      source: r.source ?? sourceOfLocator(r.locator),
      declaredBy: `resources[${i}]`,
      policy: policyOf(r, i),
    };
    if (r.type !== undefined) resource.resourceType = r.type;
    declared.push(resource);
  });

  const selectors = doc.resources.flatMap((r, i) => (r.select ? [{ r, i, select: r.select }] : []));
  const matches = selectors.map(() => [] as SeenResource[]);
  const undeclared: SeenResource[] = [];
  const excluded = new Set<string>();
  const sorted = [...seen].sort(byLocator);
  for (const s of sorted) {
    if (exclusions.has(s.resourceId)) {
      excluded.add(s.resourceId);
      continue;
    }
    if (taken.has(s.resourceId)) continue;
    const index = selectors.findIndex((sel) => selectorMatches(sel.select, s));
    if (index < 0) undeclared.push(s);
    else {
      matches[index]!.push(s);
      // The same locator reported twice (say, by two sources) is declared once.
      taken.add(s.resourceId);
    }
  }
  selectors.forEach(({ r, i }, k) => {
    for (const s of matches[k]!) {
      const resource: DeclaredResource = {
        resourceId: s.resourceId,
        name: r.name === undefined ? s.resourceId : `${r.name}: ${s.resourceId}`,
        source: s.source,
        declaredBy: `resources[${i}].select`,
        policy: policyOf(r, i),
      };
      if (s.resourceType !== undefined) resource.resourceType = s.resourceType;
      declared.push(resource);
    }
  });
  return { declared, undeclared: dedupe(undeclared), excluded: [...excluded] };
}

/** Keeps the first of several seen records with the same locator (already sorted by locator). */
function dedupe(resources: SeenResource[]): SeenResource[] {
  return resources.filter((r, i) => i === 0 || resources[i - 1]!.resourceId !== r.resourceId);
}
