/**
 * The verify workflow's Lambdas (functions/verify/*) and the missed-backup sweep on AWS. Built once
 * per container at module scope: configuration is read and checked at cold start.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { SfnVerifyStarter } from '#adapters/aws/sfn-verify-starter.ts';
import { loadConfig } from '#config';
import type { SweepDeps } from '#core/use-cases/sweep.ts';
import type { VerifyDeps } from '#core/use-cases/verify.ts';
import { perTenant, type TenantScoped } from '../tenant-scope.ts';
import { awsAdapters } from './adapters.ts';
import { tenantScope } from './tenant-credentials.ts';

export function awsVerifyWiring(
  config = loadConfig(['tableName', 'dataBucket', 'eventBusName']),
): TenantScoped<VerifyDeps> {
  // Each tenant's steps run with that tenant's credentials (tenant-credentials.ts).
  return perTenant((tenantId) => awsAdapters(config, tenantScope(config, tenantId)));
}

/** The sweep spans tenants: it lists them and their deadlines, and starts executions by name. */
export function awsSweepWiring(
  config = loadConfig(['tableName', 'dataBucket', 'eventBusName', 'verifyStateMachineArn']),
): SweepDeps {
  const adapters = awsAdapters(config);
  return {
    strategies: adapters.strategies,
    tenants: adapters.tenants,
    clock: adapters.clock,
    starter: new SfnVerifyStarter({ stateMachineArn: config.verifyStateMachineArn, client: new SFNClient({}) }),
  };
}
