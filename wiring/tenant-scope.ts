/**
 * Dependencies bound to one tenant. Every function that serves one tenant asks `forTenant(id)` for
 * its ports instead of holding ports that can address every tenant: that is where tenant-scoped
 * credentials (AWS) or tenant-bound stores (local cloud) plug in, in one place.
 */
import { ValidationError } from '#core/errors.ts';

export interface TenantScoped<D> {
  forTenant(tenantId: string): D;
}

/**
 * Memoises `build` per tenant: a warm Lambda container serving the same tenant again reuses its
 * clients (and their credentials cache). Bounded, so a container that sees many tenants does not
 * grow without limit; the least recently used tenant is dropped first.
 */
export function perTenant<D>(build: (tenantId: string) => D, capacity = 64): TenantScoped<D> {
  const cache = new Map<string, D>();
  return {
    forTenant(tenantId) {
      const hit = cache.get(tenantId);
      if (hit !== undefined) {
        cache.delete(tenantId);
        cache.set(tenantId, hit);
        return hit;
      }
      const built = build(tenantId);
      cache.set(tenantId, built);
      if (cache.size > capacity) cache.delete(cache.keys().next().value as string);
      return built;
    },
  };
}

/** The tenant a workflow step serves: `tenantId` at the top of its input, or in its execution `input`. */
export function tenantOfStepInput(event: unknown): string {
  const e = (event ?? {}) as { tenantId?: unknown; input?: { tenantId?: unknown } };
  const tenantId = e.tenantId ?? e.input?.tenantId;
  if (typeof tenantId !== 'string' || tenantId === '') {
    throw new ValidationError('NoTenantInInput', [
      { file: '<step input>', path: 'tenantId', message: 'expected the tenant id the step serves' },
    ]);
  }
  return tenantId;
}
