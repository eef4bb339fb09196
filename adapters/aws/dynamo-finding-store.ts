/**
 * FindingStore for findings (restore-test and verification incidents) on the main table: pk
 * `T#<tenant>#RFINDING`, sk `F#<findingId>`; timeline entries beside them under `E#<findingId>#`.
 * Opening is a conditional put (the first one wins: a retried Record cannot reset root cause or
 * state the provider already filled in); saving is conditional on the revision it was read at.
 * Both mark the finding in the partition's write generation (`W#GEN`, partition-generation.ts)
 * around the write, so `list` (every status request counts the open findings) serves the
 * finding items from memory while that generation is unchanged and settled, and reads them
 * again otherwise. Callers get copies: nothing they do to a record reaches the memory.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '#core/errors.ts';
import type { IncidentSource } from '#core/incidents/model.ts';
import type {
  FindingStatus,
  FindingStore,
  FindingTimelineEntry,
  IncidentRecord,
  RestoreFinding,
  VerificationIncident,
} from '#core/restore/ports.ts';
import { documentClient, type Item, isConditionalCheckFailed, queryAll } from './dynamo-support.ts';
import {
  GENERATION_SK,
  GenerationMemo,
  type GenerationTable,
  markWriting,
  readGeneration,
  writeDone,
} from './partition-generation.ts';

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
  keyedTimelineSk: (findingId: string, key: string) => `E#${findingId}#K#${key}`,
  generationSk: GENERATION_SK,
} as const;

function toFinding(item: Item): IncidentRecord {
  const { pk: _pk, sk: _sk, ...finding } = item;
  return finding as unknown as IncidentRecord;
}

export class DynamoFindingStore implements FindingStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly table: GenerationTable;
  /** The partition's finding items (not timeline entries), as read at one generation. */
  private readonly findings = new GenerationMemo<readonly Item[]>();

  constructor(options: DynamoFindingStoreOptions) {
    this.doc = documentClient(options.client);
    this.tableName = options.tableName;
    this.table = { doc: this.doc, tableName: this.tableName };
  }

  /**
   * `write` between the finding's mark and the generation bump. The mark stays when the write's
   * fate is unknown (an error other than a refused condition): memory is then off until a retry.
   */
  private async generationWrite<T>(tenantId: string, findingId: string, write: () => Promise<T>): Promise<T> {
    const pk = findingKeys.pk(tenantId);
    await markWriting(this.table, pk, findingId);
    let result: T;
    try {
      result = await write();
    } catch (error) {
      if (isConditionalCheckFailed(error)) await writeDone(this.table, pk, findingId);
      throw error;
    }
    await writeDone(this.table, pk, findingId);
    return result;
  }

  open(finding: IncidentRecord): Promise<boolean> {
    return this.generationWrite(finding.tenantId, finding.findingId, () => this.claim(finding));
  }

  private async claim(finding: IncidentRecord): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: findingKeys.pk(finding.tenantId), sk: findingKeys.sk(finding.findingId), ...finding },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      return false;
    }
  }

  async get(tenantId: string, findingId: string): Promise<IncidentRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: findingKeys.pk(tenantId), sk: findingKeys.sk(findingId) },
        ConsistentRead: true,
      }),
    );
    return out.Item ? toFinding(out.Item) : undefined;
  }

  async save(record: IncidentRecord, expectedRevision: number): Promise<void> {
    try {
      await this.generationWrite(record.tenantId, record.findingId, () => this.replace(record, expectedRevision));
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        throw new ConflictError(
          'IncidentChanged',
          `finding ${record.findingId} of tenant ${record.tenantId} changed since it was read (or is gone): read it again`,
        );
      }
      throw error;
    }
  }

  private async replace(record: IncidentRecord, expectedRevision: number): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: findingKeys.pk(record.tenantId), sk: findingKeys.sk(record.findingId), ...record },
        // Records older than the lifecycle carry no revision: they are at 0.
        ConditionExpression:
          expectedRevision === 0
            ? 'attribute_exists(pk) AND (attribute_not_exists(revision) OR revision = :rev)'
            : 'attribute_exists(pk) AND revision = :rev',
        ExpressionAttributeValues: { ':rev': expectedRevision },
      }),
    );
  }

  async addTimelineEntry(
    tenantId: string,
    findingId: string,
    entry: FindingTimelineEntry,
    options: { key?: string } = {},
  ): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: findingKeys.pk(tenantId),
          // A keyed entry lands on one item whatever its time: a retried step overwrites it with itself.
          sk:
            options.key === undefined
              ? findingKeys.timelineSk(findingId, entry.at, randomUUID())
              : findingKeys.keyedTimelineSk(findingId, options.key),
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
    // Keyed entries sort after timed ones in the table: order by time, the table's order breaking ties.
    return items
      .map(({ at, by, kind, text }) => ({ at, by, kind, text }) as FindingTimelineEntry)
      .map((entry, index) => ({ entry, index }))
      .sort((a, b) => (a.entry.at < b.entry.at ? -1 : a.entry.at > b.entry.at ? 1 : a.index - b.index))
      .map(({ entry }) => entry);
  }

  list(tenantId: string, options: { status?: FindingStatus; source: 'restore-test' }): Promise<RestoreFinding[]>;
  list(tenantId: string, options: { status?: FindingStatus; source: 'verification' }): Promise<VerificationIncident[]>;
  list(tenantId: string, options?: { status?: FindingStatus; source?: IncidentSource }): Promise<IncidentRecord[]>;
  async list(
    tenantId: string,
    options: { status?: FindingStatus; source?: IncidentSource } = {},
  ): Promise<IncidentRecord[]> {
    const pk = findingKeys.pk(tenantId);
    const generation = await readGeneration(this.table, pk);
    let items = this.findings.get(pk, generation);
    if (items === undefined) {
      // Consistent, and after the generation read: what serving it from memory later relies on.
      items = await queryAll(this.doc, {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': findingKeys.prefix },
        ConsistentRead: true,
      });
      this.findings.set(pk, generation, items);
    }
    return items
      .filter((f) => options.status === undefined || f.status === options.status)
      .filter((f) => options.source === undefined || (f.source ?? 'restore-test') === options.source)
      .map((item) => toFinding(structuredClone(item)))
      .sort((a, b) =>
        a.openedAt < b.openedAt ? 1 : a.openedAt > b.openedAt ? -1 : a.findingId < b.findingId ? -1 : 1,
      );
  }
}
