/**
 * The tenant boundary on the local cloud, where there is no IAM: a middleware on the SDK clients of
 * a tenant's ports that refuses any request addressing another tenant's data, as the tenant-access
 * role's policies do in AWS (core/tenancy/boundary.ts describes both). DynamoDB requests must name
 * only the tenant's partitions (the `dynamodb:LeadingKeys` condition; Scan, which LeadingKeys cannot
 * bound, is refused); requests to Reversa's buckets must stay under the tenant's prefixes. A refusal
 * looks like IAM's (AccessDenied, HTTP 403), so the code above handles it exactly as in AWS.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { ReversaError } from '#core/errors.ts';
import {
  type BucketRole,
  objectKeyAllowed,
  PARTITION_KEY,
  partitionKeyAllowed,
  tenantObjectPrefixes,
} from '#core/tenancy/boundary.ts';

/** What IAM answers when a tenant-scoped principal steps outside its tenant. */
export class TenantBoundaryDenied extends ReversaError {
  override readonly name = 'AccessDenied';
  readonly $metadata = { httpStatusCode: 403 };
}

type AttributeValue = { S?: string };
type Input = Record<string, unknown>;

const deny = (tenantId: string, command: string, what: string) =>
  new TenantBoundaryDenied(
    'TenantBoundary',
    `${command} denied: ${what} is outside tenant ${tenantId}'s data (the tenant-access role allows only its own)`,
  );

/** The partition key values a DynamoDB request addresses; undefined for a request that cannot be bounded. */
export function partitionsOf(command: string, input: Input): unknown[] | undefined {
  const pkOf = (item: unknown) => ((item ?? {}) as Record<string, AttributeValue>)[PARTITION_KEY]?.S;
  switch (command) {
    case 'GetItemCommand':
    case 'DeleteItemCommand':
    case 'UpdateItemCommand':
      return [pkOf(input.Key)];
    case 'PutItemCommand':
      return [pkOf(input.Item)];
    case 'QueryCommand':
      return [queryPartition(input)];
    case 'BatchGetItemCommand':
      return Object.values((input.RequestItems ?? {}) as Record<string, { Keys?: unknown[] }>).flatMap((r) =>
        (r.Keys ?? []).map(pkOf),
      );
    case 'BatchWriteItemCommand':
      return Object.values((input.RequestItems ?? {}) as Record<string, Input[]>).flatMap((requests) =>
        requests.map((r) =>
          pkOf((r.PutRequest as { Item?: unknown } | undefined)?.Item ?? (r.DeleteRequest as { Key?: unknown })?.Key),
        ),
      );
    default:
      return undefined; // Scan, transactions, table management: nothing a tenant's ports may do
  }
}

/** The value bound to `pk = :x` in a key condition (names may be aliased through ExpressionAttributeNames). */
function queryPartition(input: Input): unknown {
  const condition = typeof input.KeyConditionExpression === 'string' ? input.KeyConditionExpression : '';
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, AttributeValue>;
  for (const m of condition.matchAll(/(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)/g)) {
    const name = m[1]?.startsWith('#') ? names[m[1]] : m[1];
    if (name === PARTITION_KEY) return values[m[2] as string]?.S;
  }
  return undefined;
}

/** Refuses, on `client`, every request addressing a partition that is not `tenantId`'s. */
export function bindDynamoToTenant(client: DynamoDBClient, tenantId: string): DynamoDBClient {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'request';
      const partitions = partitionsOf(command, args.input as Input);
      if (partitions === undefined) throw deny(tenantId, command, 'a request no partition key bounds');
      const foreign = partitions.find((pk) => !partitionKeyAllowed(pk, tenantId));
      if (partitions.length === 0 || foreign !== undefined) {
        throw deny(tenantId, command, `partition ${JSON.stringify(String(foreign ?? '(none)').slice(0, 120))}`);
      }
      return next(args);
    },
    // After the document client has marshalled the input: the check reads attribute values.
    { step: 'build', name: 'reversaTenantBoundary', override: true },
  );
  return client;
}

/** The object keys (or listing prefix) an S3 request addresses in a bucket. */
function objectKeysOf(command: string, input: Input): unknown[] {
  if (command === 'ListObjectsV2Command' || command === 'ListObjectsCommand') return [input.Prefix ?? ''];
  if (command === 'DeleteObjectsCommand') {
    return ((input.Delete as { Objects?: { Key?: string }[] } | undefined)?.Objects ?? []).map((o) => o.Key);
  }
  return [input.Key];
}

/** The key of a CopySource (`<bucket>/<url-encoded key>`); the source is checked with the destination's role. */
function copySourceKey(source: unknown): string {
  const text = String(source ?? '');
  const slash = text.indexOf('/');
  try {
    return decodeURIComponent(text.slice(slash + 1));
  } catch {
    return text.slice(slash + 1);
  }
}

/**
 * Refuses requests to Reversa's own buckets outside the tenant's prefixes. Other buckets (the
 * provider's archive buckets a strategy names for restore tests) are outside this boundary, as they
 * are outside the tenant-access role's bucket ARNs: their access is the provider's grant.
 */
export function bindS3ToTenant(
  client: S3Client,
  tenantId: string,
  buckets: Readonly<Record<string, BucketRole>>,
): S3Client {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Input;
      const role = typeof input.Bucket === 'string' ? buckets[input.Bucket] : undefined;
      if (role !== undefined) {
        const command = context.commandName ?? 'request';
        const keys = objectKeysOf(command, input);
        if (command === 'CopyObjectCommand') keys.push(copySourceKey(input.CopySource));
        const foreign = keys.find((key) => !objectKeyAllowed(role, key, tenantId));
        if (keys.length === 0 || foreign !== undefined) {
          throw deny(
            tenantId,
            command,
            `s3://${input.Bucket}/${String(foreign ?? '').slice(0, 120)} (allowed: ${tenantObjectPrefixes(role, tenantId).join(', ')})`,
          );
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'reversaTenantBoundary', override: true },
  );
  return client;
}
