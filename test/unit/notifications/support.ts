/** In-memory notification ports for the unit tests. */
import type {
  DeadLetters,
  DeliveryJob,
  DeliveryLog,
  DeliveryRecord,
  NotificationTransport,
  OutboundMessage,
  RetryQueue,
  SubscriptionStore,
} from '#core/notifications/ports.ts';
import type { AttemptOutcome } from '#core/notifications/retry.ts';
import type { Subscription } from '#core/notifications/subscription.ts';
import type { NotifyDeps } from '#core/use-cases/notify.ts';

export function memoryNotify(options: { outcomes?: AttemptOutcome[]; secrets?: Record<string, string> } = {}) {
  const subs = new Map<string, Subscription>();
  const records: DeliveryRecord[] = [];
  const delivered = new Set<string>();
  const queued: DeliveryJob[] = [];
  const dead: { job: DeliveryJob; reason: string }[] = [];
  const sent: OutboundMessage[] = [];
  const outcomes = [...(options.outcomes ?? [])];
  let now = Date.parse('2026-11-02T10:00:00Z');
  const subscriptions: SubscriptionStore = {
    put: async (s) => void subs.set(`${s.tenantId}/${s.id}`, s),
    get: async (t, id) => subs.get(`${t}/${id}`),
    list: async (t) => [...subs.values()].filter((s) => s.tenantId === t),
    remove: async (t, id) => subs.delete(`${t}/${id}`),
  };
  const log: DeliveryLog = {
    append: async (r) => void records.push(r),
    list: async (t) => records.filter((r) => r.tenantId === t).reverse(),
    wasDelivered: async (t, s, e) => delivered.has(`${t}/${s}/${e}`),
    markDelivered: async (t, s, e) => void delivered.add(`${t}/${s}/${e}`),
  };
  const retries: RetryQueue = { enqueue: async (job) => void queued.push(job) };
  const deadLetters: DeadLetters = { put: async (job, reason) => void dead.push({ job, reason }) };
  const transport: NotificationTransport = {
    send: async (m) => {
      sent.push(m);
      return outcomes.shift() ?? { kind: 'delivered', status: 200 };
    },
  };
  const secrets = options.secrets ?? {};
  const deps: NotifyDeps = {
    strategies: { getCurrent: async () => undefined },
    subscriptions,
    log,
    secrets: {
      get: async (t, name) => {
        const v = secrets[`${t}/${name}`];
        if (v === undefined) throw new Error(`no secret ${name}`);
        return v;
      },
    },
    transport,
    retries,
    deadLetters,
    clock: { now: () => now },
  };
  return {
    deps,
    records,
    queued,
    dead,
    sent,
    advance: (ms: number) => {
      now += ms;
    },
    setNow: (ms: number) => {
      now = ms;
    },
    now: () => now,
  };
}
