/**
 * Subscriptions and the delivery log on the main table, in the tenant's partitions (so the
 * tenant-access role's `dynamodb:LeadingKeys` `T#<tenant>#*` covers them):
 * - `T#<tenant>#NOTIFY` / `S#<id>`: a subscription (no credential: those are in the secret store);
 * - `T#<tenant>#NOTIFY` / `D#<subscription>#<event id>`: delivered (the idempotency mark);
 * - `T#<tenant>#NOTIFYLOG` / `L#<at>#<nonce>`: one delivery attempt, newest read first.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DeliveryLog, DeliveryRecord, SubscriptionStore } from '#core/notifications/ports.ts';
import type { Subscription } from '#core/notifications/subscription.ts';
import { documentClient, type Item, isConditionalCheckFailed, queryAll } from './dynamo-support.ts';

export const notificationKeys = {
  pk: (tenantId: string) => `T#${tenantId}#NOTIFY`,
  subscriptionSk: (id: string) => `S#${id}`,
  subscriptionPrefix: 'S#',
  deliveredSk: (subscriptionId: string, eventId: string) => `D#${subscriptionId}#${eventId}`,
  logPk: (tenantId: string) => `T#${tenantId}#NOTIFYLOG`,
  logSk: (at: string, nonce: string) => `L#${at}#${nonce}`,
  logPrefix: 'L#',
} as const;

export interface DynamoNotificationStoreOptions {
  tableName: string;
  client?: DynamoDBClient;
}

const DEFAULT_LOG_LIMIT = 100;

function strip(item: Item): Record<string, unknown> {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest;
}

export class DynamoNotificationStore implements SubscriptionStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoNotificationStoreOptions) {
    this.doc = documentClient(options.client);
    this.tableName = options.tableName;
  }

  async put(subscription: Subscription): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: notificationKeys.pk(subscription.tenantId),
          sk: notificationKeys.subscriptionSk(subscription.id),
          ...subscription,
        },
      }),
    );
  }

  async get(tenantId: string, id: string): Promise<Subscription | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: notificationKeys.pk(tenantId), sk: notificationKeys.subscriptionSk(id) },
        ConsistentRead: true,
      }),
    );
    return out.Item ? (strip(out.Item) as unknown as Subscription) : undefined;
  }

  async list(tenantId: string): Promise<Subscription[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: {
        ':pk': notificationKeys.pk(tenantId),
        ':prefix': notificationKeys.subscriptionPrefix,
      },
      ConsistentRead: true,
    });
    return items.map((item) => strip(item) as unknown as Subscription);
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: notificationKeys.pk(tenantId), sk: notificationKeys.subscriptionSk(id) },
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async append(record: DeliveryRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: notificationKeys.logPk(record.tenantId),
          sk: notificationKeys.logSk(record.at, randomUUID()),
          ...record,
        },
      }),
    );
  }

  async listLog(tenantId: string, limit: number, eventId?: string): Promise<DeliveryRecord[]> {
    const records: DeliveryRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': notificationKeys.logPk(tenantId), ':prefix': notificationKeys.logPrefix },
          ScanIndexForward: false,
          Limit: Math.min(1000, limit),
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const record = strip(item) as unknown as DeliveryRecord;
        if (eventId === undefined || record.eventId === eventId) records.push(record);
        if (records.length >= limit) return records;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return records;
  }

  async wasDelivered(tenantId: string, subscriptionId: string, eventId: string): Promise<boolean> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: notificationKeys.pk(tenantId), sk: notificationKeys.deliveredSk(subscriptionId, eventId) },
        ConsistentRead: true,
      }),
    );
    return out.Item !== undefined;
  }

  async markDelivered(tenantId: string, subscriptionId: string, eventId: string, at: string): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: notificationKeys.pk(tenantId), sk: notificationKeys.deliveredSk(subscriptionId, eventId), at },
      }),
    );
  }
}

/** The DeliveryLog view of the store (`list` there means subscriptions). */
export function deliveryLogOf(store: DynamoNotificationStore): DeliveryLog {
  return {
    append: (r) => store.append(r),
    list: (tenantId, options = {}) => store.listLog(tenantId, options.limit ?? DEFAULT_LOG_LIMIT, options.eventId),
    wasDelivered: (t, s, e) => store.wasDelivered(t, s, e),
    markDelivered: (t, s, e, at) => store.markDelivered(t, s, e, at),
  };
}
