/**
 * The partitions read across tenants, as `dynamodb:LeadingKeys` patterns of the functions' own roles. They are the
 * partition keys adapters/aws/dynamo-keys.ts builds (infra cannot import adapters: test/infra/tenant-isolation.test.ts
 * checks each pattern against the real key builders, and that no other tenant partition matches).
 */
import { tenantPartitionPrefix } from '#core/tenancy/boundary.ts';

/** Every tenant partition of one kind, `T#<any tenant>#<kind>`. */
const everyTenants = (kind: string): string => `${tenantPartitionPrefix('*')}${kind}`;

/** The list of tenants (`TENANTS` / `T#<tenant>`): one Query, never a Scan. */
export const TENANT_INDEX = 'TENANTS';
/** Each tenant's sweep state (`T#<tenant>#STATE`): next deadline, dirty mark, last verification. */
export const TENANT_STATES = everyTenants('STATE');
/** Each tenant's applied strategy versions (`T#<tenant>#STRATEGY`). */
export const TENANT_STRATEGIES = everyTenants('STRATEGY');
/** Each tenant's seen resources (`T#<tenant>#SEEN`). */
export const TENANT_SEEN_RESOURCES = everyTenants('SEEN');
/** AWS account → tenant routing (`AWS#<account>` / `ROUTE`): which tenant an AWS Backup event belongs to. */
export const ACCOUNT_ROUTES = 'AWS#*';
