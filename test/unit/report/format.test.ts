import { describe, expect, it } from 'vitest';
import { formatDuration, percent } from '#core/report/format.ts';

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [850, '850 ms'],
    [4_250, '4.3 s'],
    [42_000, '42 s'],
    [725_000, '12 min 5 s'],
    [3_600_000, '1 h'],
    [4_500_000, '1 h 15 min'],
    [12_000_000, '3 h 20 min'],
    [187_200_000, '2 d 4 h'],
    [-90_000, '-1 min 30 s'],
  ])('writes %i ms as %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('writes a non-finite value as a dash instead of NaN', () => {
    expect(formatDuration(Number.NaN)).toBe('—');
  });
});

describe('percent', () => {
  it('rounds to one decimal and is undefined for an empty whole', () => {
    expect(percent(20, 22)).toBe(90.9);
    expect(percent(3, 3)).toBe(100);
    expect(percent(0, 0)).toBeUndefined();
  });
});
