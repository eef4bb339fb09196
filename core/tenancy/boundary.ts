/**
 * The tenant boundary, as data: which DynamoDB partition keys and which object-key prefixes belong to
 * a tenant. It is enforced twice from this one description: by IAM in AWS (the tenant-access role's
 * policies: `dynamodb:LeadingKeys`, object ARNs under these prefixes, `aws:PrincipalTag/tenant`;
 * built in infra/) and by the SDK clients of a tenant's ports on the local cloud
 * (adapters/local/tenant-boundary.ts). Every key Reversa writes for a tenant follows this layout;
 * a key that does not is refused, which is how a layout mistake shows up in the tests.
 */

/** The session tag a tenant-scoped principal carries (STS TagSession), and the tag tenants' resources carry. */
export const TENANT_SESSION_TAG = 'tenant';
export const TENANT_RESOURCE_TAG = 'reversa:tenant';

/** The single table's partition key attribute, and the prefix every tenant partition starts with. */
export const PARTITION_KEY = 'pk';
export const tenantPartitionPrefix = (tenantId: string): string => `T#${tenantId}#`;

/** Reversa's own buckets, by role; object keys of a tenant start with `<prefix>/<tenant>/`. */
export type BucketRole = 'data' | 'audit' | 'dossier';

export const TENANT_OBJECT_PREFIXES: Readonly<Record<BucketRole, readonly string[]>> = {
  data: [
    'runs',
    'reports',
    'inbox',
    'processed',
    'quarantine',
    'config',
    'procedures',
    'inventory',
    'sandbox',
    'restore-tests',
    'sla',
  ],
  audit: ['audit'],
  dossier: ['dossiers'],
};

export function tenantObjectPrefixes(role: BucketRole, tenantId: string): string[] {
  return TENANT_OBJECT_PREFIXES[role].map((p) => `${p}/${tenantId}/`);
}

export function partitionKeyAllowed(pk: unknown, tenantId: string): boolean {
  return typeof pk === 'string' && pk.startsWith(tenantPartitionPrefix(tenantId));
}

export function objectKeyAllowed(role: BucketRole, key: unknown, tenantId: string): boolean {
  return typeof key === 'string' && tenantObjectPrefixes(role, tenantId).some((p) => key.startsWith(p));
}
