/** Verify workflow step (statemachines/verify-backups.asl.json): calls evaluateBatch and returns its small JSON. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type EvaluateBatchInput, evaluateBatch } from '#core/use-cases/verify.ts';
import { metrics, withPowertools } from '#functions/shared/powertools.ts';
import { verifyDepsFromEnv } from './deps.ts';

const deps = verifyDepsFromEnv();

export const handler = withPowertools(async function evaluateBatchHandler(event: EvaluateBatchInput) {
  const result = await evaluateBatch(deps, event);
  metrics.addMetric('evaluateBatchCompleted', MetricUnit.Count, 1);
  return result;
});
