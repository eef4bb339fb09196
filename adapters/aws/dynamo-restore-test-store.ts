/**
 * RestoreTestStore on the main table. Two items per test, both holding the whole summary:
 *   pk `T#<tenant>#RTEST`, sk `ID#<testId>`               → get by id; claimed with attribute_not_exists,
 *                                                           so a test delivered twice is stored once
 *   pk `T#<tenant>#RTEST`, sk `S#<startedAt ISO>#<testId>` → newest-first listing (reverse Query on a range)
 *   pk `T#<tenant>#RTEST`, sk `W#GEN`                      → `gen`, bumped after every listing write, and
 *                                                           `writing`, the tests whose listing write is under
 *                                                           way: what lets readers keep the recent window in
 *                                                           memory without ever serving it stale
 *                                                           (restore-test-window-cache.ts)
 * A crash between the writes is repaired by the retry: when the id item already exists, its
 * stored summary (the first one) is written to the listing item again, and the generation bumped.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '#core/errors.ts';
import type { RestoreTestPageOptions, RestoreTestStore, RestoreTestSummary } from '#core/restore/ports.ts';
import { documentClient, type Item, isConditionalCheckFailed, queryAll } from './dynamo-support.ts';
import { GENERATION_SK, type GenerationTable, markWriting, readGeneration, writeDone } from './partition-generation.ts';
import { RestoreTestWindowCache, type WindowOutcome } from './restore-test-window-cache.ts';

export interface DynamoRestoreTestStoreOptions {
  tableName: string;
  client?: DynamoDBClient;
}

export const restoreTestKeys = {
  pk: (tenantId: string) => `T#${tenantId}#RTEST`,
  idSk: (testId: string) => `ID#${testId}`,
  timeSk: (startedAt: string, testId: string) => `S#${startedAt}#${testId}`,
  timePrefix: 'S#',
  /** Sorts after every `S#` listing key, so no listing range ever includes it. */
  generationSk: GENERATION_SK,
} as const;

function toSummary(item: Item): RestoreTestSummary {
  const { pk: _pk, sk: _sk, ...summary } = item;
  return summary as unknown as RestoreTestSummary;
}

/** The cursor is the listing key of the last item returned, opaque to clients (and bound to its tenant by pk). */
const cursorOfSk = (sk: string): string => Buffer.from(sk, 'utf8').toString('base64url');
function skOfCursor(cursor: string): string {
  const sk = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!sk.startsWith(restoreTestKeys.timePrefix) || sk.length > 400) {
    throw new ValidationError('BadCursor', [
      { file: '<request>', path: 'cursor', message: 'not a cursor of this listing' },
    ]);
  }
  return sk;
}

function normalisedIso(value: string, path: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new ValidationError('InvalidRestoreTestSummary', [
      { file: 'restore test summary', path, message: 'expected an ISO-8601 timestamp' },
    ]);
  }
  return new Date(ms).toISOString();
}

export class DynamoRestoreTestStore implements RestoreTestStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly windows = new RestoreTestWindowCache();
  private readonly table: GenerationTable;

  constructor(options: DynamoRestoreTestStoreOptions) {
    this.doc = documentClient(options.client);
    this.tableName = options.tableName;
    this.table = { doc: this.doc, tableName: this.tableName };
  }

  async put(summary: RestoreTestSummary): Promise<void> {
    // Normalised so the listing key orders tests by time whatever ISO form the caller used.
    const body: RestoreTestSummary = { ...summary, startedAt: normalisedIso(summary.startedAt, 'startedAt') };
    const pk = restoreTestKeys.pk(summary.tenantId);
    let stored = body;
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk, sk: restoreTestKeys.idSk(summary.testId), ...body },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      stored = (await this.get(summary.tenantId, summary.testId)) ?? body;
    }
    // Marker, listing write, then bump + unmark: the order readers' window cache relies on.
    await markWriting(this.table, pk, stored.testId);
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk, sk: restoreTestKeys.timeSk(stored.startedAt, stored.testId), ...stored },
      }),
    );
    await writeDone(this.table, pk, stored.testId);
  }

  async get(tenantId: string, testId: string): Promise<RestoreTestSummary | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: restoreTestKeys.pk(tenantId), sk: restoreTestKeys.idSk(testId) },
        ConsistentRead: true,
      }),
    );
    return out.Item ? toSummary(out.Item) : undefined;
  }

  async page(
    tenantId: string,
    options: RestoreTestPageOptions,
  ): Promise<{ items: RestoreTestSummary[]; nextCursor?: string }> {
    const from = options.from === undefined ? '' : normalisedIso(options.from, 'from');
    const to = options.to === undefined ? '~' : `${normalisedIso(options.to, 'to')}~`;
    const pk = restoreTestKeys.pk(tenantId);
    const filters: string[] = [];
    const values: Record<string, unknown> = {
      ':pk': pk,
      ':from': `${restoreTestKeys.timePrefix}${from}`,
      ':to': `${restoreTestKeys.timePrefix}${to}`,
    };
    if (options.resourceId !== undefined) {
      filters.push('resourceId = :resource');
      values[':resource'] = options.resourceId;
    }
    if (options.outcome !== undefined) {
      filters.push('outcome = :outcome');
      values[':outcome'] = options.outcome;
    }
    const items: RestoreTestSummary[] = [];
    let startKey: Record<string, unknown> | undefined =
      options.cursor === undefined ? undefined : { pk, sk: skOfCursor(options.cursor) };
    // Limit counts items read before the filter: read pages of the wanted size until enough match.
    while (items.length < options.limit) {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: options.limit - items.length,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      items.push(...(page.Items ?? []).map(toSummary));
      startKey = page.LastEvaluatedKey;
      if (!startKey) break;
    }
    return startKey ? { items, nextCursor: cursorOfSk(String(startKey.sk)) } : { items };
  }

  async outcomesSince(tenantId: string, from: string): Promise<Pick<RestoreTestSummary, 'outcome' | 'startedAt'>[]> {
    const fromSk = `${restoreTestKeys.timePrefix}${normalisedIso(from, 'from')}`;
    const pk = restoreTestKeys.pk(tenantId);
    const generation = await readGeneration(this.table, pk);
    let window = this.windows.get(pk, generation, fromSk);
    if (window === undefined) {
      // Consistent, and after the generation read: what the window cache's argument needs.
      window = (await queryAll(this.doc, {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': pk,
          ':from': fromSk,
          ':to': `${restoreTestKeys.timePrefix}~`,
        },
        ProjectionExpression: 'outcome, startedAt, sk',
        ScanIndexForward: false,
        ConsistentRead: true,
      })) as unknown as WindowOutcome[];
      this.windows.set(pk, generation, fromSk, window);
    }
    return window.map(({ sk: _sk, ...fields }) => fields as Pick<RestoreTestSummary, 'outcome' | 'startedAt'>);
  }

  async list(
    tenantId: string,
    options: { resourceId?: string; from?: string; to?: string; limit?: number } = {},
  ): Promise<RestoreTestSummary[]> {
    // Pages of at most 1,000 read in order, stopping at `limit`: never the whole history for a few rows.
    const out: RestoreTestSummary[] = [];
    let cursor: string | undefined;
    do {
      const want = options.limit === undefined ? 1000 : Math.min(1000, options.limit - out.length);
      if (want <= 0) break;
      const page = await this.page(tenantId, {
        limit: want,
        ...(options.resourceId === undefined ? {} : { resourceId: options.resourceId }),
        ...(options.from === undefined ? {} : { from: options.from }),
        ...(options.to === undefined ? {} : { to: options.to }),
        ...(cursor === undefined ? {} : { cursor }),
      });
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return out;
  }
}
