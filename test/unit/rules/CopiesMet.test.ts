import { describe, expect, it } from 'vitest';
import { rule } from '#core/rules/CopiesMet.ts';
import { AT, declared, facts, HOUR, nonCompliant, point, UTC } from './fixtures.ts';

describe('CopiesMet', () => {
  const primary = point(AT - 30 * HOUR, { recoveryPointId: 'rp-primary' });

  it('is compliant when the last primary older than `within` has a copy in another region', () => {
    const copy = point(AT - 28 * HOUR, { copyOf: 'rp-primary', region: 'eu-central-1', location: 'vault-copy' });
    const v = rule.evaluate({
      resource: declared({ copies: { min: 1, otherRegion: true } }),
      facts: facts([], [primary, copy]),
      at: AT,
      timezone: UTC,
    });
    expect(v.status).toBe('COMPLIANT');
  });

  it('flags a primary without any copy, naming it', () => {
    const v = nonCompliant(
      rule.evaluate({ resource: declared({ copies: { min: 1 } }), facts: facts([], [primary]), at: AT, timezone: UTC }),
    );
    expect(v.severity).toBe('high');
    expect(v.evidence.recoveryPointId).toBe('rp-primary');
    expect(v.summary).toContain('0 of 1 copies');
  });

  it('flags a copy in the same region when another region is required', () => {
    const copy = point(AT - 28 * HOUR, { copyOf: 'rp-primary', location: 'vault-copy' });
    const v = nonCompliant(
      rule.evaluate({
        resource: declared({ copies: { min: 1, otherRegion: true, otherAccount: true } }),
        facts: facts([], [primary, copy]),
        at: AT,
        timezone: UTC,
      }),
    );
    expect(v.summary).toContain('no copy in another region, no copy in another account');
    expect(v.severity).toBe('medium');
  });

  it('ignores copies that are not available', () => {
    const copy = point(AT - 28 * HOUR, { copyOf: 'rp-primary', region: 'eu-central-1', status: 'ERROR' });
    expect(
      rule.evaluate({
        resource: declared({ copies: { min: 1 } }),
        facts: facts([], [primary, copy]),
        at: AT,
        timezone: UTC,
      }).status,
    ).toBe('NON_COMPLIANT');
  });

  it('does not expect copies of a point younger than `within` yet', () => {
    const fresh = point(AT - HOUR);
    const copy = point(AT - 28 * HOUR, { copyOf: 'rp-primary' });
    const v = rule.evaluate({
      resource: declared({ copies: { min: 1 } }),
      facts: facts([], [primary, copy, fresh]),
      at: AT,
      timezone: UTC,
    });
    expect(v.status).toBe('COMPLIANT');
  });

  it('counts a restic copy in another repository as offsite', () => {
    const p = point(AT - 30 * HOUR, { source: 'restic', recoveryPointId: 'snap-1', location: '/srv/restic' });
    const c = point(AT - 29 * HOUR, { source: 'restic', copyOf: 'snap-1', location: 's3:backup.example/restic' });
    const v = rule.evaluate({
      resource: declared({ copies: { min: 1, offsite: true } }, 'restic'),
      facts: facts([], [p, c]),
      at: AT,
      timezone: UTC,
    });
    expect(v.status).toBe('COMPLIANT');
  });

  it('does not count an AWS Backup copy in another vault as offsite unless flagged', () => {
    const c = point(AT - 29 * HOUR, { copyOf: 'rp-primary', location: 'vault-other' });
    const resource = declared({ copies: { min: 1, offsite: true } });
    expect(rule.evaluate({ resource, facts: facts([], [primary, c]), at: AT, timezone: UTC }).status).toBe(
      'NON_COMPLIANT',
    );
    const flagged = point(AT - 29 * HOUR, { copyOf: 'rp-primary', offsite: true });
    expect(rule.evaluate({ resource, facts: facts([], [primary, flagged]), at: AT, timezone: UTC }).status).toBe(
      'COMPLIANT',
    );
  });

  it('is not applicable when the policy asks for no copies', () => {
    expect(rule.evaluate({ resource: declared(), facts: facts([], [primary]), at: AT, timezone: UTC }).status).toBe(
      'NOT_APPLICABLE',
    );
  });

  it('is not applicable when no point is old enough to have been copied', () => {
    expect(
      rule.evaluate({
        resource: declared({ copies: { min: 1 } }),
        facts: facts([], [point(AT - HOUR)]),
        at: AT,
        timezone: UTC,
      }).status,
    ).toBe('NOT_APPLICABLE');
  });
});
