/**
 * Portal users in the Cognito user pool: the role is a group (one per role), the tenants and an
 * auditor's access window are custom attributes (`custom:tenants`, `custom:access_until`) that
 * Cognito copies into the ID token, which is what the API verifies. Passwords stay in Cognito: the
 * one given to `user add` is set as permanent (AdminSetUserPassword), never stored by Reversa.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminListGroupsForUserCommand,
  AdminSetUserPasswordCommand,
  type CognitoIdentityProviderClient,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { ConflictError } from '#core/errors.ts';
import { CLAIMS } from '#core/identity/principal.ts';
import { isRole, type Role } from '#core/identity/roles.ts';
import type { NewUser, PortalUser, UserDirectory } from '#core/identity/users.ts';
import type { SecretValue } from '#core/secrets/secret-value.ts';
import { mapSdkError } from './sdk-errors.ts';

async function cognito<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof Error && error.name === 'UsernameExistsException') {
      throw new ConflictError('UserExists', 'the user exists already');
    }
    throw mapSdkError(error, 'Cognito', operation, { accessDeniedHint: 'the CLI needs the stack’s user-admin policy' });
  }
}

const attribute = (user: UserType, name: string) => user.Attributes?.find((a) => a.Name === name)?.Value;

export class CognitoUserDirectory implements UserDirectory {
  constructor(private readonly options: { userPoolId: string; client: CognitoIdentityProviderClient }) {}

  async add(user: NewUser, password: SecretValue, now: number): Promise<PortalUser> {
    const { client, userPoolId } = this.options;
    const created = await cognito('AdminCreateUser', () =>
      client.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: user.email,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: user.email },
            { Name: 'email_verified', Value: 'true' },
            { Name: CLAIMS.tenants, Value: user.tenants.join(',') },
            ...(user.accessUntil === undefined ? [] : [{ Name: CLAIMS.accessUntil, Value: user.accessUntil }]),
          ],
        }),
      ),
    );
    await cognito('AdminSetUserPassword', () =>
      client.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: userPoolId,
          Username: user.email,
          Password: password.use((bytes) => Buffer.from(bytes).toString('utf8')),
          Permanent: true,
        }),
      ),
    );
    await cognito('AdminAddUserToGroup', () =>
      client.send(
        new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: user.email, GroupName: user.role }),
      ),
    );
    return {
      ...user,
      createdAt: (created.User?.UserCreateDate ?? new Date(now)).toISOString(),
      subject: attribute(created.User ?? {}, 'sub') ?? user.email,
    };
  }

  async list(): Promise<PortalUser[]> {
    const { client, userPoolId } = this.options;
    const users: PortalUser[] = [];
    let token: string | undefined;
    do {
      const page = await cognito('ListUsers', () =>
        client.send(new ListUsersCommand({ UserPoolId: userPoolId, ...(token ? { PaginationToken: token } : {}) })),
      );
      for (const u of page.Users ?? []) {
        const groups = await cognito('AdminListGroupsForUser', () =>
          client.send(new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: u.Username })),
        );
        const role = (groups.Groups ?? []).map((g) => g.GroupName).find(isRole) as Role | undefined;
        if (!role) continue; // a pool user without a Reversa role cannot use the API: not listed as a portal user
        const tenants = attribute(u, CLAIMS.tenants);
        const until = attribute(u, CLAIMS.accessUntil);
        users.push({
          email: attribute(u, 'email') ?? u.Username ?? '',
          role,
          tenants: tenants ? tenants.split(',') : [],
          ...(until ? { accessUntil: until } : {}),
          createdAt: (u.UserCreateDate ?? new Date(0)).toISOString(),
          subject: attribute(u, 'sub') ?? u.Username ?? '',
        });
      }
      token = page.PaginationToken;
    } while (token);
    return users.sort((a, b) => a.email.localeCompare(b.email));
  }

  async remove(email: string): Promise<boolean> {
    const { client, userPoolId } = this.options;
    try {
      await client.send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: email }));
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'UserNotFoundException') return false;
      throw mapSdkError(error, 'Cognito', 'AdminDeleteUser');
    }
  }
}
