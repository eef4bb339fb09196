import { describe, expect, it } from 'vitest';
import { type DossierReadiness, staleEvent } from '#core/use-cases/dossier-readiness.ts';
import { findingEvents } from '#core/use-cases/verify.ts';
import type { Finding } from '#core/verify/report-types.ts';

const finding = (ruleId: string, openedAt = '2026-11-02T10:00:00.000Z'): Finding => ({
  findingId: `db-1#${ruleId}`,
  resourceId: 'db-1',
  ruleId,
  severity: 'high',
  summary: 'something is off',
  why: 'because',
  evidence: {},
  openedAt,
});

describe('events at their sources', () => {
  it('tells a new missed RPO as backup.deadline-missed and a new anomaly as anomaly.detected, nothing else', () => {
    const events = findingEvents('acme', [
      finding('RpoMet'),
      finding('SizeAnomaly'),
      finding('DurationAnomaly'),
      finding('EncryptionMet'),
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'reversa.backup.deadline-missed',
      'reversa.anomaly.detected',
      'reversa.anomaly.detected',
    ]);
    expect(events[0]).toMatchObject({
      tenantId: 'acme',
      subject: 'db-1',
      severity: 'high',
      data: { ruleId: 'RpoMet' },
    });
  });

  it('gives the same problem the same id when re-emitted, and a new id when it comes back later', () => {
    const [once] = findingEvents('acme', [finding('RpoMet')]);
    const [again] = findingEvents('acme', [finding('RpoMet')]);
    const [later] = findingEvents('acme', [finding('RpoMet', '2026-11-09T10:00:00.000Z')]);
    expect(again?.id).toBe(once?.id);
    expect(later?.id).not.toBe(once?.id);
  });

  it('tells a stale dossier once per published version and picture of its inputs', () => {
    const stale = (sha256: string): DossierReadiness => ({
      status: 'stale',
      changed: ['strategy', 'secrets'],
      lastVersion: 3,
      tenantId: 'acme',
      checkedAt: '2026-11-02T10:00:00.000Z',
      current: { sha256, groups: {} as never },
    });
    const a = staleEvent(stale('a'.repeat(64)));
    expect(a).toMatchObject({
      type: 'reversa.dossier.stale',
      subject: 'dossier v3',
      summary: 'reversibility dossier v3 is stale: strategy, secrets changed since it was exported',
    });
    expect(staleEvent(stale('a'.repeat(64))).id).toBe(a.id);
    expect(staleEvent(stale('b'.repeat(64))).id).not.toBe(a.id);
  });
});
