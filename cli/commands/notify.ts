/**
 * `reversa notify …`: a tenant's notification subscriptions, a test delivery and the delivery log.
 * Channel credentials (a webhook's URL and signing secret, a Slack URL) go to the tenant's secret
 * store, never to the subscription, the log or this command's output, except the one-time print
 * of a signing secret Reversa generated (the receiver needs it to verify signatures).
 */
import { createHash } from 'node:crypto';
import { NotFoundError } from '#core/errors.ts';
import type { ReversaEventType } from '#core/events/catalogue.ts';
import type { DeliveryRecord } from '#core/notifications/ports.ts';
import { generateSecret, secretKey } from '#core/notifications/standard-webhooks.ts';
import {
  type Channel,
  type ChannelCredentials,
  checkDeliveryUrl,
  checkEmail,
  checkEventTypes,
  checkSeverity,
  checkSubscriptionId,
  cliSecretName,
  displayUrl,
  MAX_SUBSCRIPTIONS,
  type Subscription,
  serializeCredentials,
} from '#core/notifications/subscription.ts';
import { subscriptionsOf, testEvent } from '#core/use-cases/notify.ts';
import { parseCommand, requireString, usageError } from '../args.ts';
import type { CliContext } from '../context.ts';
import { table, write, writeJson } from '../output.ts';
import { openTenantContext } from '../tenant.ts';

const USAGE = `'reversa notify' needs a subcommand:
  add --tenant <id> (--webhook <url> [--secret-stdin] | --slack <url> | --email <address>) [--id <name>] [--events <type,…>] [--min-severity <s>]
  list --tenant <id>
  remove <subscription-id> --tenant <id>
  test --tenant <id>                 send a reversa.test event to every subscription and report each delivery
  log --tenant <id> [--limit N] [--event <event-id>]`;

export async function notifyCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'add') return add(rest);
  if (sub === 'list') return list(rest);
  if (sub === 'remove') return remove(rest);
  if (sub === 'test') return test(rest);
  if (sub === 'log') return log(rest);
  throw usageError(USAGE);
}

const CLI = '<command line>';

async function readStdinSecret(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > 4096) throw usageError('--secret-stdin: expected one whsec_… line on stdin (got more than 4 KiB)');
    chunks.push(chunk as Buffer);
  }
  const secret = Buffer.concat(chunks).toString('utf8').trim();
  secretKey(secret); // a ValidationError (exit 2) that never shows the value
  return secret;
}

function channelOf(values: { webhook?: string | undefined; slack?: string | undefined; email?: string | undefined }) {
  const given = (['webhook', 'slack', 'email'] as const).filter((c) => values[c] !== undefined);
  if (given.length !== 1) throw usageError('give exactly one of --webhook <url>, --slack <url> or --email <address>');
  const channel = given[0] as Channel;
  return { channel, value: values[channel] as string };
}

async function add(argv: string[]): Promise<number> {
  const { values } = parseCommand(
    argv,
    {
      tenant: { type: 'string' },
      webhook: { type: 'string' },
      slack: { type: 'string' },
      email: { type: 'string' },
      id: { type: 'string' },
      events: { type: 'string' },
      'min-severity': { type: 'string' },
      'secret-stdin': { type: 'boolean' },
    },
    0,
  );
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const { channel, value } = channelOf(values);
  if (values['secret-stdin'] && channel !== 'webhook') throw usageError('--secret-stdin goes with --webhook only');
  let credentials: ChannelCredentials;
  let generated: string | undefined;
  let target: string;
  if (channel === 'email') {
    target = checkEmail(value, CLI, '--email');
    credentials = { channel, address: target };
  } else {
    const url = checkDeliveryUrl(value, CLI, `--${channel}`).toString();
    target = displayUrl(url);
    if (channel === 'slack') credentials = { channel, url };
    else {
      const signingSecret = values['secret-stdin'] ? await readStdinSecret() : generateSecret();
      if (!values['secret-stdin']) generated = signingSecret;
      credentials = { channel, url, signingSecret };
    }
  }
  // Default id: the channel and a hash of what it points at, so adding the same endpoint again replaces it.
  const id = checkSubscriptionId(
    values.id ?? `${channel}-${createHash('sha256').update(value).digest('hex').slice(0, 8)}`,
    CLI,
    '--id',
  );
  const events = values.events
    ? checkEventTypes(
        values.events.split(',').map((s) => s.trim()),
        CLI,
        '--events',
      )
    : [];
  const minSeverity = values['min-severity'] ? checkSeverity(values['min-severity'], CLI, '--min-severity') : undefined;

  const ctx = await openTenantContext(values, tenantId);
  try {
    const admin = ctx.notifications();
    const existing = await subscriptionsOf(admin, tenantId);
    if (existing.some((s) => s.id === id && s.origin === 'strategy')) {
      throw usageError(`subscription '${id}' is declared in the strategy; change it there`);
    }
    if (!existing.some((s) => s.id === id) && existing.length >= MAX_SUBSCRIPTIONS) {
      throw usageError(`tenant ${tenantId} has ${MAX_SUBSCRIPTIONS} subscriptions already (the most allowed)`);
    }
    const subscription: Subscription = {
      id,
      tenantId,
      channel,
      target,
      ...(events.length > 0 ? { events: events as ReversaEventType[] } : {}),
      ...(minSeverity ? { minSeverity } : {}),
      ...(channel === 'email' ? {} : { secretName: cliSecretName(id) }),
      origin: 'cli',
      createdAt: new Date(ctx.now()).toISOString(),
    };
    if (subscription.secretName)
      await admin.secrets.put(tenantId, subscription.secretName, serializeCredentials(credentials));
    if (channel === 'email') await admin.addEmail(tenantId, id, target);
    await admin.subscriptions.put(subscription);
    if (values.json) writeJson({ subscription, ...(generated ? { signingSecret: generated } : {}) });
    else {
      write(`added ${describe(subscription)}`);
      if (generated) {
        write(`signing secret (shown once; give it to the receiver to verify webhook-signature):\n${generated}`);
      }
      if (channel === 'email' && ctx.target === 'aws')
        write(`SNS sent ${target} a confirmation link: nothing is delivered until it is followed`);
    }
    return 0;
  } finally {
    await ctx.close();
  }
}

function describe(s: Subscription): string {
  const events = s.events && s.events.length > 0 ? s.events.join(',') : 'all events';
  return `${s.channel} subscription ${s.id} for ${s.tenantId} → ${s.target} (${events}, min severity ${s.minSeverity ?? 'any'})`;
}

async function list(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, { tenant: { type: 'string' } }, 0);
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const ctx = await openTenantContext(values, tenantId);
  try {
    const subs = await subscriptionsOf(ctx.notifications(), tenantId);
    if (values.json) writeJson({ tenantId, subscriptions: subs });
    else if (subs.length === 0)
      write(`no subscriptions for ${tenantId} (reversa notify add --tenant ${tenantId} --webhook <url>)`);
    else
      write(
        table(
          ['id', 'channel', 'target', 'events', 'min severity', 'from'],
          subs.map((s) => [
            s.id,
            s.channel,
            s.target,
            s.events && s.events.length > 0 ? s.events.join(',') : 'all',
            s.minSeverity ?? 'any',
            s.origin,
          ]),
        ),
      );
    return 0;
  } finally {
    await ctx.close();
  }
}

async function remove(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { tenant: { type: 'string' } }, 1);
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const id = requireString(positionals[0], '<subscription-id>');
  const ctx = await openTenantContext(values, tenantId);
  try {
    const admin = ctx.notifications();
    const subscription = await admin.subscriptions.get(tenantId, id);
    if (!subscription) {
      const declared = (await subscriptionsOf(admin, tenantId)).some((s) => s.id === id);
      if (declared) throw usageError(`subscription '${id}' is declared in the strategy; remove it there`);
      throw new NotFoundError(
        'SubscriptionNotFound',
        `no subscription '${id}' for tenant ${tenantId} (reversa notify list)`,
      );
    }
    await admin.subscriptions.remove(tenantId, id);
    if (subscription.secretName) await admin.secrets.delete(tenantId, subscription.secretName);
    if (subscription.channel === 'email') await admin.removeEmail(tenantId, id, subscription.target);
    if (values.json) writeJson({ removed: id });
    else write(`removed ${describe(subscription)}`);
    return 0;
  } finally {
    await ctx.close();
  }
}

async function test(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, { tenant: { type: 'string' } }, 0);
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const ctx = await openTenantContext(values, tenantId);
  try {
    const admin = ctx.notifications();
    const subs = await subscriptionsOf(admin, tenantId);
    if (subs.length === 0)
      throw usageError(`tenant ${tenantId} has no subscriptions (reversa notify add --tenant ${tenantId} …)`);
    const event = testEvent(tenantId, ctx.now(), await ctx.actor());
    await admin.events.emit(event);
    await admin.flush();
    const records = await waitForFirstAttempts(ctx, tenantId, event.id, subs.length, admin.settleMs);
    const bySub = new Map(records.map((r) => [r.subscriptionId, r]));
    const rows = subs.map((s) => ({ subscription: s, record: bySub.get(s.id) }));
    if (values.json)
      writeJson({
        tenantId,
        eventId: event.id,
        deliveries: rows.map((r) => ({ subscriptionId: r.subscription.id, ...(r.record ?? { outcome: 'pending' }) })),
      });
    else
      write(
        table(
          ['subscription', 'channel', 'target', 'outcome', 'status', 'next attempt'],
          rows.map(({ subscription: s, record: r }) => [
            s.id,
            s.channel,
            s.target,
            r?.outcome ?? 'pending',
            r?.status === undefined ? (r?.error ?? '') : String(r.status),
            r?.nextAttemptAt ?? '',
          ]),
        ),
      );
    return rows.every((r) => r.record?.outcome === 'delivered') ? 0 : 1;
  } finally {
    await ctx.close();
  }
}

/** The first attempt of each delivery of `eventId`, waiting up to `settleMs` on a stack (the Lambda delivers there). */
async function waitForFirstAttempts(
  ctx: CliContext,
  tenantId: string,
  eventId: string,
  expected: number,
  settleMs: number,
): Promise<DeliveryRecord[]> {
  const log = ctx.notifications().log;
  const deadline = Date.now() + settleMs;
  for (;;) {
    const records = (await log.list(tenantId, { eventId, limit: 200 })).filter((r) => r.attempt === 1);
    if (records.length >= expected || Date.now() >= deadline) return records;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function log(argv: string[]): Promise<number> {
  const { values } = parseCommand(
    argv,
    { tenant: { type: 'string' }, limit: { type: 'string' }, event: { type: 'string' } },
    0,
  );
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw usageError(`--limit expects 1 to 1000, got '${values.limit}'`);
  const ctx = await openTenantContext(values, tenantId);
  try {
    const records = await ctx
      .notifications()
      .log.list(tenantId, { limit, ...(values.event ? { eventId: values.event } : {}) });
    if (values.json) writeJson({ tenantId, deliveries: records });
    else if (records.length === 0) write(`no deliveries logged for ${tenantId}`);
    else
      write(
        table(
          ['time', 'event', 'subscription', 'attempt', 'outcome', 'status / error', 'next attempt'],
          records.map((r) => [
            r.at,
            `${r.eventType} ${r.eventId}`,
            `${r.subscriptionId} (${r.target})`,
            String(r.attempt),
            r.outcome,
            r.status === undefined ? (r.error ?? '') : `${r.status}${r.error ? ` ${r.error}` : ''}`,
            r.nextAttemptAt ?? '',
          ]),
        ),
      );
    return 0;
  } finally {
    await ctx.close();
  }
}
