/**
 * ReportStore: one small index row per verification run (`T#<tenant>#REPORT / R#<evaluatedAt>#<runId>`,
 * newest-first listing is a reverse Query) plus a `LATEST` pointer moved only forward, so a
 * retried or late persist of an older run never hides a newer report.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '#core/errors.ts';
import type { ReportRange, ReportStore, ReportSummary } from '#core/ports.ts';
import { keys } from './dynamo-keys.ts';
import { documentClient, type Item, isConditionalCheckFailed } from './dynamo-support.ts';

export interface DynamoReportStoreOptions {
  tableName: string;
  client?: DynamoDBClient;
}

function toSummary(item: Item): ReportSummary {
  const { pk: _pk, sk: _sk, evaluatedAtMs: _ms, ...summary } = item;
  return summary as unknown as ReportSummary;
}

export class DynamoReportStore implements ReportStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoReportStoreOptions) {
    this.doc = documentClient(options.client);
    this.tableName = options.tableName;
  }

  async putReport(summary: ReportSummary): Promise<void> {
    const evaluatedAtMs = Date.parse(summary.evaluatedAt);
    if (Number.isNaN(evaluatedAtMs)) {
      throw new ValidationError('InvalidReportSummary', [
        { file: summary.reportKey, path: 'evaluatedAt', message: 'expected an ISO-8601 timestamp' },
      ]);
    }
    // Normalised so the sort key orders runs by time whatever ISO form the caller used.
    const evaluatedAt = new Date(evaluatedAtMs).toISOString();
    const body = { ...summary, evaluatedAtMs };
    const pk = keys.reportPk(summary.tenantId);
    // Same (tenant, run) → same key → the put is idempotent.
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk, sk: keys.reportSk(evaluatedAt, summary.runId), ...body },
      }),
    );
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk, sk: keys.latestSk, ...body },
          ConditionExpression:
            'attribute_not_exists(pk) OR evaluatedAtMs < :ms OR (evaluatedAtMs = :ms AND runId <= :run)',
          ExpressionAttributeValues: { ':ms': evaluatedAtMs, ':run': summary.runId },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async getLatest(tenantId: string): Promise<ReportSummary | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: keys.reportPk(tenantId), sk: keys.latestSk },
        ConsistentRead: true,
      }),
    );
    return out.Item ? toSummary(out.Item) : undefined;
  }

  async listReports(tenantId: string, limit: number, range: ReportRange = {}): Promise<ReportSummary[]> {
    if (limit <= 0) return [];
    // Sort keys are `R#<ISO>#<runId>` with normalised ISO times, so [from, to) is the key range
    // [`R#<from>`, `R#<to>`]: `R#<to>#…` sorts after `R#<to>`. `R$` is the first key after every `R#…`.
    const lower = range.from === undefined ? keys.reportPrefix : `${keys.reportPrefix}${isoOf(range.from, 'from')}`;
    const upper = range.to === undefined ? 'R$' : `${keys.reportPrefix}${isoOf(range.to, 'to')}`;
    if (lower >= upper) return [];
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    // A Query page stops at 1 MB (a few hundred summaries with their late lists): keep reading.
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lower AND :upper',
          ExpressionAttributeValues: { ':pk': keys.reportPk(tenantId), ':lower': lower, ':upper': upper },
          ScanIndexForward: false,
          Limit: limit - items.length,
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        }),
      );
      for (const item of page.Items ?? []) if (item.sk !== upper) items.push(item);
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && items.length < limit);
    return items.slice(0, limit).map(toSummary);
  }
}

function isoOf(text: string, path: string): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) {
    throw new ValidationError('InvalidReportRange', [
      { file: '<report range>', path, message: `expected an ISO-8601 timestamp, got "${text.slice(0, 40)}"` },
    ]);
  }
  return new Date(ms).toISOString();
}
