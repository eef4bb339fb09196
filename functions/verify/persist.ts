/** Verify workflow step (statemachines/verify-backups.asl.json): calls persist and returns its small JSON. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type PersistInput, persist } from '#core/use-cases/verify.ts';
import { metrics, withPowertools } from '#functions/shared/powertools.ts';
import { verifyDepsFromEnv } from './deps.ts';

const deps = verifyDepsFromEnv();

export const handler = withPowertools(async function persistHandler(event: PersistInput) {
  const result = await persist(deps, event);
  metrics.addMetric('persistCompleted', MetricUnit.Count, 1);
  return result;
});
