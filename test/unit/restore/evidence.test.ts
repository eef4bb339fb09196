import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#core/errors.ts';
import type { RecoveryPoint } from '#core/model.ts';
import { buildEvidence, type CheckResult, type CleanupProof, nameList, outcomeOf } from '#core/restore/evidence.ts';
import { restoreTestId, testSeed } from '#core/restore/ids.ts';
import { manifestLines, readManifest } from '#core/restore/manifest.ts';
import { sampleNames, selectRecoveryPoint } from '#core/restore/selection.ts';

const cleaned: CleanupProof = {
  target: 'file:///tmp/x/',
  startedAt: 1,
  endedAt: 2,
  removed: 3,
  remaining: 0,
  result: 'CLEANED',
};
const check = (name: string, status: CheckResult['status']): CheckResult => ({
  name,
  status,
  message: `${name} ${status}`,
  counts: { compared: 1 },
});

describe('outcomeOf', () => {
  it('passes when every check passed and the sandbox was cleaned', () => {
    expect(outcomeOf([check('checksums', 'PASSED')], cleaned, undefined)).toEqual({
      outcome: 'PASSED',
      reason: 'all 1 checks passed',
    });
  });

  it('fails on a failed check, naming it, even when cleanup also failed', () => {
    const result = outcomeOf([check('checksums', 'FAILED')], { ...cleaned, result: 'FAILED', remaining: 2 }, undefined);

    expect(result).toEqual({ outcome: 'FAILED', reason: 'checksums: checksums FAILED' });
  });

  it('is an ERROR when the run broke, when a check could not run, when cleanup failed, or when nothing was checked', () => {
    expect(outcomeOf([check('a', 'FAILED')], cleaned, { name: 'TransientError', message: 'x' }).outcome).toBe('ERROR');
    expect(outcomeOf([check('a', 'ERROR')], cleaned, undefined).outcome).toBe('ERROR');
    expect(outcomeOf([check('a', 'PASSED')], { ...cleaned, result: 'FAILED', message: '2 left' }, undefined)).toEqual({
      outcome: 'ERROR',
      reason: 'data verified but cleanup failed: 2 left',
    });
    expect(outcomeOf([], cleaned, undefined).outcome).toBe('ERROR');
  });
});

describe('buildEvidence', () => {
  const base = {
    tenantId: 'acme',
    resourceId: 'r1',
    scheduledAt: 1_000_000,
    policyName: 'p',
    runner: 's3-archive' as const,
    strategyVersion: { version: 1, contentSha256: 'c'.repeat(64) },
    recoveryPoint: { id: 'rp-1', createdAt: 400_000 },
    sample: { mode: 'all' as const, selected: 2, of: 2 },
    sandbox: 'file:///tmp/x/',
    restore: { startedAt: 1_000_000, endedAt: 1_030_000 },
    validation: { startedAt: 1_030_000, endedAt: 1_061_000 },
    maxRto: { ms: 60_000, text: '1m' },
    checks: [check('checksums', 'PASSED')],
    cleanup: cleaned,
  };

  it('fails the RTO check one second over the target', () => {
    const evidence = buildEvidence(base);

    expect(evidence.rto).toEqual({ achievedMs: 61_000, targetMs: 60_000, targetText: '1m', met: false });
    expect(evidence.outcome).toBe('FAILED');
    expect(evidence.reason).toMatch(/^rto: restored and validated in 61000 ms/);
    expect(evidence.recoveryPoint?.achievedRpoMs).toBe(600_000);
  });

  it('is deterministic: the same input gives the same record and test id', () => {
    expect(buildEvidence(base)).toEqual(buildEvidence(base));
    expect(buildEvidence(base).testId).toBe(restoreTestId(base));
    expect(restoreTestId(base)).toMatch(/^rt-[0-9a-f]{40}$/);
    expect(restoreTestId({ ...base, scheduledAt: base.scheduledAt + 1 })).not.toBe(restoreTestId(base));
  });
});

describe('nameList', () => {
  it('keeps the exact count but caps the names', () => {
    const list = nameList(Array.from({ length: 250 }, (_, i) => `f${String(i).padStart(3, '0')}`));

    expect(list.count).toBe(250);
    expect(list.names).toHaveLength(100);
    expect(list.truncated).toBe(true);
  });
});

describe('reproducible choices', () => {
  const point = (id: string, createdAt: number): RecoveryPoint => ({
    tenantId: 'acme',
    source: 'generic',
    recoveryPointId: id,
    resourceId: 'r',
    status: 'AVAILABLE',
    createdAt,
    observedAt: createdAt,
  });
  const points = Array.from({ length: 30 }, (_, i) => point(`rp-${i}`, i * 86_400_000));

  it('selects the latest eligible point, or a seeded random one within the window, the same every time', () => {
    const at = 29 * 86_400_000;
    const seed = testSeed({ tenantId: 'acme', resourceId: 'r', scheduledAt: at });

    expect(selectRecoveryPoint(points, { select: 'latest' }, at, seed)?.recoveryPointId).toBe('rp-29');
    const random = selectRecoveryPoint(points, { select: 'random', windowStart: at - 10 * 86_400_000 }, at, seed);
    expect(random?.createdAt).toBeGreaterThanOrEqual(at - 10 * 86_400_000);
    expect(
      selectRecoveryPoint([...points].reverse(), { select: 'random', windowStart: at - 10 * 86_400_000 }, at, seed),
    ).toEqual(random);
    expect(selectRecoveryPoint(points, { select: 'latest', windowStart: at + 1 }, at, seed)).toBeUndefined();
  });

  it('samples the same names whatever their order, and the requested number of them', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 100 }),
        (names, percent) => {
          const a = sampleNames(names, { percent }, 'seed');
          const b = sampleNames([...names].reverse(), { percent }, 'seed');
          expect([...a].sort()).toEqual([...b].sort());
          expect(a.size).toBe(Math.max(1, Math.ceil((names.length * percent) / 100)));
        },
      ),
    );
  });
});

describe('readManifest', () => {
  it('reads sha256sum lines (escaped names included), size comments and JSON lines', async () => {
    const text = `${manifestLines('a/new\nline.txt', { sha256: 'a'.repeat(64), size: 5 })}${'b'.repeat(64)} *./bin/x\n{"path":"c.txt","sha256":"${'C'.repeat(64)}","size":1}\n# comment\n`;

    const manifest = await readManifest([Buffer.from(text)]);

    expect([...manifest]).toEqual([
      ['a/new\nline.txt', { sha256: 'a'.repeat(64), size: 5 }],
      ['bin/x', { sha256: 'b'.repeat(64) }],
      ['c.txt', { sha256: 'c'.repeat(64), size: 1 }],
    ]);
  });

  it('refuses bad lines, unsafe paths and duplicates with their line numbers', async () => {
    const text = `nonsense\n${'a'.repeat(64)}  ../etc/passwd\n${'a'.repeat(64)}  x\n${'a'.repeat(64)}  ./x\n`;

    const error = await readManifest([Buffer.from(text)], 'm.sha256').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems.map((p) => p.line)).toEqual([1, 2, 4]);
  });

  it('refuses a line longer than the limit without buffering the rest', async () => {
    const error = await readManifest([Buffer.alloc(70_000, 0x61)]).catch((e: unknown) => e);

    expect((error as ValidationError).code).toBe('InvalidManifest');
  });
});
