/**
 * Portal users and the checks on a new one. In AWS they live in the Cognito user pool (role as a
 * group, tenants and access window as custom attributes); locally in the local identity provider's
 * directory. Either way the CLI (`reversa user add|list|remove`) manages them through this port.
 */
import { type Problem, ValidationError } from '../errors.ts';
import type { SecretValue } from '../secrets/secret-value.ts';
import { ALL_TENANT_ROLES, isRole, ROLES, type Role } from './roles.ts';

export interface PortalUser {
  email: string;
  role: Role;
  tenants: string[];
  /** ISO-8601: after it every request of this user is refused (auditors). */
  accessUntil?: string;
  createdAt: string;
  /** Stable subject of the tokens issued to this user. */
  subject: string;
}

export interface NewUser {
  email: string;
  role: Role;
  tenants: string[];
  accessUntil?: string;
}

export interface UserDirectory {
  /** Adds a user with its initial password; an email already there is a ConflictError. */
  add(user: NewUser, password: SecretValue, now: number): Promise<PortalUser>;
  list(): Promise<PortalUser[]>;
  /** False when there was no such user. */
  remove(email: string): Promise<boolean>;
}

const EMAIL = /^[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/;
const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_BYTES = 1024;

/** Every problem with a new user at once, each naming the flag it came from. */
export function checkNewUser(input: {
  email: string;
  role: string;
  tenants: readonly string[];
  accessUntil?: string;
}): NewUser {
  const problems: Problem[] = [];
  const at = (path: string, message: string) => problems.push({ file: '<command line>', path, message });
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email)) at('--email', `expected an e-mail address, got ${JSON.stringify(input.email.slice(0, 80))}`);
  if (!isRole(input.role)) at('--role', `expected one of ${ROLES.join(', ')}, got ${JSON.stringify(input.role)}`);
  for (const t of input.tenants)
    if (!TENANT_ID.test(t)) at('--tenant', `expected a tenant id, got ${JSON.stringify(t)}`);
  const role = input.role as Role;
  if (isRole(role) && !ALL_TENANT_ROLES.includes(role) && input.tenants.length === 0) {
    at('--tenant', `a ${role} needs at least one --tenant`);
  }
  if (isRole(role) && ALL_TENANT_ROLES.includes(role) && input.tenants.length > 0) {
    at('--tenant', `a ${role} sees every tenant: give no --tenant`);
  }
  if (role === 'auditor' && input.accessUntil === undefined) at('--expires', 'an auditor needs an access window');
  if (problems.length > 0) throw new ValidationError('BadUser', problems);
  return {
    email,
    role,
    tenants: [...new Set(input.tenants)].sort(),
    ...(input.accessUntil === undefined ? {} : { accessUntil: input.accessUntil }),
  };
}

export function checkPassword(password: SecretValue): void {
  if (password.byteLength < MIN_PASSWORD_LENGTH || password.byteLength > MAX_PASSWORD_BYTES) {
    throw new ValidationError('BadPassword', [
      {
        file: '<stdin>',
        path: 'password',
        message: `expected a password of ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_BYTES} bytes`,
      },
    ]);
  }
}
