/** Restore-test workflow step (statemachines/restore-test.asl.json): calls record and returns its small JSON. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type RestoreTestState, record } from '#core/use-cases/restore-test.ts';
import { metrics, withPowertools } from '#functions/shared/powertools.ts';
import { restoreDepsFromEnv } from './deps.ts';

const deps = restoreDepsFromEnv();

export const handler = withPowertools(async function recordHandler(event: RestoreTestState) {
  const result = await record(deps, event);
  metrics.addMetric('recordCompleted', MetricUnit.Count, 1);
  return result;
});
