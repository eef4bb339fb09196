import { describe, expect, it, vi } from 'vitest';
import { tenantAssumeRoleParams, tenantScope } from '#wiring/aws/tenant-credentials.ts';

// The STS round trip itself (AssumeRole with session tags) is proved against moto in test/aws; here,
// what Reversa asks for and when.
const ROLE = 'arn:aws:iam::111122223333:role/ReversaTenantAccess';
const config = { tableName: 't', dataBucket: 'd', eventBusName: 'b', tenantAccessRoleArn: ROLE };
const credentials = async () => ({ accessKeyId: 'AKIA', secretAccessKey: 's' });

describe('tenant-scoped credentials in AWS', () => {
  it('assume the tenant-access role with the session tag tenant=<id>, for 15 minutes', () => {
    const assume = vi.fn(() => credentials);

    const scope = tenantScope(config, 'acme', assume);

    expect(scope.credentials).toBe(credentials);
    expect(assume).toHaveBeenCalledWith({
      params: {
        RoleArn: ROLE,
        RoleSessionName: 'reversa-acme',
        Tags: [{ Key: 'tenant', Value: 'acme' }],
        DurationSeconds: 900,
      },
    });
  });

  it('keep the session name within STS’s 64 characters; the tag carries the whole tenant id', () => {
    const tenant = `t${'x'.repeat(62)}`;

    const params = tenantAssumeRoleParams(ROLE, tenant);

    expect(params.RoleSessionName).toHaveLength(64);
    expect(params.Tags).toEqual([{ Key: 'tenant', Value: tenant }]);
  });

  it('fall back to the function’s own credentials when the stack configures no tenant-access role', () => {
    const assume = vi.fn(() => credentials);
    const { tenantAccessRoleArn: _, ...withoutRole } = config;

    expect(tenantScope(withoutRole, 'acme', assume)).toEqual({});
    expect(assume).not.toHaveBeenCalled();
  });
});
