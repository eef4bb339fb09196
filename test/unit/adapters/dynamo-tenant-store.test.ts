import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '#core/errors.ts';
import { type CloudFixture, startTestCloud, uniqueTenant } from '../../support/local-cloud.ts';

let fx: CloudFixture;
beforeAll(async () => {
  fx = await startTestCloud();
});
afterAll(async () => fx.stop());

describe('DynamoTenantStore dirty/verified state', () => {
  it('clears the dirty mark when a verification ran after the facts arrived', async () => {
    const tenant = uniqueTenant('clean');
    await fx.adapters.tenants.markDirty(tenant, 100);

    await fx.adapters.tenants.markVerified(tenant, 200, 5_000);

    expect(await fx.adapters.tenants.get(tenant)).toEqual({
      tenantId: tenant,
      lastVerifiedAt: 200,
      nextDeadline: 5_000,
    });
  });

  it('stays dirty when facts arrived while the verification was running', async () => {
    const tenant = uniqueTenant('during');
    await fx.adapters.tenants.markDirty(tenant, 100);
    await fx.adapters.tenants.markDirty(tenant, 250);
    await fx.adapters.tenants.markDirty(tenant, 150);

    await fx.adapters.tenants.markVerified(tenant, 200, undefined);

    expect(await fx.adapters.tenants.get(tenant)).toEqual({ tenantId: tenant, dirtySince: 250, lastVerifiedAt: 200 });
  });

  it('does not move lastVerifiedAt or the deadline back when an older run finishes late', async () => {
    const tenant = uniqueTenant('late');
    await fx.adapters.tenants.markVerified(tenant, 300, 9_000);

    await fx.adapters.tenants.markVerified(tenant, 200, 1_000);

    expect(await fx.adapters.tenants.get(tenant)).toEqual({
      tenantId: tenant,
      lastVerifiedAt: 300,
      nextDeadline: 9_000,
    });
  });

  it('drops the deadline when a verification finds none', async () => {
    const tenant = uniqueTenant('nodeadline');
    await fx.adapters.tenants.markVerified(tenant, 100, 9_000);

    await fx.adapters.tenants.markVerified(tenant, 200, undefined);

    expect((await fx.adapters.tenants.get(tenant))?.nextDeadline).toBeUndefined();
  });

  it('knows nothing about a tenant never marked', async () => {
    expect(await fx.adapters.tenants.get('unknown-tenant')).toBeUndefined();
  });
});

describe('DynamoTenantStore AWS account routing', () => {
  it('routes declared accounts to the tenant and forgets accounts no longer declared', async () => {
    const tenant = uniqueTenant('route');
    await fx.adapters.tenants.setAwsAccounts(tenant, ['111100000001', '111100000002']);

    await fx.adapters.tenants.setAwsAccounts(tenant, ['111100000002', '111100000003']);

    expect(await fx.adapters.tenants.tenantForAwsAccount('111100000001')).toBeUndefined();
    expect(await fx.adapters.tenants.tenantForAwsAccount('111100000002')).toBe(tenant);
    expect(await fx.adapters.tenants.tenantForAwsAccount('111100000003')).toBe(tenant);
  });

  it('refuses an account already routed to another tenant and changes nothing', async () => {
    const owner = uniqueTenant('owner');
    const other = uniqueTenant('other');
    await fx.adapters.tenants.setAwsAccounts(owner, ['222200000001']);

    const attempt = fx.adapters.tenants.setAwsAccounts(other, ['222200000002', '222200000001']);

    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    expect(await fx.adapters.tenants.tenantForAwsAccount('222200000001')).toBe(owner);
    expect(await fx.adapters.tenants.tenantForAwsAccount('222200000002')).toBeUndefined();
  });
});
