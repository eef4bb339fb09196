/**
 * The ports notification delivery runs on. Subscriptions and the delivery log live in the tenant's
 * DynamoDB partitions (both flavours); credentials in the tenant's secret store; retries in a queue
 * (SQS with a delay in AWS, an outbox directory locally); the dead letters beside it.
 */
import type { ReversaEvent, ReversaEventType } from '../events/catalogue.ts';
import type { EmailMessage } from './render.ts';
import type { AttemptOutcome } from './retry.ts';
import type { WebhookHeaders } from './standard-webhooks.ts';
import type { Channel, Subscription } from './subscription.ts';

/** One delivery of one event to one subscription, at one attempt. */
export interface DeliveryJob {
  tenantId: string;
  subscriptionId: string;
  event: ReversaEvent;
  /** The attempt to make, 1-based. */
  attempt: number;
  /** Epoch ms: not before. */
  dueAt: number;
}

export const DELIVERY_OUTCOMES = ['delivered', 'failed', 'dead-lettered', 'duplicate', 'dropped'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/**
 * One line of the delivery log, what the provider reads (`reversa notify log`). Holds the
 * subscription's display target, never a URL with its token or a signing secret, and error texts
 * with any URL replaced by its display form.
 */
export interface DeliveryRecord {
  tenantId: string;
  eventId: string;
  eventType: ReversaEventType;
  subscriptionId: string;
  channel: Channel;
  target: string;
  attempt: number;
  /** ISO-8601 of the attempt. */
  at: string;
  outcome: DeliveryOutcome;
  /** HTTP status when there was a response. */
  status?: number;
  error?: string;
  /** ISO-8601: when the next attempt is due (failed, retried). */
  nextAttemptAt?: string;
  durationMs?: number;
}

export interface SubscriptionStore {
  /** Creates or replaces. */
  put(subscription: Subscription): Promise<void>;
  get(tenantId: string, id: string): Promise<Subscription | undefined>;
  list(tenantId: string): Promise<Subscription[]>;
  remove(tenantId: string, id: string): Promise<boolean>;
}

export interface DeliveryLog {
  append(record: DeliveryRecord): Promise<void>;
  /** Newest first. */
  list(tenantId: string, options?: { limit?: number; eventId?: string }): Promise<DeliveryRecord[]>;
  /** True once `markDelivered` ran for this subscription and event: the idempotency check. */
  wasDelivered(tenantId: string, subscriptionId: string, eventId: string): Promise<boolean>;
  markDelivered(tenantId: string, subscriptionId: string, eventId: string, at: string): Promise<void>;
}

/** Where the next attempts wait until due. */
export interface RetryQueue {
  enqueue(job: DeliveryJob): Promise<void>;
}

/** What keeps failing, kept for the provider to inspect and replay. */
export interface DeadLetters {
  put(job: DeliveryJob, reason: string): Promise<void>;
}

/** The tenant's secret store as notifications use it: small text values by name. */
export interface NotificationSecrets {
  get(tenantId: string, name: string): Promise<string>;
  put(tenantId: string, name: string, value: string): Promise<void>;
  delete(tenantId: string, name: string): Promise<void>;
}

export type OutboundMessage =
  | { channel: 'webhook'; url: string; headers: WebhookHeaders; body: string }
  | { channel: 'slack'; url: string; body: string }
  | {
      channel: 'email';
      tenantId: string;
      subscriptionId: string;
      address: string;
      message: EmailMessage;
      eventId: string;
    };

/** Sends one message once. Never throws for the endpoint's failures: they are outcomes. */
export interface NotificationTransport {
  send(message: OutboundMessage): Promise<AttemptOutcome>;
}
