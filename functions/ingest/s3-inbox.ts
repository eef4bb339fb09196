/**
 * S3 ObjectCreated under `inbox/<tenant>/…` (direct S3 notification or its EventBridge form):
 * ingest the job report. Idempotent on object key + ETag, on top of ingestS3Object's own safety
 * (it moves the object out of the inbox), because S3 notifications are at least once.
 */
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ValidationError } from '#core/errors.ts';
import { inboxTenantOf, ingestS3Object } from '#core/use-cases/ingest-report.ts';
import { metrics, withPowertools } from '#functions/shared/powertools.ts';
import { awsInboxWiring } from '#wiring/aws/ingest.ts';

interface S3NotificationEvent {
  Records?: { s3?: { object?: { key?: string; eTag?: string } } }[];
}
interface S3EventBridgeEvent {
  detail?: { object?: { key?: string; etag?: string } };
}
export type S3InboxEvent = S3NotificationEvent & S3EventBridgeEvent;

/** Object keys of the event. S3 notifications URL-encode keys (spaces as `+`); EventBridge does not. */
export function objectKeysOf(event: S3InboxEvent): string[] {
  const fromRecords = (event?.Records ?? [])
    .map((r) => r.s3?.object?.key)
    .filter((k): k is string => typeof k === 'string')
    .map((k) => decodeURIComponent(k.replace(/\+/g, ' ')));
  const fromDetail = typeof event?.detail?.object?.key === 'string' ? [event.detail.object.key] : [];
  const keys = [...fromRecords, ...fromDetail];
  if (keys.length === 0) {
    throw new ValidationError('NotAnS3Event', [
      { file: '<event>', path: '', message: 'expected an S3 ObjectCreated event' },
    ]);
  }
  return keys;
}

const { deps, idempotency: persistenceStore } = awsInboxWiring();
const idempotency = new IdempotencyConfig({
  eventKeyJmesPath: '[Records[].s3.object.[key, eTag], detail.object.[key, etag]]',
  throwOnNoIdempotencyKey: true,
});

export const handler = withPowertools(async function s3InboxHandler(event: S3InboxEvent) {
  const results = [];
  for (const key of objectKeysOf(event)) {
    const tenantId = inboxTenantOf(key);
    if (tenantId === undefined) {
      throw new ValidationError('NotAnInboxKey', [
        { file: key, path: '', message: 'expected an object key of the form inbox/<tenantId>/<name>' },
      ]);
    }
    const result = await ingestS3Object(deps.forTenant(tenantId), key);
    metrics.addMetric(`Report_${result.status}`, MetricUnit.Count, 1);
    results.push({ key, status: result.status });
  }
  return { results };
}).use(makeHandlerIdempotent({ persistenceStore, config: idempotency }));
