/**
 * The DynamoDB stores on Reversa's single table, the same in AWS and on the local cloud (dynalite):
 * only the client differs (credentials and endpoint).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoAuditStore } from '#adapters/aws/dynamo-audit-store.ts';
import { DynamoFactStore } from '#adapters/aws/dynamo-fact-store.ts';
import { DynamoFindingStore } from '#adapters/aws/dynamo-finding-store.ts';
import { DynamoReportStore } from '#adapters/aws/dynamo-report-store.ts';
import { DynamoRestoreTestStore } from '#adapters/aws/dynamo-restore-test-store.ts';
import { DynamoStrategyStore } from '#adapters/aws/dynamo-strategy-store.ts';
import { DynamoTenantStore } from '#adapters/aws/dynamo-tenant-store.ts';

export function tableStores(table: { tableName: string; client: DynamoDBClient }) {
  return {
    auditStore: new DynamoAuditStore(table),
    stores: {
      facts: new DynamoFactStore(table),
      strategies: new DynamoStrategyStore(table),
      reports: new DynamoReportStore(table),
      tenants: new DynamoTenantStore(table),
      restoreTests: new DynamoRestoreTestStore(table),
      findings: new DynamoFindingStore(table),
    },
  };
}
