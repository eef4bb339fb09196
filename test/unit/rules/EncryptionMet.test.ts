import { describe, expect, it } from 'vitest';
import { rule } from '#core/rules/EncryptionMet.ts';
import { AT, DAY, daily, declared, facts, HOUR, nonCompliant, point, UTC } from './fixtures.ts';

const KEY = 'arn:aws:kms:eu-west-3:111122223333:key/abc';

describe('EncryptionMet', () => {
  it('is compliant when every good point in the lookback is encrypted with the declared key', () => {
    const points = daily(AT - HOUR, 10).map((t) => point(t, { encryptionKeyId: KEY }));
    const v = rule.evaluate({
      resource: declared({ encryption: { required: true, keyId: KEY } }),
      facts: facts([], points),
      at: AT,
      timezone: UTC,
    });
    expect(v.status).toBe('COMPLIANT');
  });

  it('flags unencrypted and unreported points, listing them', () => {
    const points = [
      point(AT - 2 * DAY, { encrypted: false, recoveryPointId: 'rp-plain' }),
      point(AT - DAY),
      point(AT - HOUR),
    ];
    delete points[2]!.encrypted;
    const v = nonCompliant(
      rule.evaluate({
        resource: declared({ encryption: { required: true } }),
        facts: facts([], points),
        at: AT,
        timezone: UTC,
      }),
    );
    expect(v.evidence.unencrypted).toBe(2);
    expect(v.evidence.offenders).toEqual([
      expect.objectContaining({ recoveryPointId: 'rp-plain', problem: 'not encrypted' }),
      expect.objectContaining({ problem: 'encryption not reported' }),
    ]);
    expect(v.severity).toBe('high');
  });

  it('flags points encrypted with another key than the declared one', () => {
    const v = nonCompliant(
      rule.evaluate({
        resource: declared({ encryption: { required: true, keyId: KEY } }),
        facts: facts([], [point(AT - HOUR, { encryptionKeyId: 'other' })]),
        at: AT,
        timezone: UTC,
      }),
    );
    expect(v.evidence.wrongKey).toBe(1);
    expect(v.severity).toBe('medium');
  });

  it('ignores points older than the lookback', () => {
    const v = rule.evaluate({
      resource: declared({ encryption: { required: true } }),
      facts: facts([], [point(AT - 40 * DAY, { encrypted: false }), point(AT - HOUR)]),
      at: AT,
      timezone: UTC,
    });
    expect(v.status).toBe('COMPLIANT');
  });

  it('is not applicable when encryption is not required', () => {
    const v = rule.evaluate({
      resource: declared(),
      facts: facts([], [point(AT - HOUR, { encrypted: false })]),
      at: AT,
      timezone: UTC,
    });
    expect(v.status).toBe('NOT_APPLICABLE');
  });
});
