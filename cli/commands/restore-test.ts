import { NotFoundError } from '#core/errors.ts';
import type { RestoreTestEvidence } from '#core/restore/evidence.ts';
import type { RestoreTestSummary } from '#core/restore/ports.ts';
import { formatSpan } from '#core/time.ts';
import { runRestoreTestsNow } from '#core/use-cases/restore-test.ts';
import { parseCommand, parseTime, requireString, usageError } from '../args.ts';
import { paint, statusColour, table, write, writeJson } from '../output.ts';
import { openTenantContext } from '../tenant.ts';

export async function restoreTestCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'run') return run(rest);
  if (sub === 'list') return list(rest);
  if (sub === 'show') return show(rest);
  throw usageError(
    `'reversa restore-test' needs a subcommand: run --tenant <id> [--resource <id>], list --tenant <id>, show <test-id> --tenant <id>`,
  );
}

/** Restore times are often seconds: show them to the second, longer spans as core formats them. */
function span(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s` : formatSpan(ms);
}

function summaryRows(tests: RestoreTestSummary[]): string[][] {
  return tests.map((t) => [
    paint(statusColour(t.outcome), t.outcome),
    t.testId,
    t.resourceId,
    t.runner,
    t.rtoMs === undefined ? '-' : `${span(t.rtoMs)} / ${span(t.rtoTargetMs)}`,
    t.achievedRpoMs === undefined ? '-' : span(t.achievedRpoMs),
    t.startedAt,
    t.reason.length > 70 ? `${t.reason.slice(0, 69)}…` : t.reason,
  ]);
}
const HEADERS = ['outcome', 'test', 'resource', 'runner', 'RTO / target', 'achieved RPO', 'started', 'reason'];

/** Starts a test of every resource a policy selects (or one), now; waits for the results locally. */
async function run(argv: string[]): Promise<number> {
  const { values } = parseCommand(
    argv,
    { tenant: { type: 'string' }, resource: { type: 'string' }, at: { type: 'string' } },
    0,
  );
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const ctx = await openTenantContext(values, tenantId);
  try {
    const at = parseTime(values.at, '--at', ctx.now());
    const started = await runRestoreTestsNow(
      { strategies: ctx.deps.strategies, facts: ctx.deps.facts, starter: ctx.restoreTestStarter() },
      { tenantId, at, ...(values.resource ? { resourceId: values.resource } : {}) },
    );
    if (started.length === 0) {
      throw new NotFoundError(
        'NoRestorePolicy',
        `no restore-test policy of tenant '${tenantId}' selects ${values.resource ?? 'any resource'}`,
      );
    }
    const results = (await Promise.all(started.map((s) => ctx.deps.restoreTests.get(tenantId, s.testId)))).filter(
      (r): r is RestoreTestSummary => r !== undefined,
    );
    if (values.json) writeJson({ tenantId, started, results });
    else {
      if (ctx.target === 'aws')
        write(
          `started ${started.filter((s) => s.started).length} executions; follow them with 'reversa restore-test list'`,
        );
      if (results.length > 0) write(table(HEADERS, summaryRows(results)));
      const skipped = started.filter((s) => !s.started);
      if (skipped.length > 0)
        write(`\n${skipped.length} test(s) of this slot had already run: ${skipped.map((s) => s.testId).join(', ')}`);
    }
    return results.some((r) => r.outcome !== 'PASSED') ? 1 : 0;
  } finally {
    await ctx.close();
  }
}

async function list(argv: string[]): Promise<number> {
  const { values } = parseCommand(
    argv,
    { tenant: { type: 'string' }, resource: { type: 'string' }, limit: { type: 'string' } },
    0,
  );
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw usageError('--limit expects a positive whole number');
  const ctx = await openTenantContext(values, tenantId);
  try {
    const tests = await ctx.deps.restoreTests.list(tenantId, {
      limit,
      ...(values.resource ? { resourceId: values.resource } : {}),
    });
    if (values.json) writeJson({ tenantId, tests });
    else if (tests.length === 0)
      write(`no restore tests for tenant ${tenantId} yet: 'reversa restore-test run --tenant ${tenantId}'`);
    else write(table(HEADERS, summaryRows(tests)));
    return 0;
  } finally {
    await ctx.close();
  }
}

async function show(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { tenant: { type: 'string' } }, 1);
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const testId = requireString(positionals[0], '<test-id>');
  const ctx = await openTenantContext(values, tenantId);
  try {
    const summary = await ctx.deps.restoreTests.get(tenantId, testId);
    if (!summary)
      throw new NotFoundError('RestoreTestNotFound', `no restore test '${testId}' for tenant '${tenantId}'`);
    const evidence = JSON.parse(await ctx.deps.blobs.getText(summary.evidenceKey)) as RestoreTestEvidence;
    if (values.json) {
      writeJson({ summary, evidence });
      return 0;
    }
    const iso = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString());
    write(`${paint(statusColour(evidence.outcome), evidence.outcome)} ${evidence.testId} — ${evidence.reason}`);
    write(
      `resource      ${evidence.resourceId} (policy ${evidence.policyName}, runner ${evidence.runner}, strategy v${evidence.strategyVersion.version})`,
    );
    if (evidence.recoveryPoint) {
      write(
        `recovery pt   ${evidence.recoveryPoint.id} created ${iso(evidence.recoveryPoint.createdAt)} (achieved RPO ${span(evidence.recoveryPoint.achievedRpoMs)})`,
      );
    }
    write(`sandbox       ${evidence.sandbox}`);
    write(`restore       ${iso(evidence.restore?.startedAt)} → ${iso(evidence.restore?.endedAt)}`);
    write(`validation    ${iso(evidence.validation?.startedAt)} → ${iso(evidence.validation?.endedAt)}`);
    write(
      `RTO           ${evidence.rto.achievedMs === undefined ? 'not measured' : span(evidence.rto.achievedMs)} against ${evidence.rto.targetText} (${evidence.rto.met ? 'met' : 'NOT met'})`,
    );
    write(
      `sample        ${evidence.sample.selected} of ${evidence.sample.of} (${evidence.sample.mode}${evidence.sample.value === undefined ? '' : ` ${evidence.sample.value}`})`,
    );
    write('\nchecks:');
    for (const c of evidence.checks) {
      write(`  ${paint(statusColour(c.status), c.status.padEnd(6))} ${c.name}: ${c.message}`);
      for (const [label, list] of [
        ['missing', c.missing],
        ['extra', c.extra],
        ['changed', c.changed],
        ['unreadable', c.unreadable],
      ] as const) {
        if (list && list.count > 0)
          write(`           ${label} (${list.count}): ${list.names.join(', ')}${list.truncated ? ', …' : ''}`);
      }
    }
    const cl = evidence.cleanup;
    write(
      `\ncleanup       ${cl.result}: ${cl.removed} removed, ${cl.remaining} remaining in ${cl.target} at ${iso(cl.endedAt)}${cl.message ? ` (${cl.message})` : ''}`,
    );
    return evidence.outcome === 'PASSED' ? 0 : 1;
  } finally {
    await ctx.close();
  }
}
