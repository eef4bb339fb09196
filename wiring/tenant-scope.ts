/**
 * Dependencies bound to one tenant (core/tenancy/scoped.ts): built once per tenant and reused, and
 * the tenant a workflow step serves. Tenant-scoped credentials (AWS) or tenant-bound clients (local
 * cloud) plug in through the `build` functions of the wiring factories.
 */
import { ValidationError } from '#core/errors.ts';
import type { TenantScoped } from '#core/tenancy/scoped.ts';

export type { TenantScoped };

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
