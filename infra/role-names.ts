/**
 * Tenant-access roles have fixed names, `<stack>-<owner id>-Tenant` (e.g. `ReversaWorkflows-Persist-Tenant`): what
 * key and bucket policies of the stateful stack admit exactly (they cannot reference the workflows stack's roles
 * without a cycle), what a future stack can trust or be trusted by without importing, and what CloudTrail shows for
 * every tenant session (`ReversaWorkflows-Persist-Tenant/reversa-acme`). Built from the same ids the workflows stack
 * uses, so the two stacks cannot drift apart.
 */

/** The suffix of a tenant-access role's construct id, beside its owner: `<owner id>Tenant`. */
export const TENANT_ROLE_ID_SUFFIX = 'Tenant';

/** The construct id of the dossier export's Abort function. */
export const DOSSIER_ABORT_ID = 'DossierAbort';

/** IAM role names are at most 64 characters. */
export const IAM_ROLE_NAME_MAX = 64;

/** `<stack>-<owner id>-Tenant`, from the prefix every role name of the stack starts with (`<stack>-`). */
export const tenantRoleName = (stackRolePrefix: string, ownerId: string): string =>
  `${stackRolePrefix}${ownerId}-Tenant`;
