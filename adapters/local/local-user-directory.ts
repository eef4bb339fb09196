/**
 * The local identity provider's users: one item per user in the local cloud's table (`USERS` /
 * `U#<email>`), the password as an Argon2id PHC string. Created with a conditional put, so two
 * `user add` of one email keep the first. In AWS, Cognito holds users instead (cognito-user-directory).
 */

import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '#core/errors.ts';
import { hashPassword, verifyPassword } from '#core/identity/password.ts';
import type { NewUser, PortalUser, UserDirectory } from '#core/identity/users.ts';
import { SecretValue } from '#core/secrets/secret-value.ts';
import { documentClient, isConditionalCheckFailed } from '../aws/dynamo-support.ts';

const PK = 'USERS';
const skOf = (email: string) => `U#${email.toLowerCase()}`;

interface UserItem extends PortalUser {
  pk: string;
  sk: string;
  passwordHash: string;
}

function userOf(item: Record<string, unknown>): PortalUser {
  const { pk: _pk, sk: _sk, passwordHash: _hash, ...user } = item as unknown as UserItem;
  return user;
}

export class LocalUserDirectory implements UserDirectory {
  private readonly doc;

  constructor(private readonly options: { tableName: string; client: DynamoDBClient }) {
    this.doc = documentClient(options.client);
  }

  async add(user: NewUser, password: SecretValue, now: number): Promise<PortalUser> {
    const stored: PortalUser = {
      email: user.email,
      role: user.role,
      tenants: user.tenants,
      ...(user.accessUntil === undefined ? {} : { accessUntil: user.accessUntil }),
      createdAt: new Date(now).toISOString(),
      subject: randomUUID(),
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: { pk: PK, sk: skOf(user.email), ...stored, passwordHash: await hashPassword(password) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new ConflictError('UserExists', `user ${user.email} exists already`);
      throw error;
    }
    return stored;
  }

  async list(): Promise<PortalUser[]> {
    const users: PortalUser[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': PK },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      users.push(...(page.Items ?? []).map(userOf));
      start = page.LastEvaluatedKey;
    } while (start);
    return users.sort((a, b) => a.email.localeCompare(b.email));
  }

  async remove(email: string): Promise<boolean> {
    const out = await this.doc.send(
      new DeleteCommand({
        TableName: this.options.tableName,
        Key: { pk: PK, sk: skOf(email) },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return out.Attributes !== undefined;
  }

  /**
   * The user whose password this is, or undefined. An unknown email costs a hash too, so a caller
   * cannot tell from the time taken whether the account exists.
   */
  async authenticate(email: string, password: SecretValue): Promise<PortalUser | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.options.tableName, Key: { pk: PK, sk: skOf(email) } }),
    );
    const item = out.Item as UserItem | undefined;
    const ok = await verifyPassword(password, item?.passwordHash ?? (await dummyHash()));
    return item && ok ? userOf(item as unknown as Record<string, unknown>) : undefined;
  }
}

/** A hash of a random password nobody knows: what an unknown account is compared with (same cost). */
let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= hashPassword(SecretValue.fromUtf8(randomUUID()));
  return dummy;
}
