import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '#core/errors.ts';
import { readDeployContext } from '../../infra/reversa-app.ts';

describe('deploy context', () => {
  it('reads the alarm e-mail, client accounts (comma separated), organization and stack prefix from -c options', () => {
    const app = new App({
      context: {
        alarmEmail: 'ops@example.com',
        clientAccountIds: '111111111111, 222222222222',
        clientOrganizationId: 'o-abc123',
        stackPrefix: 'Acme',
      },
    });
    expect(readDeployContext(app)).toEqual({
      alarmEmail: 'ops@example.com',
      clientAccountIds: ['111111111111', '222222222222'],
      clientOrganizationId: 'o-abc123',
      stackPrefix: 'Acme',
    });
  });

  it('reads the audit retention in days, given with -c (a string) or in cdk.json (a number)', () => {
    expect(readDeployContext(new App({ context: { auditRetentionDays: '3650' } }))).toEqual({
      auditRetentionDays: 3650,
    });
    expect(readDeployContext(new App({ context: { auditRetentionDays: 400 } }))).toEqual({ auditRetentionDays: 400 });
  });

  it('refuses an audit retention that is not a whole number of days', () => {
    for (const value of ['7y', '-1', '1.5']) {
      expect(() => readDeployContext(new App({ context: { auditRetentionDays: value } })), value).toThrow(ConfigError);
    }
  });

  it('reads the restic task network and the restore buckets as comma-separated lists', () => {
    const app = new App({
      context: {
        restoreSubnetIds: 'subnet-0a, subnet-0b',
        restoreSecurityGroupIds: 'sg-01',
        restoreSourceBuckets: 'acme-backups,',
        restoreSandboxBuckets: 'acme-sandbox',
      },
    });
    expect(readDeployContext(app)).toEqual({
      restoreSubnetIds: ['subnet-0a', 'subnet-0b'],
      restoreSecurityGroupIds: ['sg-01'],
      restoreSourceBuckets: ['acme-backups'],
      restoreSandboxBuckets: ['acme-sandbox'],
    });
  });

  it('treats missing or blank values as not given', () => {
    const app = new App({ context: { alarmEmail: '  ' } });
    expect(readDeployContext(app)).toEqual({});
  });
});
