/**
 * StrategyStore: every applied version is an immutable item `T#<tenant>#STRATEGY / V#<version>`.
 * The newest version item IS the current one (no separate pointer that could lag behind), and a
 * new version is claimed with `attribute_not_exists`: two concurrent applies cannot both get
 * version N; the loser re-reads and takes N+1 (or returns N if it carried the same content).
 * Reading the current version (every status and dossier readiness does) fetches the item without
 * its source, which is large (~80 KB for 1,000 resources), and takes the source from a small
 * content-addressed memo: a text is kept under its own SHA-256 only after hashing it, so a hit is
 * exactly the text the item's contentSha256 names, whatever happened to the table since.
 */
import { createHash } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { InternalError } from '#core/errors.ts';
import type { StoredStrategyVersion, StrategyStore } from '#core/ports.ts';
import { keys } from './dynamo-keys.ts';
import { documentClient, type Item, isConditionalCheckFailed, iso, queryAll } from './dynamo-support.ts';

export interface DynamoStrategyStoreOptions {
  tableName: string;
  client?: DynamoDBClient;
}

/** Enough for any realistic burst of concurrent applies on one tenant; beyond it something is wrong. */
const MAX_CLAIM_ATTEMPTS = 50;

function toVersion(item: Item): StoredStrategyVersion {
  return {
    tenantId: item.tenantId as string,
    version: item.version as number,
    contentSha256: item.contentSha256 as string,
    appliedAt: item.appliedAt as number,
    author: item.author as string,
    source: item.source as string,
    fileName: item.fileName as string,
  };
}

/** Every attribute of a version item but its source. */
const WITHOUT_SOURCE = 'tenantId, version, contentSha256, appliedAt, author, fileName';
/** Sources kept per store (one per tenant in the API): the current version and a few recent ones. */
const SOURCE_MEMO_CAPACITY = 4;

export class DynamoStrategyStore implements StrategyStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  /** contentSha256 → source, each verified by hashing before it is kept. */
  private readonly sources = new Map<string, string>();

  constructor(options: DynamoStrategyStoreOptions) {
    this.doc = documentClient(options.client);
    this.tableName = options.tableName;
  }

  async putVersion(
    v: Omit<StoredStrategyVersion, 'version'>,
  ): Promise<{ version: StoredStrategyVersion; created: boolean }> {
    await this.registerTenant(v.tenantId);
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const current = await this.getCurrent(v.tenantId);
      if (current && current.contentSha256 === v.contentSha256) return { version: current, created: false };
      const version: StoredStrategyVersion = { ...v, version: (current?.version ?? 0) + 1 };
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              pk: keys.strategyPk(v.tenantId),
              sk: keys.strategyVersionSk(version.version),
              ...version,
              appliedAtIso: iso(version.appliedAt),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return { version, created: true };
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        // Someone else claimed this version number first: re-read and try the next one.
      }
    }
    throw new InternalError('StrategyVersionContention', `could not claim a strategy version for ${v.tenantId}`);
  }

  async getCurrent(tenantId: string): Promise<StoredStrategyVersion | undefined> {
    const head = await this.newestItem(tenantId, WITHOUT_SOURCE);
    if (head === undefined) return undefined;
    const source = this.sources.get(head.contentSha256 as string);
    if (source !== undefined) {
      this.sources.delete(head.contentSha256 as string);
      this.sources.set(head.contentSha256 as string, source);
      return toVersion({ ...head, source });
    }
    // Not seen yet (a new version, or a new process): the whole item, as before.
    const item = await this.newestItem(tenantId);
    if (item === undefined) return undefined;
    const version = toVersion(item);
    if (createHash('sha256').update(version.source, 'utf8').digest('hex') === version.contentSha256) {
      this.sources.set(version.contentSha256, version.source);
      if (this.sources.size > SOURCE_MEMO_CAPACITY) this.sources.delete(this.sources.keys().next().value as string);
    }
    return version;
  }

  /** The newest version item (the current one), whole or with only `projection`. */
  private async newestItem(tenantId: string, projection?: string): Promise<Item | undefined> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.strategyPk(tenantId), ':prefix': keys.strategyVersionPrefix },
        ...(projection === undefined ? {} : { ProjectionExpression: projection }),
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    return out.Items?.[0];
  }

  async getVersion(tenantId: string, version: number): Promise<StoredStrategyVersion | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: keys.strategyPk(tenantId), sk: keys.strategyVersionSk(version) },
        ConsistentRead: true,
      }),
    );
    return out.Item ? toVersion(out.Item) : undefined;
  }

  async listTenants(): Promise<string[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.tenantsPk },
      ConsistentRead: true,
    });
    return items.map((item) => item.tenantId as string);
  }

  /** The tenant index row (idempotent blind put): listing tenants is one Query, never a Scan. */
  private async registerTenant(tenantId: string): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: keys.tenantsPk, sk: keys.tenantSk(tenantId), tenantId },
      }),
    );
  }
}
