/** Restore-test workflow step (statemachines/restore-test.asl.json): calls cleanup and returns its small JSON. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { cleanup, type RestoreTestState } from '#core/use-cases/restore-test.ts';
import { metrics, withPowertools } from '#functions/shared/powertools.ts';
import { restoreDepsFromEnv } from './deps.ts';

const deps = restoreDepsFromEnv();

export const handler = withPowertools(async function cleanupHandler(event: RestoreTestState) {
  const result = await cleanup(deps, event);
  metrics.addMetric('cleanupCompleted', MetricUnit.Count, 1);
  return result;
});
