/**
 * FindingStore for restore-test findings on the main table: pk `T#<tenant>#RFINDING`,
 * sk `F#<findingId>`. Opening is a conditional put (the first one wins: a retried Record cannot
 * reset root cause or status the provider already filled in); updates are conditional on existence
 * and return the new item.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '#core/errors.ts';
import type { FindingStatus, FindingStore, FindingTimelineEntry, RestoreFinding } from '#core/restore/ports.ts';
import { documentClient, type Item, isConditionalCheckFailed, queryAll } from './dynamo-support.ts';

export interface DynamoFindingStoreOptions {
  tableName: string;
  client?: DynamoDBClient;
}

export const findingKeys = {
  pk: (tenantId: string) => `T#${tenantId}#RFINDING`,
  sk: (findingId: string) => `F#${findingId}`,
  prefix: 'F#',
  /** Timeline entries sort by time after their finding's id; the random suffix keeps two at one instant apart. */
  timelineSk: (findingId: string, at: string, nonce: string) => `E#${findingId}#${at}#${nonce}`,
  timelinePrefix: (findingId: string) => `E#${findingId}#`,
} as const;

function toFinding(item: Item): RestoreFinding {
  const { pk: _pk, sk: _sk, ...finding } = item;
  return finding as unknown as RestoreFinding;
}

export class DynamoFindingStore implements FindingStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoFindingStoreOptions) {
    this.doc = documentClient(options.client);
    this.tableName = options.tableName;
  }

  async open(finding: RestoreFinding): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: findingKeys.pk(finding.tenantId), sk: findingKeys.sk(finding.findingId), ...finding },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async get(tenantId: string, findingId: string): Promise<RestoreFinding | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: findingKeys.pk(tenantId), sk: findingKeys.sk(findingId) },
        ConsistentRead: true,
      }),
    );
    return out.Item ? toFinding(out.Item) : undefined;
  }

  async update(
    tenantId: string,
    findingId: string,
    patch: {
      rootCause?: string;
      correctiveAction?: string;
      status?: FindingStatus;
      updatedBy: string;
      updatedAt: string;
    },
  ): Promise<RestoreFinding> {
    const sets = ['updatedBy = :by', 'updatedAt = :at'];
    const removes: string[] = [];
    const values: Record<string, unknown> = { ':by': patch.updatedBy, ':at': patch.updatedAt };
    const names: Record<string, string> = {};
    if (patch.rootCause !== undefined) {
      sets.push('rootCause = :rc');
      values[':rc'] = patch.rootCause;
    }
    if (patch.correctiveAction !== undefined) {
      sets.push('correctiveAction = :ca');
      values[':ca'] = patch.correctiveAction;
    }
    if (patch.status !== undefined) {
      // `status` is a DynamoDB reserved word.
      names['#status'] = 'status';
      sets.push('#status = :st');
      values[':st'] = patch.status;
      if (patch.status === 'CLOSED') sets.push('closedAt = :at');
      else removes.push('closedAt');
    }
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: findingKeys.pk(tenantId), sk: findingKeys.sk(findingId) },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: values,
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toFinding(out.Attributes ?? {});
    } catch (error) {
      if (isConditionalCheckFailed(error))
        throw new NotFoundError('NoSuchFinding', `tenant ${tenantId} has no finding ${findingId}`);
      throw error;
    }
  }

  async addTimelineEntry(tenantId: string, findingId: string, entry: FindingTimelineEntry): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: findingKeys.pk(tenantId),
          sk: findingKeys.timelineSk(findingId, entry.at, randomUUID()),
          findingId,
          ...entry,
        },
      }),
    );
  }

  async timeline(tenantId: string, findingId: string): Promise<FindingTimelineEntry[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': findingKeys.pk(tenantId), ':prefix': findingKeys.timelinePrefix(findingId) },
    });
    return items.map(({ at, by, kind, text }) => ({ at, by, kind, text }) as FindingTimelineEntry);
  }

  async list(tenantId: string, options: { status?: FindingStatus } = {}): Promise<RestoreFinding[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': findingKeys.pk(tenantId), ':prefix': findingKeys.prefix },
    });
    return items
      .map(toFinding)
      .filter((f) => options.status === undefined || f.status === options.status)
      .sort((a, b) =>
        a.openedAt < b.openedAt ? 1 : a.openedAt > b.openedAt ? -1 : a.findingId < b.findingId ? -1 : 1,
      );
  }
}
