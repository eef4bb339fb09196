import { describe, expect, it } from 'vitest';
import { rule } from '#core/rules/SizeAnomaly.ts';
import { AT, daily, declared, facts, HOUR, job, nonCompliant, UTC } from './fixtures.ts';

/** 20 daily jobs with sizes around 1 GB (±1%), then `latest` bytes. */
function history(latest: number) {
  const times = daily(AT - HOUR, 21);
  return facts(times.map((t, i) => job(t, { sizeBytes: i === 20 ? latest : 1e9 + (((i * 7919) % 21) - 10) * 1e6 })));
}

describe('SizeAnomaly', () => {
  it('is compliant for a size in line with the history', () => {
    expect(rule.evaluate({ resource: declared(), facts: history(1.003e9), at: AT, timezone: UTC }).status).toBe(
      'COMPLIANT',
    );
  });

  it('always flags a zero-byte backup', () => {
    const v = nonCompliant(
      rule.evaluate({ resource: declared(), facts: facts([job(AT - HOUR, { sizeBytes: 0 })]), at: AT, timezone: UTC }),
    );
    expect(v.severity).toBe('high');
    expect(v.summary).toContain('saved 0 bytes');
  });

  it('flags a sudden drop of more than 50% below the median', () => {
    const v = nonCompliant(rule.evaluate({ resource: declared(), facts: history(0.4e9), at: AT, timezone: UTC }));
    expect(v.severity).toBe('high');
    expect(v.summary).toMatch(/60% below the median/);
  });

  it('flags growth beyond the robust z threshold of the sensitivity', () => {
    const medium = nonCompliant(rule.evaluate({ resource: declared(), facts: history(1.25e9), at: AT, timezone: UTC }));
    expect(medium.evidence.threshold).toBe(4);
    expect(medium.evidence.history).toBe(20);
    const low = rule.evaluate({
      resource: declared({ anomaly: { sensitivity: 'low' } }),
      facts: history(1.25e9),
      at: AT,
      timezone: UTC,
    });
    expect(low.status).toBe('COMPLIANT');
  });

  it('is not applicable with less history than minHistory', () => {
    const v = rule.evaluate({
      resource: declared({ anomaly: { minHistory: 30 } }),
      facts: history(5e9),
      at: AT,
      timezone: UTC,
    });
    expect(v.status).toBe('NOT_APPLICABLE');
  });

  it('is not applicable when anomaly detection is off, even for zero bytes', () => {
    const v = rule.evaluate({
      resource: declared({ anomaly: { sensitivity: 'off' } }),
      facts: history(0),
      at: AT,
      timezone: UTC,
    });
    expect(v.status).toBe('NOT_APPLICABLE');
  });
});
