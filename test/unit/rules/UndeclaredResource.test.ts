import { describe, expect, it } from 'vitest';
import type { SeenResource } from '#core/model.ts';
import { rule } from '#core/rules/UndeclaredResource.ts';
import { AT, DAY, nonCompliant } from './fixtures.ts';

const seen: SeenResource = {
  tenantId: 'acme',
  source: 'aws-backup',
  resourceId: 'arn:aws:ec2:eu-west-3:111122223333:volume/vol-1',
  resourceType: 'EBS',
  firstSeenAt: AT - 10 * DAY,
  lastSeenAt: AT - DAY,
};

describe('UndeclaredResource', () => {
  it('flags a resource a source backs up but the strategy does not declare', () => {
    const v = nonCompliant(rule.evaluate({ seen, at: AT }));
    expect(v.severity).toBe('medium');
    expect(v.summary).toBe('aws-backup reports EBS not declared in the strategy (last seen 1d ago)');
  });

  it('lowers the severity for a resource not seen for more than 35 days', () => {
    expect(nonCompliant(rule.evaluate({ seen: { ...seen, lastSeenAt: AT - 40 * DAY }, at: AT })).severity).toBe('low');
  });

  it('is not applicable to a resource first seen after the evaluation time', () => {
    expect(rule.evaluate({ seen: { ...seen, firstSeenAt: AT + DAY }, at: AT }).status).toBe('NOT_APPLICABLE');
  });
});
