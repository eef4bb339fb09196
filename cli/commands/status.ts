import { currencyOf, formatMoney } from '#core/sla/money.ts';
import { type SlaSoFar, slaSoFar } from '#core/use-cases/sla-statement.ts';
import { type TenantStatus, tenantStatus } from '#core/use-cases/tenant-status.ts';
import { parseCommand } from '../args.ts';
import { openContext } from '../context.ts';
import { paint, table, write, writeJson } from '../output.ts';

export async function statusCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, {}, 0);
  const ctx = await openContext(values);
  const tenants: (TenantStatus & { sla: SlaSoFar | null })[] = [];
  try {
    for (const id of (await ctx.deps.strategies.listTenants()).sort()) {
      const status = await tenantStatus({ ...ctx.dossierDeps(), ...ctx.deps }, id, ctx.now());
      // The current period's standing so far (never stored), for tenants with a contract.
      tenants.push({ ...status, sla: await slaSoFar(ctx.slaDeps(), id, ctx.now()) });
    }
  } finally {
    await ctx.close();
  }
  if (values.json) writeJson({ tenants });
  else if (tenants.length === 0) write("no tenants yet: apply a strategy with 'reversa strategy apply <file>'");
  else
    write(
      table(
        [
          'tenant',
          'name',
          'strategy',
          'compliance',
          'findings',
          'last verified',
          'next deadline',
          'restore tests (30d)',
          'dossier',
          'SLA so far',
        ],
        tenants.map((t) => [
          t.id,
          t.name,
          t.strategyVersion === null ? '-' : `v${t.strategyVersion}`,
          t.compliancePercent === null
            ? 'never verified'
            : paint(t.compliancePercent === 100 ? 'green' : 'red', `${t.compliancePercent}%`),
          t.openFindings === null ? '-' : String(t.openFindings),
          t.lastVerifiedAt ?? '-',
          t.nextDeadline ?? '-',
          t.restoreTests.last30Days === 0
            ? 'none'
            : paint(
                t.restoreTests.failed === 0 ? 'green' : 'red',
                `${t.restoreTests.passed}/${t.restoreTests.last30Days} passed`,
              ),
          t.dossier.lastVersion === null
            ? t.dossier.readiness
            : paint(
                t.dossier.readiness === 'ready' ? 'green' : 'yellow',
                `v${t.dossier.lastVersion} ${t.dossier.readiness}`,
              ),
          t.sla === null
            ? '-'
            : paint(
                t.sla.levels.every((l) => l.met) ? 'green' : 'red',
                `${t.sla.period}: ${t.sla.levels.filter((l) => l.met).length}/${t.sla.levels.length} met, ${formatMoney(t.sla.total, currencyOf(t.sla.currency))}`,
              ),
        ]),
      ),
    );
  return tenants.some((t) => (t.openFindings ?? 0) > 0) ? 1 : 0;
}
