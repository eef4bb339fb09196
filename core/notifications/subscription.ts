/**
 * Who is told what: a tenant's notification subscriptions. A subscription names a channel (a
 * Standard Webhooks endpoint, an e-mail address, a Slack-compatible incoming webhook), the event
 * types it wants (none listed: every type but `reversa.test`, which goes to everyone on request) and
 * the minimum severity.
 *
 * Credentials are never part of a subscription: a webhook's URL and signing secret, and a Slack
 * URL (its path is the token), live in the tenant's secret store under `secretName`; the
 * subscription keeps only a display form of the target with the path and query hidden. So a
 * subscription can be listed, logged, stored in DynamoDB and put in events as it is.
 */
import { ValidationError } from '../errors.ts';
import {
  EVENT_TYPES,
  type EventSeverity,
  type ReversaEvent,
  type ReversaEventType,
  SEVERITIES,
  severityAtLeast,
} from '../events/catalogue.ts';

export const CHANNELS = ['webhook', 'email', 'slack'] as const;
export type Channel = (typeof CHANNELS)[number];

export const SUBSCRIPTION_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const MAX_SUBSCRIPTIONS = 50;

export interface Subscription {
  id: string;
  tenantId: string;
  channel: Channel;
  /** For humans only: `https://hooks.example.com/…` for URLs, the address for e-mail. Never a credential. */
  target: string;
  /** Only these types (absent or empty: all types). */
  events?: ReversaEventType[];
  /** Only events at least this severe (absent: all). */
  minSeverity?: EventSeverity;
  /** The tenant secret holding the channel's credentials (webhook, slack); e-mail has none. */
  secretName?: string;
  /** Where it was declared: `strategy` ones change with the strategy, `cli` ones with `notify add/remove`. */
  origin: 'strategy' | 'cli';
  /** ISO-8601. */
  createdAt: string;
}

/** What a channel needs to send, read from the secret store at delivery time and kept in memory only. */
export type ChannelCredentials =
  | { channel: 'webhook'; url: string; signingSecret: string }
  | { channel: 'slack'; url: string }
  | { channel: 'email'; address: string };

/** The type test events carry; a subscription receives it whatever its filters, on request only. */
export const TEST_EVENT_TYPE: ReversaEventType = 'reversa.test';

export function matches(subscription: Pick<Subscription, 'events' | 'minSeverity'>, event: ReversaEvent): boolean {
  if (event.type === TEST_EVENT_TYPE) return true;
  const types = subscription.events ?? [];
  if (types.length > 0 && !types.includes(event.type)) return false;
  if (subscription.minSeverity && !severityAtLeast(event.severity, subscription.minSeverity)) return false;
  return true;
}

/** `https://hooks.slack.com/services/T0/B0/XYZ?x=1` → `https://hooks.slack.com/…`: the host, no token. */
export function displayUrl(url: string): string {
  const parsed = new URL(url);
  const hidden = parsed.pathname !== '/' || parsed.search !== '' ? '/…' : '';
  return `${parsed.protocol}//${parsed.host}${hidden}`;
}

function problem(file: string, path: string, message: string): ValidationError {
  return new ValidationError('BadSubscription', [{ file, path, message }]);
}

/**
 * A delivery URL: https, or http to a loopback address (the local cloud and tests). No
 * credentials in the authority part (they would be printed with the host).
 */
export function checkDeliveryUrl(value: string, file: string, path: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw problem(file, path, 'expected an absolute URL like https://hooks.example.com/reversa');
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw problem(file, path, 'expected an https:// URL (http:// only to 127.0.0.1 or localhost)');
  }
  // The instance-metadata range: a webhook must never make a Lambda (or a host) post to it.
  if (/^169\.254\.\d+\.\d+$/.test(url.hostname) || url.hostname === '[fd00:ec2::254]') {
    throw problem(file, path, 'link-local and instance-metadata addresses are not allowed');
  }
  if (url.username !== '' || url.password !== '') {
    throw problem(file, path, 'a user name or password in the URL is not allowed; put the token in the path');
  }
  if (value.length > 2048) throw problem(file, path, 'expected at most 2048 characters');
  return url;
}

const EMAIL_PATTERN = /^[^\s@<>()[\],;:"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/;

export function checkEmail(value: string, file: string, path: string): string {
  if (!EMAIL_PATTERN.test(value)) throw problem(file, path, 'expected an e-mail address like ops@example.com');
  return value;
}

export function checkEventTypes(values: readonly string[], file: string, path: string): ReversaEventType[] {
  const known = new Set<string>(EVENT_TYPES);
  for (const [i, v] of values.entries()) {
    if (!known.has(v))
      throw problem(file, `${path}[${i}]`, `unknown event type '${v}' (known: ${EVENT_TYPES.join(', ')})`);
  }
  return [...new Set(values)] as ReversaEventType[];
}

export function checkSeverity(value: string, file: string, path: string): EventSeverity {
  if (!(SEVERITIES as readonly string[]).includes(value)) {
    throw problem(file, path, `expected one of ${SEVERITIES.join(', ')}, got '${value}'`);
  }
  return value as EventSeverity;
}

export function checkSubscriptionId(value: string, file: string, path: string): string {
  if (!SUBSCRIPTION_ID_PATTERN.test(value)) {
    throw problem(file, path, `expected an id matching ${SUBSCRIPTION_ID_PATTERN.source}, got '${value.slice(0, 80)}'`);
  }
  return value;
}

/** Credentials are stored as one small JSON secret; parse it back, naming the secret (never its value) when it is wrong. */
export function parseCredentials(
  channel: Channel,
  secretName: string,
  text: string,
  target: string,
): ChannelCredentials {
  if (channel === 'email') return { channel, address: target };
  let parsed: { url?: unknown; signingSecret?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    parsed = {};
  }
  // A Slack URL may be stored bare (what `secret put` of the copied URL gives).
  if (channel === 'slack' && typeof parsed.url !== 'string' && text.startsWith('https://'))
    parsed = { url: text.trim() };
  if (typeof parsed.url !== 'string') {
    throw problem(`secret ${secretName}`, 'url', 'expected a JSON object {"url": …} (the value is not shown)');
  }
  if (channel === 'slack') return { channel, url: parsed.url };
  if (typeof parsed.signingSecret !== 'string') {
    throw problem(`secret ${secretName}`, 'signingSecret', 'expected {"url": …, "signingSecret": "whsec_…"}');
  }
  return { channel, url: parsed.url, signingSecret: parsed.signingSecret };
}

export function serializeCredentials(credentials: ChannelCredentials): string {
  if (credentials.channel === 'email') return '';
  if (credentials.channel === 'slack') return JSON.stringify({ url: credentials.url });
  return JSON.stringify({ url: credentials.url, signingSecret: credentials.signingSecret });
}

/** The secret name of a subscription made with the CLI. */
export const cliSecretName = (subscriptionId: string) => `notify/${subscriptionId}`;
