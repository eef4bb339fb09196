/**
 * A workflow step as a Lambda: the standard middleware stack, the step's ports bound to the tenant
 * the input names (wiring/tenant-scope.ts), one use-case call, one metric. Every Task of the three
 * workflows is one of these, so a handler file is one line of wiring.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type TenantScoped, tenantOfStepInput } from '#wiring/tenant-scope.ts';
import { metrics, withPowertools } from './powertools.ts';

export function stepHandler<D, I, O>(
  wiring: TenantScoped<D>,
  step: (deps: D, input: I) => Promise<O>,
  metricName: string,
) {
  return withPowertools(async function workflowStep(event: I): Promise<O> {
    const result = await step(wiring.forTenant(tenantOfStepInput(event)), event);
    metrics.addMetric(metricName, MetricUnit.Count, 1);
    return result;
  });
}
