import { parseStrategy } from '#core/strategy/parse.ts';
import { parseCommand } from '../args.ts';
import { openContext } from '../context.ts';
import { paint, table, write, writeJson } from '../output.ts';

export interface TenantStatus {
  id: string;
  name: string;
  strategyVersion: number | null;
  compliancePercent: number | null;
  lastVerifiedAt: string | null;
  openFindings: number | null;
  newFindings: number | null;
  nextDeadline: string | null;
  /** New facts arrived since the last verification. */
  pendingFacts: boolean;
  /** Filled by the restore-test and reversibility capabilities. */
  restoreTests: null;
  dossier: null;
}

export async function statusCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, {}, 0);
  const ctx = await openContext(values);
  const tenants: TenantStatus[] = [];
  try {
    for (const id of (await ctx.deps.strategies.listTenants()).sort()) {
      const [strategy, latest, state] = await Promise.all([
        ctx.deps.strategies.getCurrent(id),
        ctx.deps.reports.getLatest(id),
        ctx.deps.tenants.get(id),
      ]);
      let name = id;
      if (strategy) {
        try {
          name = parseStrategy(strategy.source, strategy.fileName).document.tenant.name;
        } catch {
          // A stored version always validated when applied; a schema change since must not break status.
        }
      }
      tenants.push({
        id,
        name,
        strategyVersion: strategy?.version ?? null,
        compliancePercent: latest?.compliancePercent ?? null,
        lastVerifiedAt: latest?.evaluatedAt ?? null,
        openFindings: latest?.counts.findings ?? null,
        newFindings: latest?.newFindings ?? null,
        nextDeadline: latest?.nextDeadline ?? null,
        pendingFacts: state?.dirtySince !== undefined,
        restoreTests: null,
        dossier: null,
      });
    }
  } finally {
    await ctx.close();
  }
  if (values.json) writeJson({ tenants });
  else if (tenants.length === 0) write("no tenants yet: apply a strategy with 'reversa strategy apply <file>'");
  else
    write(
      table(
        ['tenant', 'name', 'strategy', 'compliance', 'findings', 'last verified', 'next deadline'],
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
        ]),
      ),
    );
  return tenants.some((t) => (t.openFindings ?? 0) > 0) ? 1 : 0;
}
