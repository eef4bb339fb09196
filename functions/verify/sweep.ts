/** Scheduled every 5 minutes (EventBridge Scheduler): starts a verify execution for every tenant that is due. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { sweep } from '#core/use-cases/sweep.ts';
import { logger, metrics, withPowertools } from '#functions/shared/powertools.ts';
import { awsSweepWiring } from '#wiring/aws/verify.ts';

const deps = awsSweepWiring();

export const handler = withPowertools(async function sweepHandler() {
  const result = await sweep(deps);
  metrics.addMetric('VerificationsStarted', MetricUnit.Count, result.started.length);
  metrics.addMetric('DuplicateSweepStarts', MetricUnit.Count, result.alreadyStarted.length);
  logger.info('sweep done', { tenants: result.tenants, started: result.started });
  return { tenants: result.tenants, started: result.started.length, alreadyStarted: result.alreadyStarted.length };
});
