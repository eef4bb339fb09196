import { describe, expect, it } from 'vitest';
import { coverage, policyResources } from '#core/restore/coverage.ts';
import type { RestoreTestSummary } from '#core/restore/ports.ts';
import { parseStrategy } from '#core/strategy/parse.ts';
import { resolveResources } from '#core/strategy/resolve.ts';

const text = [
  'apiVersion: reversa/v1',
  'tenant: { id: acme, name: Acme }',
  'timezone: UTC',
  'defaults: { rpo: 24h, retention: 7d }',
  'resources:',
  '  - { locator: "files:a", source: generic }',
  '  - { locator: "files:b", source: generic }',
  '  - { locator: "restic:h:/x", source: restic }',
  'restoreTests:',
  '  policies:',
  '    - { name: archives, source: generic, runner: s3-archive, schedule: { every: 7d }, maxRto: 1h, coverage: 30d,',
  '        archive: { bucket: b, key: "k/{recoveryPointId}.tar" } }',
].join('\n');
const doc = parseStrategy(text, 's.yaml').document;
const { declared } = resolveResources(doc, []);
const TO = Date.parse('2026-06-30T00:00:00Z');
const DAY = 86_400_000;

function test(resourceId: string, daysAgo: number, outcome: RestoreTestSummary['outcome']): RestoreTestSummary {
  return {
    tenantId: 'acme',
    testId: `t-${resourceId}-${daysAgo}`,
    resourceId,
    policyName: 'archives',
    runner: 's3-archive',
    outcome,
    reason: '',
    scheduledAt: new Date(TO - daysAgo * DAY).toISOString(),
    startedAt: new Date(TO - daysAgo * DAY).toISOString(),
    rtoTargetMs: 3_600_000,
    rtoMet: true,
    strategyVersion: 1,
    evidenceKey: 'k',
  };
}

describe('restore-test coverage', () => {
  it('selects the resources of a policy by source', () => {
    expect(policyResources(doc.restoreTests!.policies![0]!, declared).map((r) => r.resourceId)).toEqual([
      'files:a',
      'files:b',
    ]);
  });

  it('covers a resource with a PASSED test inside the coverage period and reports the others', () => {
    const report = coverage(
      doc,
      declared,
      [test('files:a', 3, 'PASSED'), test('files:b', 2, 'FAILED'), test('files:b', 45, 'PASSED')],
      { from: TO - 365 * DAY, to: TO },
    );

    expect(report.entries.map((e) => [e.resourceId, e.status])).toEqual([
      ['files:a', 'COVERED'],
      ['files:b', 'NO_PASSING_TEST'],
    ]);
    expect(report.gaps.map((g) => g.resourceId)).toEqual(['files:b']);
    expect(report.entries[1]?.lastTest).toMatchObject({ outcome: 'FAILED' });
  });

  it('reports a resource never tested (no silent skip) — one day past its 30-day period counts as untested', () => {
    const report = coverage(doc, declared, [test('files:a', 31, 'PASSED')], { from: 0, to: TO });

    expect(report.entries.map((e) => e.status)).toEqual(['NOT_TESTED', 'NOT_TESTED']);
    expect(report.covered).toBe(0);
  });
});
