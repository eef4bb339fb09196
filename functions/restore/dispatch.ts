/**
 * Target of the restore-test schedules (EventBridge Scheduler, one per policy): starts one workflow
 * execution per resource of the policy, named after the test id, so a schedule delivered twice
 * starts each test once (Step Functions refuses the second name: ExecutionAlreadyExists).
 * Schedule input: { tenantId, policyName, scheduledAt: "<aws.scheduler.scheduled-time>" }.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { dispatchScheduledTests } from '#core/use-cases/restore-test.ts';
import { logger, metrics, withPowertools } from '#functions/shared/powertools.ts';
import { awsRestoreDispatchWiring } from '#wiring/aws/restore-test.ts';
import { tenantOfStepInput } from '#wiring/tenant-scope.ts';

const wiring = awsRestoreDispatchWiring();

export const handler = withPowertools(async function dispatchHandler(event: {
  tenantId: string;
  policyName: string;
  scheduledAt: string;
}) {
  const tests = await dispatchScheduledTests(wiring.forTenant(tenantOfStepInput(event)), event);
  const started = tests.filter((t) => t.started).length;
  metrics.addMetric('RestoreTestsStarted', MetricUnit.Count, started);
  metrics.addMetric('DuplicateRestoreTestStarts', MetricUnit.Count, tests.length - started);
  logger.info('restore tests dispatched', { tenantId: event.tenantId, policyName: event.policyName, started });
  return { tests: tests.length, started };
});
