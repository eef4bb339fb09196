/**
 * Notification delivery: the consumer of the bus. Each catalogue event goes to every subscription
 * of its tenant that wants it, one attempt at a time: an attempt either delivers (and marks the
 * event delivered for that subscription, so a later copy of the same event is recognised and not
 * sent again), or fails and is queued for its next attempt on the backoff schedule, or is given up
 * and put in the dead letters. Every attempt is a line in the tenant's delivery log.
 *
 * At least once: a crash between sending and marking sends again, with the same `webhook-id`, so
 * the receiver can tell. Credentials are read from the secret store for each attempt and kept in
 * memory only; the log and errors carry the subscription's display target.
 */
import { ValidationError } from '../errors.ts';
import type { ReversaEvent } from '../events/catalogue.ts';
import { toCloudEvent } from '../notifications/cloudevents.ts';
import type {
  DeadLetters,
  DeliveryJob,
  DeliveryLog,
  DeliveryRecord,
  NotificationSecrets,
  NotificationTransport,
  OutboundMessage,
  RetryQueue,
  SubscriptionStore,
} from '../notifications/ports.ts';
import { emailMessage, slackMessage } from '../notifications/render.ts';
import { type AttemptOutcome, nextStep } from '../notifications/retry.ts';
import { signedHeaders } from '../notifications/standard-webhooks.ts';
import {
  type ChannelCredentials,
  checkDeliveryUrl,
  displayUrl,
  matches,
  parseCredentials,
  type Subscription,
} from '../notifications/subscription.ts';
import type { Clock, StrategyStore } from '../ports.ts';
import type { DeclaredSubscription } from '../strategy/notifications-schema.ts';
import { parseStoredStrategy } from '../strategy/stored.ts';

export interface NotifyDeps {
  strategies: Pick<StrategyStore, 'getCurrent'>;
  subscriptions: SubscriptionStore;
  log: DeliveryLog;
  secrets: Pick<NotificationSecrets, 'get'>;
  transport: NotificationTransport;
  retries: RetryQueue;
  deadLetters: DeadLetters;
  clock: Clock;
}

/** A declared subscription as delivery sees it. */
export function declaredSubscription(tenantId: string, d: DeclaredSubscription, appliedAt: string): Subscription {
  const channel = d.webhook ? 'webhook' : d.slack ? 'slack' : 'email';
  const secretName = d.webhook?.secret ?? d.slack?.secret;
  return {
    id: d.id,
    tenantId,
    channel,
    target: d.email ?? `secret ${secretName}`,
    ...(d.events && d.events.length > 0 ? { events: d.events } : {}),
    ...(d.minSeverity ? { minSeverity: d.minSeverity } : {}),
    ...(secretName ? { secretName } : {}),
    origin: 'strategy',
    createdAt: appliedAt,
  };
}

/** The tenant's subscriptions: those its current strategy declares, then those added with the CLI. */
export async function subscriptionsOf(
  deps: Pick<NotifyDeps, 'strategies' | 'subscriptions'>,
  tenantId: string,
): Promise<Subscription[]> {
  const stored = await deps.strategies.getCurrent(tenantId);
  const declared = stored
    ? (parseStoredStrategy(stored).document.notifications?.subscriptions ?? []).map((d) =>
        declaredSubscription(tenantId, d, new Date(stored.appliedAt).toISOString()),
      )
    : [];
  const ids = new Set(declared.map((s) => s.id));
  const added = (await deps.subscriptions.list(tenantId)).filter((s) => !ids.has(s.id));
  return [...declared, ...added];
}

/** Fans one event out: the first attempt of every delivery it needs. Returns what each attempt did. */
export async function deliverEvent(deps: NotifyDeps, event: ReversaEvent): Promise<DeliveryRecord[]> {
  const subscriptions = (await subscriptionsOf(deps, event.tenantId)).filter((s) => matches(s, event));
  const records: DeliveryRecord[] = [];
  for (const subscription of subscriptions) {
    const job: DeliveryJob = {
      tenantId: event.tenantId,
      subscriptionId: subscription.id,
      event,
      attempt: 1,
      dueAt: deps.clock.now(),
    };
    records.push(await attemptWith(deps, job, subscription));
  }
  return records;
}

/** One attempt of a queued delivery (a retry). */
export async function attemptDelivery(deps: NotifyDeps, job: DeliveryJob): Promise<DeliveryRecord> {
  const subscription = (await subscriptionsOf(deps, job.tenantId)).find((s) => s.id === job.subscriptionId);
  if (!subscription) {
    // Removed since the event: nobody to tell any more.
    const record = baseRecord(job, { channel: 'webhook', target: '(removed)' }, deps.clock.now());
    const dropped: DeliveryRecord = { ...record, outcome: 'dropped', error: 'the subscription was removed' };
    await deps.log.append(dropped);
    return dropped;
  }
  return attemptWith(deps, job, subscription);
}

function baseRecord(job: DeliveryJob, sub: Pick<Subscription, 'channel' | 'target'>, at: number) {
  return {
    tenantId: job.tenantId,
    eventId: job.event.id,
    eventType: job.event.type,
    subscriptionId: job.subscriptionId,
    channel: sub.channel,
    target: sub.target,
    attempt: job.attempt,
    at: new Date(at).toISOString(),
  };
}

async function attemptWith(deps: NotifyDeps, job: DeliveryJob, subscription: Subscription): Promise<DeliveryRecord> {
  const started = deps.clock.now();
  const base = baseRecord(job, subscription, started);
  if (await deps.log.wasDelivered(job.tenantId, job.subscriptionId, job.event.id)) {
    const duplicate: DeliveryRecord = { ...base, outcome: 'duplicate', error: 'already delivered; not sent again' };
    await deps.log.append(duplicate);
    return duplicate;
  }
  let outcome: AttemptOutcome;
  let scrub: (text: string) => string = (t) => t;
  try {
    const credentials = await credentialsOf(deps, subscription);
    if (credentials.channel !== 'email') {
      const url = credentials.url;
      scrub = (t) => t.split(url).join(displayUrl(url));
    }
    outcome = await deps.transport.send(messageFor(job, subscription, credentials, started));
  } catch (error) {
    // Missing or malformed credentials, a transport bug: an outcome like any other, retried.
    outcome = { kind: 'failed', error: `${(error as Error).name}: ${(error as Error).message}` };
  }
  const ended = deps.clock.now();
  const timing = { durationMs: Math.max(0, ended - started) };
  const status = outcome.status === undefined ? {} : { status: outcome.status };
  if (outcome.kind === 'delivered') {
    await deps.log.markDelivered(job.tenantId, job.subscriptionId, job.event.id, base.at);
    const delivered: DeliveryRecord = { ...base, outcome: 'delivered', ...status, ...timing };
    await deps.log.append(delivered);
    return delivered;
  }
  const error = scrub(outcome.error).slice(0, 500);
  const step = nextStep(`${job.tenantId}#${job.subscriptionId}#${job.event.id}`, job.attempt, ended, outcome);
  if (step.kind === 'retry') {
    await deps.retries.enqueue({ ...job, attempt: job.attempt + 1, dueAt: step.at });
    const failed: DeliveryRecord = {
      ...base,
      outcome: 'failed',
      ...status,
      error,
      nextAttemptAt: new Date(step.at).toISOString(),
      ...timing,
    };
    await deps.log.append(failed);
    return failed;
  }
  const reason = step.kind === 'dead-letter' ? step.reason : 'failed';
  await deps.deadLetters.put(job, `${reason}: ${error}`);
  const dead: DeliveryRecord = {
    ...base,
    outcome: 'dead-lettered',
    ...status,
    error: `${reason}: ${error}`,
    ...timing,
  };
  await deps.log.append(dead);
  return dead;
}

async function credentialsOf(
  deps: Pick<NotifyDeps, 'secrets'>,
  subscription: Subscription,
): Promise<ChannelCredentials> {
  if (subscription.channel === 'email') return { channel: 'email', address: subscription.target };
  if (!subscription.secretName) {
    throw new ValidationError('NoChannelSecret', [
      { file: `subscription ${subscription.id}`, path: 'secretName', message: 'names no secret with its credentials' },
    ]);
  }
  const text = await deps.secrets.get(subscription.tenantId, subscription.secretName);
  const credentials = parseCredentials(subscription.channel, subscription.secretName, text, subscription.target);
  // Strategy-declared credentials were never checked by `notify add`: the same rules apply here.
  if (credentials.channel !== 'email') checkDeliveryUrl(credentials.url, `secret ${subscription.secretName}`, 'url');
  return credentials;
}

function messageFor(
  job: DeliveryJob,
  subscription: Subscription,
  credentials: ChannelCredentials,
  now: number,
): OutboundMessage {
  if (credentials.channel === 'webhook') {
    const body = JSON.stringify(toCloudEvent(job.event));
    // The webhook-id is the event id: the same on every attempt and every re-emission of the event.
    const headers = signedHeaders(credentials.signingSecret, job.event.id, Math.floor(now / 1000), body);
    return { channel: 'webhook', url: credentials.url, headers, body };
  }
  if (credentials.channel === 'slack') {
    return { channel: 'slack', url: credentials.url, body: JSON.stringify(slackMessage(job.event)) };
  }
  return {
    channel: 'email',
    tenantId: job.tenantId,
    subscriptionId: subscription.id,
    address: credentials.address,
    message: emailMessage(job.event),
    eventId: job.event.id,
  };
}

/** The `reversa.test` event of `notify test`: its own id per request, so each test is delivered. */
export function testEvent(tenantId: string, now: number, by: string): ReversaEvent {
  const time = new Date(now).toISOString();
  return {
    id: `${tenantId}:test:${time}`,
    type: 'reversa.test',
    tenantId,
    time,
    severity: 'info',
    subject: tenantId,
    summary: `test notification for tenant ${tenantId}, requested by ${by}`,
    data: { requestedBy: by },
  };
}
