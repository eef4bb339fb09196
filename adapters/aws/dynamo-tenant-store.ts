/**
 * TenantStore: the sweep's per-tenant state (`T#<tenant>#STATE / STATE`) and the AWS account →
 * tenant routing used to attribute AWS Backup events (`AWS#<accountId> / ROUTE`, one GetItem per
 * event). All writes are single-item conditional updates (dynalite has no transactions).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '#core/errors.ts';
import type { TenantState, TenantStore } from '#core/ports.ts';
import { keys } from './dynamo-keys.ts';
import { documentClient, isConditionalCheckFailed, iso } from './dynamo-support.ts';

export interface DynamoTenantStoreOptions {
  tableName: string;
  client?: DynamoDBClient;
}

export class DynamoTenantStore implements TenantStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoTenantStoreOptions) {
    this.doc = documentClient(options.client);
    this.tableName = options.tableName;
  }

  private stateKey(tenantId: string) {
    return { pk: keys.tenantStatePk(tenantId), sk: keys.tenantStateSk };
  }

  async get(tenantId: string): Promise<TenantState | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: this.stateKey(tenantId), ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    const state: TenantState = { tenantId };
    if (typeof out.Item.dirtySince === 'number') state.dirtySince = out.Item.dirtySince;
    if (typeof out.Item.nextDeadline === 'number') state.nextDeadline = out.Item.nextDeadline;
    if (typeof out.Item.lastVerifiedAt === 'number') state.lastVerifiedAt = out.Item.lastVerifiedAt;
    return state;
  }

  /**
   * Keeps the LATEST dirty mark: markVerified clears it only when it is not newer than the run,
   * so a fact that arrives while a verification is running keeps the tenant dirty.
   */
  async markDirty(tenantId: string, at: number): Promise<void> {
    await this.updateIgnoringStale({
      TableName: this.tableName,
      Key: this.stateKey(tenantId),
      UpdateExpression: 'SET tenantId = :t, dirtySince = :at, dirtySinceIso = :atIso',
      ConditionExpression: 'attribute_not_exists(dirtySince) OR dirtySince < :at',
      ExpressionAttributeValues: { ':t': tenantId, ':at': at, ':atIso': iso(at) },
    });
  }

  async markVerified(tenantId: string, verifiedAt: number, nextDeadline: number | undefined): Promise<void> {
    const deadline =
      nextDeadline === undefined
        ? { expr: ' REMOVE nextDeadline, nextDeadlineIso', values: {} }
        : {
            expr: ', nextDeadline = :next, nextDeadlineIso = :nextIso',
            values: { ':next': nextDeadline, ':nextIso': iso(nextDeadline) },
          };
    // A late markVerified of an older run must not move lastVerifiedAt / nextDeadline backwards.
    await this.updateIgnoringStale({
      TableName: this.tableName,
      Key: this.stateKey(tenantId),
      UpdateExpression: `SET tenantId = :t, lastVerifiedAt = :v, lastVerifiedIso = :vIso${deadline.expr}`,
      ConditionExpression: 'attribute_not_exists(lastVerifiedAt) OR lastVerifiedAt <= :v',
      ExpressionAttributeValues: { ':t': tenantId, ':v': verifiedAt, ':vIso': iso(verifiedAt), ...deadline.values },
    });
    await this.updateIgnoringStale({
      TableName: this.tableName,
      Key: this.stateKey(tenantId),
      UpdateExpression: 'REMOVE dirtySince, dirtySinceIso',
      ConditionExpression: 'dirtySince <= :v',
      ExpressionAttributeValues: { ':v': verifiedAt },
    });
  }

  /**
   * Routes each account to the tenant. An account already routed to ANOTHER tenant is refused
   * (ValidationError, nothing changed): its events would otherwise be silently attributed twice.
   * Accounts the tenant no longer declares lose their route.
   */
  async setAwsAccounts(tenantId: string, accountIds: readonly string[]): Promise<void> {
    const wanted = [...new Set(accountIds)].sort();
    const owners = await Promise.all(wanted.map((id) => this.tenantForAwsAccount(id)));
    const problems = wanted.flatMap((accountId, i) => {
      const owner = owners[i];
      return owner !== undefined && owner !== tenantId
        ? [
            {
              file: tenantId,
              path: 'sources.awsBackup.accounts',
              message: `AWS account ${accountId} already belongs to tenant ${owner}`,
            },
          ]
        : [];
    });
    if (problems.length > 0) throw new ValidationError('AwsAccountClaimed', problems);

    const listKey = { pk: keys.tenantStatePk(tenantId), sk: keys.tenantAccountsSk };
    const previous = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: listKey, ConsistentRead: true }),
    );
    const before = (previous.Item?.accountIds as string[] | undefined) ?? [];

    for (const accountId of wanted) {
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { pk: keys.accountRoutePk(accountId), sk: keys.accountRouteSk, accountId, tenantId },
            ConditionExpression: 'attribute_not_exists(pk) OR tenantId = :t',
            ExpressionAttributeValues: { ':t': tenantId },
          }),
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        throw new ValidationError('AwsAccountClaimed', [
          {
            file: tenantId,
            path: 'sources.awsBackup.accounts',
            message: `AWS account ${accountId} already belongs to another tenant`,
          },
        ]);
      }
    }
    for (const accountId of before.filter((id) => !wanted.includes(id))) {
      try {
        await this.doc.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { pk: keys.accountRoutePk(accountId), sk: keys.accountRouteSk },
            ConditionExpression: 'tenantId = :t',
            ExpressionAttributeValues: { ':t': tenantId },
          }),
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
    }
    await this.doc.send(
      new PutCommand({ TableName: this.tableName, Item: { ...listKey, tenantId, accountIds: wanted } }),
    );
  }

  async tenantForAwsAccount(accountId: string): Promise<string | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: keys.accountRoutePk(accountId), sk: keys.accountRouteSk },
        ConsistentRead: true,
      }),
    );
    return out.Item?.tenantId as string | undefined;
  }

  private async updateIgnoringStale(input: ConstructorParameters<typeof UpdateCommand>[0]): Promise<void> {
    try {
      await this.doc.send(new UpdateCommand(input));
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}
