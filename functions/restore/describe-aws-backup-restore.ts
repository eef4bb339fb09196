/** Restore-test workflow step (statemachines/restore-test.asl.json): calls describeAwsBackupRestore and returns its small JSON. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { describeAwsBackupRestore, type RestoreTestState } from '#core/use-cases/restore-test.ts';
import { metrics, withPowertools } from '#functions/shared/powertools.ts';
import { restoreDepsFromEnv } from './deps.ts';

const deps = restoreDepsFromEnv();

export const handler = withPowertools(async function describeAwsBackupRestoreHandler(event: RestoreTestState) {
  const result = await describeAwsBackupRestore(deps, event);
  metrics.addMetric('describeAwsBackupRestoreCompleted', MetricUnit.Count, 1);
  return result;
});
