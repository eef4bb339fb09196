/** Restore-test workflow step (statemachines/restore-test.asl.json): calls prepare and returns its small JSON. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type PrepareInput, prepare } from '#core/use-cases/restore-test.ts';
import { metrics, withPowertools } from '#functions/shared/powertools.ts';
import { restoreDepsFromEnv } from './deps.ts';

const deps = restoreDepsFromEnv();

export const handler = withPowertools(async function prepareHandler(event: PrepareInput) {
  const result = await prepare(deps, event);
  metrics.addMetric('prepareCompleted', MetricUnit.Count, 1);
  return result;
});
