/**
 * StrategyStore: every applied version is an immutable item `T#<tenant>#STRATEGY / V#<version>`.
 * The newest version item IS the current one (no separate pointer that could lag behind), and a
 * new version is claimed with `attribute_not_exists`: two concurrent applies cannot both get
 * version N; the loser re-reads and takes N+1 (or returns N if it carried the same content).
 */
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

export class DynamoStrategyStore implements StrategyStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

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
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.strategyPk(tenantId), ':prefix': keys.strategyVersionPrefix },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const item = out.Items?.[0];
    return item ? toVersion(item) : undefined;
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
