/** Restore-test workflow step (statemachines/restore-test.asl.json): calls restoreS3Archive and returns its small JSON. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type RestoreTestState, restoreS3Archive } from '#core/use-cases/restore-test.ts';
import { metrics, withPowertools } from '#functions/shared/powertools.ts';
import { restoreDepsFromEnv } from './deps.ts';

const deps = restoreDepsFromEnv();

export const handler = withPowertools(async function restoreS3ArchiveHandler(event: RestoreTestState) {
  const result = await restoreS3Archive(deps, event);
  metrics.addMetric('restoreS3ArchiveCompleted', MetricUnit.Count, 1);
  return result;
});
