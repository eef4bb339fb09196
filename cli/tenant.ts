/**
 * A `--tenant` the CLI acts on must exist: a mistyped tenant is the user's mistake (exit 2, naming
 * the tenants that do exist), not an internal error surfacing from deep inside a workflow.
 */
import { NotFoundError, ValidationError } from '#core/errors.ts';
import type { StrategyStore } from '#core/ports.ts';
import { type CliContext, openContext } from './context.ts';

const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const LISTED = 20;

export async function requireKnownTenant(
  strategies: Pick<StrategyStore, 'getCurrent' | 'listTenants'>,
  tenantId: string,
) {
  if (!TENANT_ID.test(tenantId)) {
    throw new ValidationError('BadTenantId', [
      {
        file: '<command line>',
        path: '--tenant',
        message: `expected a tenant id matching ^[a-z0-9][a-z0-9-]{0,62}$, got ${JSON.stringify(tenantId.slice(0, 80))}`,
      },
    ]);
  }
  if (await strategies.getCurrent(tenantId)) return;
  const known = (await strategies.listTenants()).sort();
  const list =
    known.length === 0
      ? 'no tenant has a strategy yet (reversa strategy apply <file>)'
      : `known tenants: ${known.slice(0, LISTED).join(', ')}${known.length > LISTED ? `, … (${known.length} in all)` : ''}`;
  throw new NotFoundError('UnknownTenant', `no tenant '${tenantId}': ${list}`);
}

/** openContext, then the tenant check; the context is closed again when the tenant is unknown. */
export async function openTenantContext(
  options: { stack?: string | undefined; region?: string | undefined },
  tenantId: string,
): Promise<CliContext> {
  const ctx = await openContext(options);
  try {
    await requireKnownTenant(ctx.deps.strategies, tenantId);
    return ctx;
  } catch (error) {
    await ctx.close();
    throw error;
  }
}
