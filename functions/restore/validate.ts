/** Restore-test workflow step (statemachines/restore-test.asl.json): calls validate and returns its small JSON. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type RestoreTestState, validate } from '#core/use-cases/restore-test.ts';
import { metrics, withPowertools } from '#functions/shared/powertools.ts';
import { restoreDepsFromEnv } from './deps.ts';

const deps = restoreDepsFromEnv();

export const handler = withPowertools(async function validateHandler(event: RestoreTestState) {
  const result = await validate(deps, event);
  metrics.addMetric('validateCompleted', MetricUnit.Count, 1);
  return result;
});
