/**
 * The caller of an API request, from a verified token's claims. The token shape is Cognito's ID
 * token, which the local identity provider imitates: `cognito:groups` carries the role, the custom
 * attribute `custom:tenants` the comma-separated tenants, `custom:access_until` the end of an
 * auditor's access window. Anything malformed is no principal at all (the request is refused).
 */
import { ALL_TENANT_ROLES, isRole, type Role } from './roles.ts';

export interface Principal {
  subject: string;
  email: string;
  role: Role;
  /** Tenants the principal may address; empty for roles that see every tenant. */
  tenants: readonly string[];
  /** Epoch ms after which every request is refused (auditors' access window). */
  accessUntil?: number;
  /** Epoch ms the token expires. */
  expiresAt: number;
}

export const CLAIMS = {
  groups: 'cognito:groups',
  tenants: 'custom:tenants',
  accessUntil: 'custom:access_until',
  email: 'email',
} as const;

const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A principal from verified claims, or the reason there is none. */
export function principalFromClaims(claims: Record<string, unknown>): Principal | string {
  const groups = claims[CLAIMS.groups];
  const roles = Array.isArray(groups) ? groups.filter(isRole) : [];
  // One role per user: a token claiming two is refused rather than guessed at.
  if (roles.length !== 1) return `expected exactly one Reversa role in ${CLAIMS.groups}`;
  const role = roles[0] as Role;
  const subject = claims.sub;
  const email = claims[CLAIMS.email];
  const exp = claims.exp;
  if (typeof subject !== 'string' || subject === '') return 'the token names no subject';
  if (typeof email !== 'string') return 'the token names no email';
  if (typeof exp !== 'number') return 'the token has no expiry';
  const tenantsText = claims[CLAIMS.tenants];
  const tenants =
    typeof tenantsText === 'string' && tenantsText !== '' ? tenantsText.split(',').map((t) => t.trim()) : [];
  if (!tenants.every((t) => TENANT_ID.test(t))) return `${CLAIMS.tenants} holds an invalid tenant id`;
  if (!ALL_TENANT_ROLES.includes(role) && tenants.length === 0) return `role ${role} needs ${CLAIMS.tenants}`;
  const principal: Principal = { subject, email, role, tenants, expiresAt: exp * 1000 };
  const until = claims[CLAIMS.accessUntil];
  if (until !== undefined) {
    const ms = typeof until === 'string' ? Date.parse(until) : Number.NaN;
    if (!Number.isFinite(ms)) return `${CLAIMS.accessUntil} is not an ISO-8601 time`;
    principal.accessUntil = ms;
  }
  if (role === 'auditor' && principal.accessUntil === undefined) return 'an auditor token needs an access window';
  return principal;
}

/** Whether the principal may address this tenant at all (before any action is considered). */
export function mayAddressTenant(principal: Principal, tenantId: string): boolean {
  return ALL_TENANT_ROLES.includes(principal.role) || principal.tenants.includes(tenantId);
}
