/** Scheduled every 5 minutes (EventBridge Scheduler): starts a verify execution for every tenant that is due. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SfnVerifyStarter } from '#adapters/aws/sfn-verify-starter.ts';
import { composeAws } from '#adapters/compose.ts';
import { loadConfig } from '#config';
import { sweep } from '#core/use-cases/sweep.ts';
import { logger, metrics, withPowertools } from '#functions/shared/powertools.ts';

const config = loadConfig(['tableName', 'dataBucket', 'eventBusName', 'verifyStateMachineArn']);
const adapters = composeAws(config);
const starter = new SfnVerifyStarter({ stateMachineArn: config.verifyStateMachineArn });

export const handler = withPowertools(async function sweepHandler() {
  const result = await sweep({ ...adapters, starter });
  metrics.addMetric('VerificationsStarted', MetricUnit.Count, result.started.length);
  metrics.addMetric('DuplicateSweepStarts', MetricUnit.Count, result.alreadyStarted.length);
  logger.info('sweep done', { tenants: result.tenants, started: result.started });
  return { tenants: result.tenants, started: result.started.length, alreadyStarted: result.alreadyStarted.length };
});
