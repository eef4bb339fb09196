/** Verify workflow step (statemachines/verify-backups.asl.json): calls loadStrategy and returns its small JSON. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type LoadStrategyInput, loadStrategy } from '#core/use-cases/verify.ts';
import { metrics, withPowertools } from '#functions/shared/powertools.ts';
import { verifyDepsFromEnv } from './deps.ts';

const deps = verifyDepsFromEnv();

export const handler = withPowertools(async function loadStrategyHandler(event: LoadStrategyInput) {
  const result = await loadStrategy(deps, event);
  metrics.addMetric('loadStrategyCompleted', MetricUnit.Count, 1);
  return result;
});
