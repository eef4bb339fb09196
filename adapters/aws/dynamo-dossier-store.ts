/**
 * DossierStore on the main table: `T#<tenant>#DOSSIER` / `V#<10-digit version>` rows, each claimed
 * with attribute_not_exists (two exports racing for the same number: one wins, the other publishes
 * nothing), never rewritten except for the one-time auditSeq stamp; plus a `LATEST` pointer moved
 * only forward. Single-item conditional writes only: dynalite has no transactions.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DossierStore, DossierVersion } from '#core/dossier/ports.ts';
import { ValidationError } from '#core/errors.ts';
import { documentClient, type Item, isConditionalCheckFailed } from './dynamo-support.ts';

export interface DynamoDossierStoreOptions {
  tableName: string;
  client?: DynamoDBClient;
}

export const dossierKeys = {
  pk: (tenantId: string) => `T#${tenantId}#DOSSIER`,
  versionSk: (version: number) => `V#${String(version).padStart(10, '0')}`,
  versionPrefix: 'V#',
  latestSk: 'LATEST',
  reservationSk: (version: number) => `R#${String(version).padStart(10, '0')}`,
} as const;

function toVersion(item: Item): DossierVersion {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as unknown as DossierVersion;
}

export class DynamoDossierStore implements DossierStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoDossierStoreOptions) {
    this.doc = documentClient(options.client);
    this.tableName = options.tableName;
  }

  async putVersion(version: DossierVersion): Promise<boolean> {
    if (!Number.isSafeInteger(version.version) || version.version < 1) {
      throw new ValidationError('InvalidDossierVersion', [
        { file: 'dossier', path: 'version', message: 'expected a whole number from 1' },
      ]);
    }
    const pk = dossierKeys.pk(version.tenantId);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk, sk: dossierKeys.versionSk(version.version), ...version },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk, sk: dossierKeys.latestSk, ...version },
          ConditionExpression: 'attribute_not_exists(pk) OR version < :v',
          ExpressionAttributeValues: { ':v': version.version },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    return true;
  }

  async getVersion(tenantId: string, version: number): Promise<DossierVersion | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: dossierKeys.pk(tenantId), sk: dossierKeys.versionSk(version) },
        ConsistentRead: true,
      }),
    );
    return out.Item ? toVersion(out.Item) : undefined;
  }

  async getLatest(tenantId: string): Promise<DossierVersion | undefined> {
    // The version rows are the truth; the pointer may lag a crash between the two puts.
    const [newest] = await this.list(tenantId, 1);
    return newest;
  }

  async list(tenantId: string, limit = 1000): Promise<DossierVersion[]> {
    if (limit <= 0) return [];
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': dossierKeys.pk(tenantId), ':prefix': dossierKeys.versionPrefix },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map(toVersion);
  }

  async reserve(
    tenantId: string,
    version: number,
    exportId: string,
    at: number,
    staleBefore: number,
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: dossierKeys.pk(tenantId), sk: dossierKeys.reservationSk(version), exportId, reservedAt: at },
          ConditionExpression: 'attribute_not_exists(pk) OR exportId = :id OR reservedAt < :stale',
          ExpressionAttributeValues: { ':id': exportId, ':stale': staleBefore },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async reservedBy(tenantId: string, version: number): Promise<string | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: dossierKeys.pk(tenantId), sk: dossierKeys.reservationSk(version) },
        ConsistentRead: true,
      }),
    );
    return typeof out.Item?.exportId === 'string' ? out.Item.exportId : undefined;
  }

  async release(tenantId: string, version: number, exportId: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: dossierKeys.pk(tenantId), sk: dossierKeys.reservationSk(version) },
          ConditionExpression: 'exportId = :id',
          ExpressionAttributeValues: { ':id': exportId },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async markAudited(tenantId: string, version: number, auditSeq: number): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: dossierKeys.pk(tenantId), sk: dossierKeys.versionSk(version) },
          UpdateExpression: 'SET auditSeq = :seq',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(auditSeq)',
          ExpressionAttributeValues: { ':seq': auditSeq },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}
