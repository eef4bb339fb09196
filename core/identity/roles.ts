/**
 * Who may do what in the portal and its API. Four roles besides the successor's link (a single
 * dossier, expiring: a presigned URL, no identity at all):
 * - provider-admin: every tenant, every action, user management;
 * - provider-operator: the tenants it is given, every action on them, no user management;
 * - client: its tenant(s): reads everything about them, downloads dossiers, comments on findings;
 * - auditor: the tenants it is given, read-only, within an access window (after it, refused).
 * One table, `ACTION_ROLES`, decides; every API route names the action it performs.
 */

export const ROLES = ['provider-admin', 'provider-operator', 'client', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const ACTIONS = [
  'tenant:read',
  'finding:update',
  'finding:comment',
  'dossier:download',
  'dossier:export',
  'sla:issue',
  'audit:export',
  'user:manage',
] as const;
export type Action = (typeof ACTIONS)[number];

const PROVIDER: readonly Role[] = ['provider-admin', 'provider-operator'];

export const ACTION_ROLES: Readonly<Record<Action, readonly Role[]>> = {
  'tenant:read': [...PROVIDER, 'client', 'auditor'],
  'finding:update': PROVIDER,
  'finding:comment': [...PROVIDER, 'client'],
  'dossier:download': [...PROVIDER, 'client'],
  'dossier:export': PROVIDER,
  // Issuing a closed period's SLA statement (signed, audit-logged) when none is stored yet.
  'sla:issue': PROVIDER,
  'audit:export': [...PROVIDER, 'client', 'auditor'],
  'user:manage': ['provider-admin'],
};

export function roleMay(role: Role, action: Action): boolean {
  return ACTION_ROLES[action].includes(role);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Roles that see every tenant without a list (the others see exactly the tenants they are given). */
export const ALL_TENANT_ROLES: readonly Role[] = ['provider-admin'];
