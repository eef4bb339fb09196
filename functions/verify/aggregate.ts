/** Verify workflow step (statemachines/verify-backups.asl.json): calls aggregate and returns its small JSON. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type AggregateInput, aggregate } from '#core/use-cases/verify.ts';
import { metrics, withPowertools } from '#functions/shared/powertools.ts';
import { verifyDepsFromEnv } from './deps.ts';

const deps = verifyDepsFromEnv();

export const handler = withPowertools(async function aggregateHandler(event: AggregateInput) {
  const result = await aggregate(deps, event);
  metrics.addMetric('aggregateCompleted', MetricUnit.Count, 1);
  return result;
});
