/**
 * Small DynamoDB helpers shared by the dynamo-* stores: a DocumentClient factory, bounded
 * parallelism, BatchWriteItem with UnprocessedItems retries, and paginated queries.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type BatchWriteCommandOutput,
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mapLimit } from '#core/concurrency.ts';
import { TransientError } from '#core/errors.ts';

/** For the adapters that fan out their calls; the one implementation is in core. */
export { mapLimit };

export type Item = Record<string, unknown>;

/** A DocumentClient that drops undefined fields (optional model fields are simply absent). */
export function documentClient(client: DynamoDBClient = new DynamoDBClient({})): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

const BATCH_WRITE_MAX = 25;
const MAX_ATTEMPTS = 10;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Blind-writes items with BatchWriteItem, 25 per call, `concurrency` calls in flight. Unprocessed
 * items (throttling) are retried with exponential backoff; after MAX_ATTEMPTS a TransientError
 * lets the caller (a Lambda retry, a Step Functions Retry) try again — every write is idempotent.
 */
export async function batchPutAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Item[],
  concurrency = 8,
): Promise<void> {
  await mapLimit(chunk(items, BATCH_WRITE_MAX), concurrency, async (group) => {
    let requestItems: BatchWriteCommandInput['RequestItems'] = {
      [tableName]: group.map((item) => ({ PutRequest: { Item: item } })),
    };
    for (let attempt = 0; ; attempt++) {
      const out: BatchWriteCommandOutput = await doc.send(new BatchWriteCommand({ RequestItems: requestItems }));
      const left = out.UnprocessedItems?.[tableName];
      if (!left || left.length === 0) return;
      if (attempt + 1 >= MAX_ATTEMPTS) {
        throw new TransientError('BatchWriteUnprocessed', `${left.length} item(s) still unprocessed after retries`);
      }
      requestItems = { [tableName]: left };
      await delay(Math.min(2_000, 25 * 2 ** attempt));
    }
  });
}

/** All items of a query, following LastEvaluatedKey (a page is at most 1 MB). */
export async function queryAll(doc: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand(startKey === undefined ? input : { ...input, ExclusiveStartKey: startKey }),
    );
    for (const item of page.Items ?? []) items.push(item);
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
