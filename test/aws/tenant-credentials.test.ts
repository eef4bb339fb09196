/**
 * Tenant-scoped credentials against moto's STS and DynamoDB: the wiring assumes the tenant-access
 * role with the session tag tenant=<id> (AssumeRole + Tags, 900 s), and the tenant's stores then
 * work on those credentials. moto does not evaluate IAM policies (docs/aws-emulator.md): the
 * conditions themselves are proved on the synthesized templates (test/infra); this proves the calls
 * are well-formed and the credentials sign requests the service accepts.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { tenantScope } from '#wiring/aws/tenant-credentials.ts';
import { awsVerifyWiring } from '#wiring/aws/verify.ts';
import { applyStrategy, strategyYaml } from '../support/verify-fixtures.ts';
import { createMainTable, MOTO_ACCOUNT_ID } from './support.ts';

const ROLE = `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/ReversaTenantAccess`;

describe('tenant-scoped credentials on moto', () => {
  it('assumes the tenant-access role as a session named after the tenant', async () => {
    const scope = tenantScope({ tenantAccessRoleArn: ROLE }, 'acme');

    const identity = await new STSClient({ credentials: scope.credentials! }).send(new GetCallerIdentityCommand({}));

    expect(identity.Arn).toBe(`arn:aws:sts::${MOTO_ACCOUNT_ID}:assumed-role/ReversaTenantAccess/reversa-acme`);
  });

  it("reads and writes a tenant's strategy through the tenant's credentials", async () => {
    const tableName = await createMainTable('tenant-creds');
    const wiring = awsVerifyWiring({
      tableName,
      dataBucket: 'unused',
      eventBusName: 'unused',
      tenantAccessRoleArn: ROLE,
    });
    const deps = wiring.forTenant('acme');

    await applyStrategy(
      deps.strategies as Parameters<typeof applyStrategy>[0],
      strategyYaml('acme', ['nas://acme/share']),
      Date.parse('2026-05-01T00:00:00Z'),
    );

    expect((await deps.strategies.getCurrent('acme'))?.version).toBe(1);
  });
});
