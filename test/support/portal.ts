/**
 * A running portal for tests: a local cloud with two tenants (acme and globex) seeded with real
 * history — a strategy, daily facts, three verify runs from its ASL file (a week apart), restore tests (one failed, with
 * its finding), audit entries, a published dossier, the previous month's SLA statement (the example
 * strategy's contract) — users of every role (and an auditor whose
 * window has ended) with tokens, and `reversa serve`'s HTTP server on a random port.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { API_ROUTES } from '#api/api.ts';
import { apiHandler } from '#api/handle.ts';
import type { ApiDeps } from '#api/ports.ts';
import type { Role } from '#core/identity/roles.ts';
import type { PortalUser } from '#core/identity/users.ts';
import type { RestoreTestEvidence } from '#core/restore/evidence.ts';
import { SecretValue } from '#core/secrets/secret-value.ts';
import { recordInAuditLog } from '#core/use-cases/audit-trail.ts';
import { requestExport } from '#core/use-cases/dossier-export.ts';
import { slaStatement } from '#core/use-cases/sla-statement.ts';
import { runExport } from '#local/export-runner.ts';
import { servePortal } from '#local/serve.ts';
import { runVerify } from '#local/verify-runner.ts';
import { localApiDeps, localTokenIssuer, localUserDirectory } from '#wiring/local/api.ts';
import { localTenantWiring } from '#wiring/local/tenants.ts';
import { slaDepsOf } from '#wiring/sla.ts';
import { type CloudFixture, startTestCloud } from './local-cloud.ts';
import { applyStrategy, DAY, dailyFacts, HOUR, type SettableClock, settableClock } from './verify-fixtures.ts';

export const TENANTS = ['acme', 'globex'] as const;
export const PASSWORD = 'correct horse battery staple';

export interface PortalUserFixture extends PortalUser {
  token: string;
}

export interface PortalFixture {
  url: string;
  cloud: CloudFixture;
  deps: ApiDeps;
  clock: SettableClock;
  handler: ReturnType<typeof apiHandler>;
  users: Record<'admin' | 'operator' | 'client' | 'auditor' | 'expiredAuditor' | 'globexClient', PortalUserFixture>;
  /** Tokens for attacks: expired, signed by another key. */
  tokens: { expired: string; otherKey: string };
  stop(): Promise<void>;
}

async function strategyFor(tenantId: string, recipient: string): Promise<string> {
  const text = await readFile(new URL('../../examples/acme.strategy.yaml', import.meta.url), 'utf8');
  return text
    .replace('id: acme', `id: ${tenantId}`)
    .replace(/name: ACME Industries/, `name: ${tenantId === 'acme' ? 'ACME Industries' : 'Globex Corporation'}`)
    .replace('reference: MSA-ACME-2026-01', `reference: MSA-${tenantId.toUpperCase()}-2026-01`)
    .replace(/^reversibility:\n/m, `reversibility:\n  successorRecipients:\n    - ${recipient}\n`);
}

/** An evidence record shaped like the runners' (core/restore/evidence.ts), for the evidence pages. */
function evidenceRecord(
  tenantId: string,
  testId: string,
  outcome: 'PASSED' | 'FAILED',
  startedAt: number,
  rtoMs: number,
) {
  const changed = outcome === 'FAILED' ? [`projects/budget-${tenantId}.csv`] : [];
  const record: RestoreTestEvidence = {
    schemaVersion: 1,
    testId,
    tenantId,
    resourceId: 'nas://filer-01/projects',
    policyName: 'nas-weekly',
    runner: 's3-archive',
    strategyVersion: { version: 1, contentSha256: 'a'.repeat(64) },
    scheduledAt: startedAt,
    recoveryPoint: { id: `archive-${testId}.tar`, createdAt: startedAt - 6 * HOUR, achievedRpoMs: 6 * HOUR },
    sample: { mode: 'all', selected: 3, of: 3 },
    sandbox: `sandbox/${tenantId}/${testId}/`,
    restore: { startedAt, endedAt: startedAt + rtoMs - 10_000 },
    validation: { startedAt: startedAt + rtoMs - 10_000, endedAt: startedAt + rtoMs },
    rto: { achievedMs: rtoMs, targetMs: 1_800_000, targetText: '30m', met: true },
    checks: [
      {
        name: 'checksums',
        status: outcome,
        message: `3 of 3 sampled files read back, ${3 - changed.length} match the manifest`,
        counts: { expected: 3, compared: 3, bytes: 154, matched: 3 - changed.length },
        changed: { count: changed.length, names: changed, truncated: false },
      },
    ],
    cleanup: {
      target: `sandbox/${tenantId}/${testId}/`,
      startedAt: startedAt + rtoMs,
      endedAt: startedAt + rtoMs + 1_000,
      removed: 3,
      remaining: 0,
      result: 'CLEANED',
    },
    outcome,
    reason: outcome === 'PASSED' ? 'all 3 checks passed' : `1 changed: projects/budget-${tenantId}.csv`,
  };
  return record;
}

export async function seedPortalTenant(
  cloud: CloudFixture,
  clock: SettableClock,
  tenantId: string,
  recipient: string,
  at: number,
  options: { verifyRuns?: number } = {},
) {
  const provider = cloud.adapters;
  const tenants = localTenantWiring(cloud.cloud, clock);
  const ports = tenants.dossiers.forTenant(tenantId);
  const own = tenants.adapters.forTenant(tenantId);
  await applyStrategy(provider.strategies, await strategyFor(tenantId, recipient), at - 30 * DAY, 'acme.strategy.yaml');
  await own.facts.putFacts(dailyFacts(tenantId, 'nas://filer-01/projects', 10, at - 2 * HOUR));
  // Verification runs a week apart, oldest first (the last, at `at`, is the latest report): compliance over time.
  const runs = options.verifyRuns ?? 1;
  for (let i = runs - 1; i >= 0; i--) {
    const runAt = at - i * 7 * DAY;
    await runVerify(
      tenants.adapters.forTenant(tenantId),
      { tenantId, at: new Date(runAt).toISOString() },
      { zeroWaits: true },
    );
  }
  for (const [i, outcome] of (['PASSED', 'PASSED', 'FAILED'] as const).entries()) {
    const testId = `rt-${tenantId}-${i}`;
    const startedAt = new Date(at - (3 - i) * DAY).toISOString();
    const evidenceKey = `restore-tests/${tenantId}/${testId}.json`;
    await own.blobs.putText(
      evidenceKey,
      JSON.stringify(evidenceRecord(tenantId, testId, outcome, Date.parse(startedAt), 40_000 + i * 20_000)),
    );
    const { seq } = await recordInAuditLog(ports.audit, tenantId, {
      type: 'restore-test',
      record: { testId, outcome },
      summary: { testId, outcome },
      time: Date.parse(startedAt),
    });
    await own.restoreTests.put({
      tenantId,
      testId,
      resourceId: 'nas://filer-01/projects',
      policyName: 'nas-weekly',
      runner: 's3-archive',
      outcome,
      reason: outcome === 'PASSED' ? 'all 3 checks passed' : `1 changed: projects/budget-${tenantId}.csv`,
      scheduledAt: startedAt,
      startedAt,
      rtoMs: 40_000 + i * 20_000,
      rtoTargetMs: 1_800_000,
      rtoMet: true,
      strategyVersion: 1,
      evidenceKey,
      auditSeq: seq,
    });
    if (outcome === 'FAILED') {
      await own.findings.open({
        tenantId,
        findingId: `finding-${testId}`,
        testId,
        resourceId: 'nas://filer-01/projects',
        outcome,
        summary: `restore test FAILED: 1 changed: projects/budget-${tenantId}.csv`,
        openedAt: startedAt,
        status: 'OPEN',
      });
    }
  }
  await ports.objects.put(`config/${tenantId}/firewall.json`, '{"rules":[]}\n');
  await ports.objects.put(`config/${tenantId}/security/waf.json`, '{"waf":"on"}\n');
  await ports.objects.put(`config/${tenantId}/access-rights/iam.csv`, 'user,role\nalice,admin\n');
  await ports.objects.put(`procedures/${tenantId}/restore-nas.md`, '# Restore the NAS\n');
  await ports.objects.put(
    `inventory/${tenantId}/assets.csv`,
    'id,type,name,owner,criticality,locators\r\nnas-01,nas,Projects filer,ops@example.com,high,nas://filer-01/projects\r\n',
  );
  const secrets = ports.secrets as import('#adapters/local/local-secret-store.ts').LocalSecretStore;
  await secrets.put(tenantId, 'orders-db-admin', SecretValue.fromUtf8(`secret-of-${tenantId}`));
  const request = await requestExport(ports, { tenantId, requestedBy: 'seed@provider.example', now: at });
  const exported = await runExport(ports, request.input, { zeroWaits: true });
  if (exported.status !== 'SUCCEEDED')
    throw new Error(`seed export of ${tenantId}: ${exported.error} ${exported.cause}`);
  // The previous month's statement, as the monthly schedule issues it (its events are not the portal's to test).
  const { events: _events, ...slaDeps } = slaDepsOf(own, ports.dossiers);
  await slaStatement(slaDeps, { tenantId, period: previousMonth(at), now: at, issuedBy: 'seed@provider.example' });
}

/**
 * `2026-10` for a time in November 2026, by UTC month: closed whatever the hour, for a tenant zone at or ahead of
 * UTC (the example strategy's Europe/Paris).
 */
export function previousMonth(at: number): string {
  const d = new Date(at);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 15)).toISOString().slice(0, 7);
}

export async function startPortal(options: { at?: number } = {}): Promise<PortalFixture> {
  const at = options.at ?? Date.parse('2026-11-20T10:00:00Z');
  const clock = settableClock(at);
  const cloud = await startTestCloud({ label: 'portal', clock });
  const identityFile = join(cloud.root, 'successor.txt');
  execFileSync('age-keygen', ['-o', identityFile], { stdio: 'ignore' });
  const recipient = execFileSync('age-keygen', ['-y', identityFile], { encoding: 'utf8' }).trim();
  for (const tenant of TENANTS) await seedPortalTenant(cloud, clock, tenant, recipient, at, { verifyRuns: 3 });

  const directory = localUserDirectory(cloud.cloud);
  const issuer = localTokenIssuer(cloud.cloud);
  const make = async (email: string, role: Role, tenants: string[], accessUntil?: number) => {
    const user = await directory.add(
      {
        email,
        role,
        tenants,
        ...(accessUntil === undefined ? {} : { accessUntil: new Date(accessUntil).toISOString() }),
      },
      SecretValue.fromUtf8(PASSWORD),
      at,
    );
    const { token } = await issuer.issue(user, clock.now());
    return { ...user, token };
  };
  const users = {
    admin: await make('admin@provider.example', 'provider-admin', []),
    operator: await make('ops@provider.example', 'provider-operator', ['acme']),
    client: await make('it@acme.example', 'client', ['acme']),
    auditor: await make('auditor@firm.example', 'auditor', ['acme'], at + 30 * DAY),
    expiredAuditor: await make('former@firm.example', 'auditor', ['acme'], at + HOUR),
    globexClient: await make('it@globex.example', 'client', ['globex']),
  };
  // The expired auditor's token is valid as a token (its exp is the window's end), only the window refuses it.
  const expired = (await issuer.issue(users.client, at - 2 * DAY)).token;
  const { LocalTokenIssuer } = await import('#adapters/local/local-token-issuer.ts');
  const stranger = new LocalTokenIssuer({ keyDir: join(cloud.root, 'stranger-key'), issuer: issuer.issuer });
  const otherKey = (await stranger.issue(users.client, at)).token;

  const deps = localApiDeps(cloud.cloud, { clock });
  const handler = apiHandler(API_ROUTES, deps);
  const webRoot = new URL('../../web/dist/', import.meta.url).pathname;
  const { existsSync } = await import('node:fs');
  const portal = await servePortal({ handler, port: 0, ...(existsSync(webRoot) ? { webRoot } : {}) });
  return {
    url: portal.url,
    cloud,
    deps,
    clock,
    handler,
    users,
    tokens: { expired, otherKey },
    async stop() {
      await portal.close();
      await cloud.stop();
    },
  };
}
