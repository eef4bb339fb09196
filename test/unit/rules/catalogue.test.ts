import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_RULES, DRIFT_RULES, RULE_CATALOGUE } from '#core/rules/index.ts';

const RULE_FILES = readdirSync(new URL('../../../core/rules/', import.meta.url))
  .filter((f) => /^[A-Z]\w+\.ts$/.test(f))
  .map((f) => f.replace(/\.ts$/, ''));

describe('rule catalogue', () => {
  it('lists every rule file exactly once, and every file is named after its rule id', () => {
    const ids = [...ALL_RULES, ...DRIFT_RULES].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...RULE_FILES].sort());
  });

  it('keeps a stable order', () => {
    expect(ALL_RULES.map((r) => r.id)).toEqual([
      'ResourceCovered',
      'RpoMet',
      'FrequencyGaps',
      'RetentionMet',
      'CopiesMet',
      'EncryptionMet',
      'ImmutabilityMet',
      'FailureStreak',
      'SizeAnomaly',
      'DurationAnomaly',
    ]);
  });

  it('explains why every rule matters in one sentence', () => {
    for (const r of RULE_CATALOGUE.values()) {
      expect(r.why).toMatch(/^[A-Z].+\.$/);
      expect(r.why.split('. ')).toHaveLength(1);
    }
  });
});
