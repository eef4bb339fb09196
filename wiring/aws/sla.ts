/**
 * The monthly SLA-issuing Lambda (functions/sla/issue.ts) on AWS: it lists the tenants with the
 * function's own role, then reads and writes each tenant's data with that tenant's credentials.
 */
import { DynamoDossierStore } from '#adapters/aws/dynamo-dossier-store.ts';
import { loadConfig } from '#config';
import type { StrategyStore } from '#core/ports.ts';
import type { SlaStatementDeps } from '#core/use-cases/sla-statement.ts';
import { slaDepsOf } from '../sla.ts';
import { perTenant, type TenantScoped } from '../tenant-scope.ts';
import { awsAdapters } from './adapters.ts';
import { tenantScope } from './tenant-credentials.ts';

export interface AwsSlaWiring {
  tenants: Pick<StrategyStore, 'listTenants'>;
  perTenant: TenantScoped<SlaStatementDeps>;
}

export function awsSlaWiring(config = loadConfig(['tableName', 'dataBucket', 'eventBusName'])): AwsSlaWiring {
  const own = awsAdapters(config);
  return {
    tenants: own.strategies,
    perTenant: perTenant((tenantId) => {
      const adapters = awsAdapters(config, tenantScope(config, tenantId));
      const dossiers = new DynamoDossierStore({ tableName: config.tableName, client: adapters.clients.dynamodb });
      return slaDepsOf(adapters, dossiers);
    }),
  };
}
