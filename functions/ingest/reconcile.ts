/**
 * Scheduled reconciliation with the AWS Backup APIs, because EventBridge delivery is best effort
 * (core/use-cases/reconcile-aws-backup.ts). Client accounts are read through the role their strategy
 * names (adapters/aws/backup-clients.ts); the function's own account is known from its invoked ARN.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { lambdaScopeOf } from '#adapters/aws/backup-clients.ts';
import { ConfigError } from '#core/errors.ts';
import { type ReconcileDeps, reconcileAllTenants } from '#core/use-cases/reconcile-aws-backup.ts';
import { logger, metrics, withPowertools } from '#functions/shared/powertools.ts';
import { awsReconcileWiring } from '#wiring/aws/ingest.ts';

const wiring = awsReconcileWiring();
// Built on the first invocation: the function's own account is only known from its invoked ARN.
let deps: ReconcileDeps | undefined;

export const handler = withPowertools(async function reconcileHandler(_event: unknown, context: Context) {
  if (!deps) {
    const own = lambdaScopeOf(context?.invokedFunctionArn);
    if (!own) throw new ConfigError('UnknownOwnAccount', 'cannot read the account from the invoked function ARN');
    deps = wiring(own.accountId);
  }
  const summary = await reconcileAllTenants(deps);
  for (const s of summary.skipped) {
    // Reading a client account with our own credentials would fail or, worse, read the wrong account.
    logger.warn('reconcile skipped: the strategy names no roleArn for an account other than ours', s);
  }
  for (const { error, message, ...target } of summary.failed) {
    logger.error('reconcile failed', { ...target, error: { name: error, message } });
  }
  metrics.addMetric('ReconcileTargets', MetricUnit.Count, summary.targets);
  metrics.addMetric('ReconcileFailures', MetricUnit.Count, summary.failed.length);
  metrics.addMetric('ReconcileSkipped', MetricUnit.Count, summary.skipped.length);
  metrics.addMetric('ReconcileRecordsWritten', MetricUnit.Count, summary.written);
  return {
    targets: summary.targets,
    written: summary.written,
    failed: summary.failed.length,
    skipped: summary.skipped.length,
  };
});
