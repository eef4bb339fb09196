import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
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

  it('treats missing or blank values as not given', () => {
    const app = new App({ context: { alarmEmail: '  ' } });
    expect(readDeployContext(app)).toEqual({});
  });
});
