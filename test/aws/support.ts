/** Shared by the `aws` project's files: moto's account and region, unique names, and the main table as CDK makes it. */
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';

export { MOTO_ACCOUNT_ID, MOTO_REGION } from './account.ts';

export function motoEndpoint(): string {
  return inject('motoEndpoint');
}

/**
 * A name no other file (or run against the same server) uses: files share one moto server and run in
 * parallel, so each creates its own tables, buckets, keys and secrets instead of resetting the server.
 * Lower-case letters, digits and `-`, valid as a bucket, table, secret, vault or schedule name.
 */
export function uniqueName(label: string): string {
  return `${label}-${randomBytes(5).toString('hex')}`;
}

/** The main table as infra/stateful-stack.ts declares it: string pk/sk, on demand, no index. */
export async function createMainTable(label: string, client = new DynamoDBClient({})): Promise<string> {
  const tableName = uniqueName(label);
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return tableName;
}

/** One SDK command as the adapter sent it (after its own marshalling, before signing). */
export interface SentCommand {
  command: string;
  input: Record<string, unknown>;
}

/** Records every command sent through `client` (any SDK v3 client), to assert the calls an adapter makes. */
export function recordCommands(client: { middlewareStack: unknown }): SentCommand[] {
  const sent: SentCommand[] = [];
  // Every client's stack has this shape; only the input/output types differ, and the recorder reads neither.
  (client.middlewareStack as DynamoDBClient['middlewareStack']).add(
    (next, context) => async (args) => {
      sent.push({ command: String(context.commandName), input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return sent;
}
