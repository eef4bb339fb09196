import { describe, expect, it } from 'vitest';
import { ValidationError } from '#core/errors.ts';
import { absoluteMillis, parseDuration } from '#core/strategy/duration.ts';
import { effectivePolicy } from '#core/strategy/effective.ts';

describe('parseDuration', () => {
  it.each([
    ['15m', 15, 'm'],
    ['24h', 24, 'h'],
    ['35d', 35, 'd'],
    ['2w', 2, 'w'],
    ['1y', 1, 'y'],
  ])('reads %s as %i %s, keeping the text for explanations', (text, amount, unit) => {
    expect(parseDuration(text)).toEqual({ amount, unit, text });
  });

  it.each(['', '0d', '07d', '1.5h', '24', 'h', '1 d', '1D', '1s', '-1d', '99999999d'])(
    'rejects %j with a ValidationError saying what a duration looks like',
    (text) => {
      expect(() => parseDuration(text, { file: 'acme.yaml', path: 'defaults.rpo' })).toThrow(
        expect.objectContaining({
          name: 'ValidationError',
          problems: [
            { file: 'acme.yaml', path: 'defaults.rpo', message: 'expected a duration like 15m, 24h, 35d, 2w or 1y' },
          ],
        }),
      );
    },
  );

  it('gives the absolute length of minutes and hours but not of calendar units', () => {
    expect(absoluteMillis(parseDuration('90m'))).toBe(5_400_000);
    expect(absoluteMillis(parseDuration('2h'))).toBe(7_200_000);
    expect(absoluteMillis(parseDuration('1d'))).toBeUndefined();
  });
});

describe('effectivePolicy', () => {
  it('fills every field a strategy leaves out with the built-in defaults', () => {
    const policy = effectivePolicy({ rpo: '24h', retention: '35d' }, {});

    expect(policy).toEqual({
      rpo: { amount: 24, unit: 'h', text: '24h' },
      retention: { amount: 35, unit: 'd', text: '35d' },
      lookback: { amount: 35, unit: 'd', text: '35d' },
      copies: {
        min: 0,
        otherRegion: false,
        otherAccount: false,
        offsite: false,
        within: { amount: 24, unit: 'h', text: '24h' },
      },
      encryption: { required: false },
      immutability: { required: false, mode: 'any', minDays: 1 },
      anomaly: { sensitivity: 'medium', minHistory: 7 },
      failureStreak: 3,
    });
  });

  it('lets a resource override defaults field by field, keeping the nested fields it does not set', () => {
    const defaults = {
      rpo: '24h',
      retention: '35d',
      copies: { min: 1, otherRegion: true },
      immutability: { required: true, mode: 'vault-lock' as const, minDays: 30 },
      failureStreak: 2,
    };

    const policy = effectivePolicy(defaults, { rpo: '1h', copies: { min: 2 }, immutability: { minDays: 7 } });

    expect(policy.rpo.text).toBe('1h');
    expect(policy.retention.text).toBe('35d');
    expect(policy.copies).toMatchObject({ min: 2, otherRegion: true, otherAccount: false });
    expect(policy.immutability).toEqual({ required: true, mode: 'vault-lock', minDays: 7 });
    expect(policy.failureStreak).toBe(2);
  });

  it('keeps the key of required encryption, and drops it when the resource turns encryption off', () => {
    const defaults = { rpo: '1d', retention: '1y', encryption: { required: true, keyId: 'alias/backup' } };

    expect(effectivePolicy(defaults, {}).encryption).toEqual({ required: true, keyId: 'alias/backup' });
    expect(effectivePolicy(defaults, { encryption: { required: false } }).encryption).toEqual({ required: false });
  });

  it('refuses a resource with no rpo and no retention anywhere, naming where', () => {
    const act = () => effectivePolicy(undefined, { rpo: '1h' }, { file: 'acme.yaml', path: 'resources[2]' });

    expect(act).toThrow(ValidationError);
    expect(act).toThrow('acme.yaml resources[2]: no retention: set retention on this resource or in defaults');
  });
});
