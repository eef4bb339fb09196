/**
 * The local cloud's ports per tenant: what each workflow execution runs with. Every client is bound
 * to the tenant (wiring/local/adapters.ts), so a step that addresses another tenant's partition or
 * prefix fails there, as the tenant-access role's policies make it fail in AWS.
 */
import { type Clock, systemClock } from '#core/ports.ts';
import type { RestoreTestDeps } from '#core/use-cases/restore-test.ts';
import type { LocalCloud } from '#local/cloud.ts';
import { perTenant, type TenantScoped } from '../tenant-scope.ts';
import { type LocalAdapters, localAdapters } from './adapters.ts';
import { type LocalDossierDeps, localDossierDeps } from './dossier.ts';
import { localCloudRestoreTestDeps } from './restore-test.ts';

export interface LocalTenantWiring {
  /** The shared ports bound to one tenant: the verify workflow and ingestion run on these. */
  adapters: TenantScoped<LocalAdapters>;
  restoreTests: TenantScoped<RestoreTestDeps>;
  dossiers: TenantScoped<LocalDossierDeps>;
}

export function localTenantWiring(cloud: LocalCloud, clock: Clock = systemClock): LocalTenantWiring {
  const adapters = perTenant((tenant) => localAdapters(cloud, clock, { tenant }));
  return {
    adapters,
    restoreTests: perTenant((tenant) => localCloudRestoreTestDeps(cloud, adapters.forTenant(tenant))),
    dossiers: perTenant((tenant) => localDossierDeps(cloud, { adapters: adapters.forTenant(tenant) })),
  };
}
