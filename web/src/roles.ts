/**
 * Who may do what, mirrored from core/identity/roles.ts (a unit test keeps the two equal). The web
 * app uses it only to hide what a role may not do; the API's policy table decides, and its 403 is
 * shown as it comes.
 */

export type Role = 'provider-admin' | 'provider-operator' | 'client' | 'auditor';

export type Action =
  | 'tenant:read'
  | 'finding:update'
  | 'finding:comment'
  | 'dossier:download'
  | 'dossier:export'
  | 'sla:issue'
  | 'audit:export'
  | 'user:manage';

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

export function may(role: Role, action: Action): boolean {
  return ACTION_ROLES[action].includes(role);
}

export const ROLE_NAMES: Readonly<Record<Role, string>> = {
  'provider-admin': 'provider administrator',
  'provider-operator': 'provider operator',
  client: 'client',
  auditor: 'auditor',
};
