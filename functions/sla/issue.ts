/**
 * Scheduled monthly (EventBridge Scheduler, the 2nd at 06:00 UTC: every timezone's month is over):
 * issues each tenant's SLA statement for the measurement period before the current one. Issuing is
 * idempotent (the same facts return the stored version), so a quarterly contract re-checked every
 * month gets a new version only when a correction changed its facts. One tenant failing does not
 * stop the others; the invocation fails at the end so the schedule's dead-letter queue sees it.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { InternalError, NotFoundError } from '#core/errors.ts';
import { currentSlaPeriod, slaTenant } from '#core/use-cases/sla-gather.ts';
import { slaStatement } from '#core/use-cases/sla-statement.ts';
import { logger, metrics, withPowertools } from '#functions/shared/powertools.ts';
import { awsSlaWiring } from '#wiring/aws/sla.ts';

const wiring = awsSlaWiring();

export const handler = withPowertools(async function issueSlaStatements() {
  const now = Date.now();
  const issued: string[] = [];
  const failed: string[] = [];
  let skipped = 0;
  for (const tenantId of (await wiring.tenants.listTenants()).sort()) {
    const deps = wiring.perTenant.forTenant(tenantId);
    try {
      const tenant = await slaTenant(deps, tenantId);
      const current = currentSlaPeriod(now, tenant.doc, tenant.contract);
      const previous = currentSlaPeriod(current.from - 1, tenant.doc, tenant.contract);
      const result = await slaStatement(deps, {
        tenantId,
        period: previous.label,
        now,
        issuedBy: 'reversa-sla-schedule',
      });
      issued.push(`${tenantId}:${previous.label}:v${result.record?.version}`);
      logger.info('sla statement', {
        tenantId,
        period: previous.label,
        version: result.record?.version,
        created: result.created,
        total: result.statement.total,
        breached: result.statement.levels.filter((l) => !l.met).map((l) => l.id),
      });
    } catch (error) {
      if (error instanceof NotFoundError && error.code === 'NoContract') {
        skipped++;
        continue;
      }
      failed.push(tenantId);
      logger.error('sla statement failed', { tenantId, error });
    }
  }
  metrics.addMetric('SlaStatementsIssued', MetricUnit.Count, issued.length);
  metrics.addMetric('SlaStatementFailures', MetricUnit.Count, failed.length);
  if (failed.length > 0) {
    throw new InternalError(
      'SlaStatementsFailed',
      `SLA statements failed for ${failed.length} tenant(s): ${failed.join(', ')}`,
    );
  }
  return { issued: issued.length, skipped, statements: issued };
});
