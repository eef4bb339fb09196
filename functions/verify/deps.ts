/** The AWS adapters the verify-workflow Lambdas share, composed once per container at module scope. */
import { composeAws } from '#adapters/compose.ts';
import { loadConfig } from '#config';
import type { VerifyDeps } from '#core/use-cases/verify.ts';

export function verifyDepsFromEnv(): VerifyDeps {
  return composeAws(loadConfig(['tableName', 'dataBucket', 'eventBusName']));
}
