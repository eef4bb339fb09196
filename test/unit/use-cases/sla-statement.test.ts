import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '#core/audit/canonical.ts';
import type { Signer } from '#core/audit/ports.ts';
import type { StoredStrategyVersion } from '#core/ports.ts';
import type { RestoreTestSummary } from '#core/restore/ports.ts';
import { type SlaStatementDeps, slaStatement, statementVersions } from '#core/use-cases/sla-statement.ts';
import { MemoryFindingStore } from '../../support/memory-findings.ts';
import { MemoryAuditStore, MemoryBlobStore } from '../audit/memory.ts';

const STRATEGY = `apiVersion: reversa/v1
tenant: { id: acme, name: ACME }
timezone: Europe/Paris
defaults: { rpo: 24h, retention: 7d }
resources:
  - { locator: nas://filer/projects, source: generic }
contract:
  reference: MSA-1
  start: 2026-01-01
  currency: EUR
  monthlyFee: 1000
  measurementPeriod: month
  levels:
    restoreTests: { target: 100, penalty: { perBreach: 10 } }
`;

function signer(): Signer & { pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { pem, sign: async (m) => sign('sha256', m, privateKey), publicKeyPem: async () => pem };
}

function world() {
  const tests: RestoreTestSummary[] = [];
  const stored: StoredStrategyVersion = {
    tenantId: 'acme',
    version: 1,
    contentSha256: 'x'.repeat(64),
    appliedAt: 0,
    author: 't',
    source: STRATEGY,
    fileName: 'acme.yaml',
  };
  const blobs = new MemoryBlobStore();
  const key = signer();
  const deps: SlaStatementDeps = {
    strategies: { getCurrent: async () => stored },
    facts: { listSeenResources: async () => [] },
    reports: { listReports: async () => [] },
    blobs,
    restoreTests: { list: async () => tests },
    findings: new MemoryFindingStore(),
    dossiers: { list: async () => [] },
    audit: { store: new MemoryAuditStore(), blobs: new MemoryBlobStore(), signer: key },
  };
  return { deps, tests, key };
}

const test = (testId: string, at: string, outcome: 'PASSED' | 'FAILED'): RestoreTestSummary => ({
  tenantId: 'acme',
  testId,
  resourceId: 'nas://filer/projects',
  policyName: 'manual',
  runner: 's3-archive',
  outcome,
  reason: outcome,
  scheduledAt: at,
  startedAt: at,
  rtoTargetMs: 60_000,
  rtoMet: true,
  strategyVersion: 1,
  evidenceKey: `restore-tests/acme/${testId}.json`,
  auditSeq: 1,
});

const DEC = Date.parse('2026-12-02T00:00:00Z');

describe('issuing an SLA statement', () => {
  it('stores, signs and logs a closed period once, and a correction as a new version naming what changed', async () => {
    const { deps, tests, key } = world();
    tests.push(test('rt-1', '2026-11-10T05:00:00Z', 'PASSED'));

    const first = await slaStatement(deps, { tenantId: 'acme', period: '2026-11', now: DEC, issuedBy: 'ops' });
    const again = await slaStatement(deps, { tenantId: 'acme', period: '2026-11', now: DEC + 1000, issuedBy: 'ops' });
    tests.push(test('rt-2', '2026-11-20T05:00:00Z', 'FAILED'));
    const corrected = await slaStatement(deps, {
      tenantId: 'acme',
      period: '2026-11',
      now: DEC + 2000,
      issuedBy: 'ops',
    });

    expect([first.created, again.created, corrected.created]).toEqual([true, false, true]);
    expect([first.record?.version, again.record?.version, corrected.record?.version]).toEqual([1, 1, 2]);
    expect(corrected.record?.supersedes).toBe(1);
    expect(corrected.record?.changes).toEqual([
      'restore-tests: achieved 100% → 50%, now missed, breaches 0 → 1, penalty 0.00 EUR → 10.00 EUR',
      'total 0.00 EUR → 10.00 EUR',
    ]);
    expect(await statementVersions(deps, 'acme', '2026-11')).toEqual([1, 2]);
    const signature = Buffer.from(corrected.record!.signature, 'base64');
    const body = Buffer.from(canonicalJson(corrected.statement), 'utf8');
    expect(verify('sha256', body, createPublicKey(key.pem), signature)).toBe(true);
    const entries: string[] = [];
    for await (const e of deps.audit.store.listEntries('acme', 1)) entries.push(e.body);
    expect(entries.map((b) => JSON.parse(b)).map((e) => [e.type, e.summary.version])).toEqual([
      ['sla-statement', 1],
      ['sla-statement', 2],
    ]);
  });

  it('gives the standing so far of a period not over, and stores nothing', async () => {
    const { deps } = world();

    const standing = await slaStatement(deps, {
      tenantId: 'acme',
      period: '2026-12',
      now: Date.parse('2026-12-10T00:00:00Z'),
      issuedBy: 'ops',
    });

    expect(standing.issued).toBe(false);
    expect(standing.statement.measuredTo).toBe('2026-12-10T00:00:00.000Z');
    expect(await statementVersions(deps, 'acme', '2026-12')).toEqual([]);
    expect(standing.html).toContain('standing so far, not issued');
  });
});
