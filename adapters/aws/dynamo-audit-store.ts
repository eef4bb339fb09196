/**
 * AuditStore on the main table. One partition per tenant's log, `T#<tenant>#AUDIT`:
 *   E#<seq, 12 digits>     an entry: its canonical body and hash
 *   D#<digestSeq, 12 digits> a digest: its canonical body, base64 DER signature and hash
 * Zero padding makes sort keys order numerically, so the head is a reverse Query with Limit 1.
 * New items are claimed with `attribute_not_exists(pk)`: the conditional put IS the lock, which
 * is how concurrent appenders serialise without transactions (dynalite has none).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuditStore, OnceClaim, OnceMark } from '#core/audit/ports.ts';
import type { StoredAuditDigest, StoredAuditEntry } from '#core/audit/types.ts';
import { documentClient, type Item, isConditionalCheckFailed } from './dynamo-support.ts';

export interface DynamoAuditStoreOptions {
  tableName: string;
  client?: DynamoDBClient;
}

const pad = (n: number) => String(n).padStart(12, '0');
export const auditDynamoKeys = {
  pk: (tenantId: string) => `T#${tenantId}#AUDIT`,
  entrySk: (seq: number) => `E#${pad(seq)}`,
  entryPrefix: 'E#',
  digestSk: (digestSeq: number) => `D#${pad(digestSeq)}`,
  digestPrefix: 'D#',
  /** Once-only append marks: after every E# and D# item, so head queries never see them. */
  onceSk: (key: string) => `K#${key}`,
} as const;

const PAGE = 500;

function toEntry(item: Item): StoredAuditEntry {
  return { seq: item.seq as number, entryHash: item.entryHash as string, body: item.body as string };
}

function toDigest(item: Item): StoredAuditDigest {
  return {
    digestSeq: item.digestSeq as number,
    firstSeq: item.firstSeq as number,
    lastSeq: item.lastSeq as number,
    body: item.body as string,
    signature: item.signature as string,
    digestSha256: item.digestSha256 as string,
  };
}

export class DynamoAuditStore implements AuditStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoAuditStoreOptions) {
    this.doc = documentClient(options.client);
    this.tableName = options.tableName;
  }

  private async last(tenantId: string, prefix: string): Promise<Item | undefined> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': auditDynamoKeys.pk(tenantId), ':prefix': prefix },
        ScanIndexForward: false,
        Limit: 1,
        // The head decides the next seq: a stale read would only cost a conditional-write retry,
        // but a consistent one avoids that retry in the common case.
        ConsistentRead: true,
      }),
    );
    return out.Items?.[0];
  }

  private async claim(item: Item): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  private async *range(tenantId: string, fromSk: string, toSk: string): AsyncGenerator<Item> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': auditDynamoKeys.pk(tenantId), ':from': fromSk, ':to': toSk },
          ConsistentRead: true,
          Limit: PAGE,
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        }),
      );
      for (const item of page.Items ?? []) yield item;
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
  }

  async headEntry(tenantId: string): Promise<StoredAuditEntry | undefined> {
    const item = await this.last(tenantId, auditDynamoKeys.entryPrefix);
    return item && toEntry(item);
  }

  putEntry(tenantId: string, entry: StoredAuditEntry): Promise<boolean> {
    return this.claim({ pk: auditDynamoKeys.pk(tenantId), sk: auditDynamoKeys.entrySk(entry.seq), ...entry });
  }

  async *listEntries(tenantId: string, fromSeq: number, toSeq?: number): AsyncIterable<StoredAuditEntry> {
    const to = toSeq === undefined ? `${auditDynamoKeys.entryPrefix}~` : auditDynamoKeys.entrySk(toSeq);
    for await (const item of this.range(tenantId, auditDynamoKeys.entrySk(fromSeq), to)) yield toEntry(item);
  }

  async headDigest(tenantId: string): Promise<StoredAuditDigest | undefined> {
    const item = await this.last(tenantId, auditDynamoKeys.digestPrefix);
    return item && toDigest(item);
  }

  putDigest(tenantId: string, digest: StoredAuditDigest): Promise<boolean> {
    return this.claim({ pk: auditDynamoKeys.pk(tenantId), sk: auditDynamoKeys.digestSk(digest.digestSeq), ...digest });
  }

  async getOnceMark(tenantId: string, key: string): Promise<OnceMark | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: auditDynamoKeys.pk(tenantId), sk: auditDynamoKeys.onceSk(key) },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return undefined;
    const { claimedAt, headSeqAtClaim, seq } = out.Item as OnceMark;
    return seq === undefined ? { claimedAt, headSeqAtClaim } : { claimedAt, headSeqAtClaim, seq };
  }

  async claimOnceMark(tenantId: string, key: string, claim: OnceClaim, replacing?: OnceClaim): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: auditDynamoKeys.pk(tenantId), sk: auditDynamoKeys.onceSk(key), ...claim },
          ...(replacing === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'claimedAt = :at AND attribute_not_exists(seq)',
                ExpressionAttributeValues: { ':at': replacing.claimedAt },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async completeOnceMark(tenantId: string, key: string, seq: number): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: auditDynamoKeys.pk(tenantId), sk: auditDynamoKeys.onceSk(key) },
        UpdateExpression: 'SET seq = :seq',
        ExpressionAttributeValues: { ':seq': seq },
      }),
    );
  }

  async *listDigests(tenantId: string): AsyncIterable<StoredAuditDigest> {
    const from = auditDynamoKeys.digestSk(1);
    for await (const item of this.range(tenantId, from, `${auditDynamoKeys.digestPrefix}~`)) yield toDigest(item);
  }
}
