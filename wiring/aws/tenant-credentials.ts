/**
 * Per-tenant credentials in AWS: the function assumes the tenant-access role with the session tag
 * `tenant=<id>` (STS AssumeRole + TagSession). That role's policies allow only the partitions
 * `T#<id>#…` (dynamodb:LeadingKeys), the objects under the tenant's prefixes and the secrets tagged
 * `reversa:tenant=<id>`, all through `${aws:PrincipalTag/tenant}`: a handler bug that addresses
 * another tenant is refused by IAM, not just by our code. The SDK refreshes the credentials before
 * they expire; they are cached per tenant per container (wiring/tenant-scope.ts perTenant).
 */
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { Config } from '#config';
import { TENANT_SESSION_TAG } from '#core/tenancy/boundary.ts';
import type { AwsCredentials, AwsScope } from './clients.ts';

/** STS caps RoleSessionName at 64 characters; the full tenant id is in the session tag and CloudTrail. */
export const tenantSessionName = (tenantId: string): string => `reversa-${tenantId}`.slice(0, 64);

/** The AssumeRole request for one tenant: what the role's trust policy and CloudTrail see. */
export function tenantAssumeRoleParams(roleArn: string, tenantId: string) {
  return {
    RoleArn: roleArn,
    RoleSessionName: tenantSessionName(tenantId),
    Tags: [{ Key: TENANT_SESSION_TAG, Value: tenantId }],
    // Short-lived: a warm container re-assumes (cheaply) rather than holding a tenant's access for hours.
    DurationSeconds: 900,
  };
}

/**
 * The scope a tenant's clients run in: the tenant-access role when the stack configures one (every
 * deployed function serving one tenant gets REVERSA_TENANT_ACCESS_ROLE_ARN), else the function's own
 * credentials (a handler run outside a stack, as the local cloud does).
 */
export function tenantScope(
  config: Config,
  tenantId: string,
  assume: (options: { params: ReturnType<typeof tenantAssumeRoleParams> }) => AwsCredentials = fromTemporaryCredentials,
): AwsScope {
  const roleArn = config.tenantAccessRoleArn;
  if (!roleArn) return {};
  return { credentials: assume({ params: tenantAssumeRoleParams(roleArn, tenantId) }) };
}
