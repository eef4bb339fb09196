/** Restore-test workflow step (statemachines/restore-test.asl.json): calls startAwsBackupRestore and returns its small JSON. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type RestoreTestState, startAwsBackupRestore } from '#core/use-cases/restore-test.ts';
import { metrics, withPowertools } from '#functions/shared/powertools.ts';
import { restoreDepsFromEnv } from './deps.ts';

const deps = restoreDepsFromEnv();

export const handler = withPowertools(async function startAwsBackupRestoreHandler(event: RestoreTestState) {
  const result = await startAwsBackupRestore(deps, event);
  metrics.addMetric('startAwsBackupRestoreCompleted', MetricUnit.Count, 1);
  return result;
});
