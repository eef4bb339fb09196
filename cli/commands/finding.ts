import { NotFoundError } from '#core/errors.ts';
import type { FindingStatus } from '#core/restore/ports.ts';
import { parseCommand, requireString, usageError } from '../args.ts';
import { paint, table, write, writeJson } from '../output.ts';
import { openTenantContext } from '../tenant.ts';

/**
 * Findings opened by failed restore tests. `update` records the provider's root cause and
 * corrective action (and closes the finding with --close); reports show them open or closed.
 */
export async function findingCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'list') return list(rest);
  if (sub === 'update') return update(rest);
  throw usageError(
    `'reversa finding' needs a subcommand: list --tenant <id>, update <finding-id> --tenant <id> [--root-cause …] [--corrective-action …] [--close|--reopen]`,
  );
}

async function list(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, { tenant: { type: 'string' }, status: { type: 'string' } }, 0);
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const status = values.status?.toUpperCase();
  if (status !== undefined && status !== 'OPEN' && status !== 'CLOSED')
    throw usageError('--status expects open or closed');
  const ctx = await openTenantContext(values, tenantId);
  try {
    const findings = await ctx.deps.findings.list(tenantId, status ? { status: status as FindingStatus } : {});
    if (values.json) writeJson({ tenantId, findings });
    else if (findings.length === 0) write(`no restore-test findings for tenant ${tenantId}`);
    else
      write(
        table(
          ['finding', 'status', 'resource', 'outcome', 'opened', 'root cause', 'corrective action'],
          findings.map((f) => [
            f.findingId,
            paint(f.status === 'OPEN' ? 'red' : 'green', f.status),
            f.resourceId,
            f.outcome,
            f.openedAt,
            f.rootCause ?? '-',
            f.correctiveAction ?? '-',
          ]),
        ),
      );
    return findings.some((f) => f.status === 'OPEN') ? 1 : 0;
  } finally {
    await ctx.close();
  }
}

async function update(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    {
      tenant: { type: 'string' },
      'root-cause': { type: 'string' },
      'corrective-action': { type: 'string' },
      close: { type: 'boolean' },
      reopen: { type: 'boolean' },
      author: { type: 'string' },
    },
    1,
  );
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const findingId = requireString(positionals[0], '<finding-id>');
  if (values.close && values.reopen) throw usageError('--close and --reopen are exclusive');
  const rootCause = values['root-cause'];
  const correctiveAction = values['corrective-action'];
  if (!rootCause && !correctiveAction && !values.close && !values.reopen) {
    throw usageError('nothing to update: give --root-cause, --corrective-action, --close or --reopen');
  }
  const ctx = await openTenantContext(values, tenantId);
  try {
    if (!(await ctx.deps.findings.get(tenantId, findingId))) {
      throw new NotFoundError(
        'FindingNotFound',
        `no finding '${findingId}' for tenant '${tenantId}' (see reversa finding list --tenant ${tenantId})`,
      );
    }
    const updated = await ctx.deps.findings.update(tenantId, findingId, {
      ...(rootCause ? { rootCause } : {}),
      ...(correctiveAction ? { correctiveAction } : {}),
      ...(values.close ? { status: 'CLOSED' as const } : values.reopen ? { status: 'OPEN' as const } : {}),
      updatedBy: values.author ? `${await ctx.actor()} (as ${values.author})` : await ctx.actor(),
      updatedAt: new Date(ctx.now()).toISOString(),
    });
    if (values.json) writeJson(updated);
    else
      write(
        `finding ${updated.findingId} is ${updated.status}${updated.rootCause ? `; root cause: ${updated.rootCause}` : ''}${updated.correctiveAction ? `; corrective action: ${updated.correctiveAction}` : ''}`,
      );
    return 0;
  } finally {
    await ctx.close();
  }
}
