/**
 * batchPutAll's handling of UnprocessedItems, which DynamoDB returns under throttling and no emulator ever
 * returns (moto, dynalite): injected with aws-sdk-client-mock. The request shape of the same calls is proved
 * against moto in test/aws/dynamo-fact-store.test.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type BatchWriteCommandInput, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { batchPutAll, documentClient } from '#adapters/aws/dynamo-support.ts';
import { TransientError } from '#core/errors.ts';

const TABLE = 'main';
const items = Array.from({ length: 3 }, (_, i) => ({ pk: 'T#acme#R#db', sk: `J#${i}`, n: i }));
const put = (item: (typeof items)[number]) => ({ PutRequest: { Item: item } });
const sentItems = (input: BatchWriteCommandInput) => input.RequestItems?.[TABLE]?.map((r) => r.PutRequest?.Item);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('batchPutAll when DynamoDB leaves items unprocessed', () => {
  it('sends again only the items DynamoDB did not process, until none are left', async () => {
    const doc = documentClient(new DynamoDBClient({ region: 'eu-west-3' }));
    const mock = mockClient(DynamoDBDocumentClient);
    mock
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { [TABLE]: [put(items[1]!), put(items[2]!)] } })
      .resolvesOnce({ UnprocessedItems: { [TABLE]: [put(items[2]!)] } })
      .resolves({ UnprocessedItems: {} });

    const done = batchPutAll(doc, TABLE, items);
    await vi.runAllTimersAsync();
    await done;

    const calls = mock.commandCalls(BatchWriteCommand).map((c) => sentItems(c.args[0].input));
    expect(calls).toEqual([items, [items[1], items[2]], [items[2]]]);
    mock.restore();
  });

  it('gives up with a retryable error naming how many items are left after 10 attempts', async () => {
    const doc = documentClient(new DynamoDBClient({ region: 'eu-west-3' }));
    const mock = mockClient(DynamoDBDocumentClient);
    mock.on(BatchWriteCommand).resolves({ UnprocessedItems: { [TABLE]: [put(items[0]!)] } });

    const done = batchPutAll(doc, TABLE, items);
    const outcome = done.catch((error: unknown) => error);
    await vi.runAllTimersAsync();
    const error = await outcome;

    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({
      code: 'BatchWriteUnprocessed',
      message: '1 item(s) still unprocessed after retries',
    });
    expect(mock.commandCalls(BatchWriteCommand)).toHaveLength(10);
    mock.restore();
  });
});
