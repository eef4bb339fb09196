import { parseStrategy } from '#core/strategy/parse.ts';
import { dossierReadiness } from '#core/use-cases/dossier-readiness.ts';
import { parseCommand } from '../args.ts';
import { type CliContext, openContext } from '../context.ts';
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
  restoreTests: {
    /** Tests recorded in the last 30 days. */
    last30Days: number;
    passed: number;
    failed: number;
    lastOutcome: string | null;
    lastTestAt: string | null;
    openFindings: number;
  };
  dossier: {
    /** ready: the latest version reflects today's inputs; stale: something changed since; never-exported. */
    readiness: string;
    changed: string[];
    lastVersion: number | null;
    lastExportedAt: string | null;
  };
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
        restoreTests: await restoreTestStatus(ctx, id),
        dossier: await dossierStatus(ctx, id),
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
        ]),
      ),
    );
  return tenants.some((t) => (t.openFindings ?? 0) > 0) ? 1 : 0;
}

const DAY = 86_400_000;

export async function restoreTestStatus(ctx: CliContext, tenantId: string): Promise<TenantStatus['restoreTests']> {
  const from = new Date(ctx.now() - 30 * DAY).toISOString();
  const [tests, open] = await Promise.all([
    ctx.deps.restoreTests.list(tenantId, { from, limit: 1000 }),
    ctx.deps.findings.list(tenantId, { status: 'OPEN' }),
  ]);
  return {
    last30Days: tests.length,
    passed: tests.filter((t) => t.outcome === 'PASSED').length,
    failed: tests.filter((t) => t.outcome !== 'PASSED').length,
    lastOutcome: tests[0]?.outcome ?? null,
    lastTestAt: tests[0]?.startedAt ?? null,
    openFindings: open.length,
  };
}

export async function dossierStatus(ctx: CliContext, tenantId: string): Promise<TenantStatus['dossier']> {
  const r = await dossierReadiness(ctx.dossierDeps(), tenantId, ctx.now());
  return {
    readiness: r.status,
    changed: r.changed,
    lastVersion: r.lastVersion ?? null,
    lastExportedAt: r.lastExportedAt === undefined ? null : new Date(r.lastExportedAt).toISOString(),
  };
}
