import { describe, expect, it } from 'vitest';
import type { ReversaEvent } from '#core/events/catalogue.ts';
import { MAX_ATTEMPTS, nextStep, RETRY_DELAYS_MS } from '#core/notifications/retry.ts';
import { verifySignature } from '#core/notifications/standard-webhooks.ts';
import type { Subscription } from '#core/notifications/subscription.ts';
import { attemptDelivery, deliverEvent, testEvent } from '#core/use-cases/notify.ts';
import { memoryNotify } from './support.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const URL_WITH_TOKEN = 'https://hooks.example.com/in/tok-3f9a';
const event: ReversaEvent = {
  id: 'acme:rt-1:reversa.restore-test.failed',
  type: 'reversa.restore-test.failed',
  tenantId: 'acme',
  time: '2026-11-02T09:59:00.000Z',
  severity: 'high',
  subject: 'rt-1',
  summary: 'db-orders: restore test FAILED',
  data: { testId: 'rt-1' },
};
const hook: Subscription = {
  id: 'ops',
  tenantId: 'acme',
  channel: 'webhook',
  target: 'https://hooks.example.com/…',
  secretName: 'notify/ops',
  origin: 'cli',
  createdAt: '2026-11-01T00:00:00.000Z',
};
const secrets = { 'acme/notify/ops': JSON.stringify({ url: URL_WITH_TOKEN, signingSecret: SECRET }) };

describe('the retry schedule', () => {
  it('backs off on the Standard Webhooks schedule with at most 10 % jitter, then dead-letters', () => {
    const failed = { kind: 'failed' as const, status: 503, error: 'HTTP 503' };
    for (const [i, delay] of RETRY_DELAYS_MS.entries()) {
      const step = nextStep('k', i + 1, 0, failed);
      expect(step.kind).toBe('retry');
      const at = (step as { at: number }).at;
      expect(at).toBeGreaterThanOrEqual(delay);
      expect(at).toBeLessThan(delay * 1.1);
      expect(nextStep('k', i + 1, 0, failed)).toEqual(step);
    }
    expect(nextStep('k', MAX_ATTEMPTS, 0, failed)).toEqual({
      kind: 'dead-letter',
      reason: `still failing after ${MAX_ATTEMPTS} attempts`,
    });
  });

  it('retries network errors, 408, 429 and 5xx; other refusals go to the dead letters at once', () => {
    for (const status of [undefined, 408, 429, 500, 502]) {
      const outcome = { kind: 'failed' as const, error: 'x', ...(status ? { status } : {}) };
      expect(nextStep('k', 1, 0, outcome).kind).toBe('retry');
    }
    for (const status of [400, 401, 404, 410]) {
      expect(nextStep('k', 1, 0, { kind: 'failed', status, error: 'x' })).toEqual({
        kind: 'dead-letter',
        reason: `refused with HTTP ${status}, not retried`,
      });
    }
    expect(nextStep('k', 1, 0, { kind: 'delivered', status: 204 })).toEqual({ kind: 'done' });
  });
});

describe('delivering an event', () => {
  it('signs a CloudEvents body with the event id as webhook-id and logs the delivery', async () => {
    const n = memoryNotify({ secrets });
    await n.deps.subscriptions.put(hook);
    const records = await deliverEvent(n.deps, event);
    expect(records).toMatchObject([{ outcome: 'delivered', status: 200, attempt: 1, subscriptionId: 'ops' }]);
    const sent = n.sent[0];
    if (sent?.channel !== 'webhook') throw new Error('expected a webhook message');
    expect(sent.url).toBe(URL_WITH_TOKEN);
    expect(sent.headers['webhook-id']).toBe(event.id);
    expect(JSON.parse(sent.body)).toMatchObject({ specversion: '1.0', id: event.id, type: event.type });
    expect(verifySignature(SECRET, sent.headers, sent.body, Math.floor(n.now() / 1000))).toEqual({ ok: true });
  });

  it('sends an event a second time to nobody: the duplicate is logged, not delivered', async () => {
    const n = memoryNotify({ secrets });
    await n.deps.subscriptions.put(hook);
    await deliverEvent(n.deps, event);
    const again = await deliverEvent(n.deps, event);
    expect(again).toMatchObject([{ outcome: 'duplicate' }]);
    expect(n.sent).toHaveLength(1);
  });

  it('queues a failed attempt for its retry, then delivers it when the retry comes', async () => {
    const n = memoryNotify({
      secrets,
      outcomes: [{ kind: 'failed', status: 503, error: `HTTP 503 from ${URL_WITH_TOKEN}` }],
    });
    await n.deps.subscriptions.put(hook);
    const [first] = await deliverEvent(n.deps, event);
    expect(first).toMatchObject({ outcome: 'failed', status: 503, attempt: 1 });
    expect(first?.error).toBe('HTTP 503 from https://hooks.example.com/…');
    expect(n.queued).toMatchObject([{ attempt: 2, subscriptionId: 'ops' }]);
    n.setNow(n.queued[0]!.dueAt);
    const second = await attemptDelivery(n.deps, n.queued[0]!);
    expect(second).toMatchObject({ outcome: 'delivered', attempt: 2 });
    const [a, b] = n.sent as unknown as { headers: Record<string, string> }[];
    expect(a?.headers['webhook-id']).toBe(b?.headers['webhook-id']);
  });

  it('puts what keeps failing in the dead letters after the last attempt', async () => {
    const n = memoryNotify({ secrets, outcomes: Array(MAX_ATTEMPTS).fill({ kind: 'failed', error: 'ECONNREFUSED' }) });
    await n.deps.subscriptions.put(hook);
    await deliverEvent(n.deps, event);
    while (n.queued.length > 0) {
      const job = n.queued.shift()!;
      n.setNow(job.dueAt);
      await attemptDelivery(n.deps, job);
    }
    expect(n.records.map((r) => r.outcome)).toEqual([...Array(MAX_ATTEMPTS - 1).fill('failed'), 'dead-lettered']);
    expect(n.dead).toMatchObject([{ job: { attempt: MAX_ATTEMPTS }, reason: expect.stringContaining('ECONNREFUSED') }]);
  });

  it('never writes a credential into the log, even when the secret is malformed', async () => {
    const n = memoryNotify({ secrets: { 'acme/notify/ops': `{"url":"${URL_WITH_TOKEN}"}` } });
    await n.deps.subscriptions.put(hook);
    const [record] = await deliverEvent(n.deps, event);
    expect(record?.outcome).toBe('failed');
    expect(JSON.stringify(n.records)).not.toContain('tok-3f9a');
    expect(JSON.stringify(n.records)).not.toContain(SECRET);
  });

  it('skips subscriptions whose filters exclude the event, yet sends reversa.test to all', async () => {
    const n = memoryNotify({ secrets });
    await n.deps.subscriptions.put({ ...hook, events: ['reversa.dossier.stale'] });
    expect(await deliverEvent(n.deps, event)).toEqual([]);
    const records = await deliverEvent(n.deps, testEvent('acme', n.now(), 'local:me'));
    expect(records).toMatchObject([{ eventType: 'reversa.test', outcome: 'delivered' }]);
  });

  it('drops a queued retry whose subscription was removed', async () => {
    const n = memoryNotify({ secrets });
    const record = await attemptDelivery(n.deps, {
      tenantId: 'acme',
      subscriptionId: 'gone',
      event,
      attempt: 2,
      dueAt: 0,
    });
    expect(record).toMatchObject({ outcome: 'dropped' });
    expect(n.sent).toEqual([]);
  });

  it('renders Slack and e-mail subscriptions in their own formats', async () => {
    const n = memoryNotify({ secrets: { 'acme/chat': 'https://hooks.slack.com/services/T/B/x' } });
    await n.deps.subscriptions.put({ ...hook, id: 'chat', channel: 'slack', secretName: 'chat' });
    const { secretName: _none, ...withoutSecret } = hook;
    await n.deps.subscriptions.put({ ...withoutSecret, id: 'mail', channel: 'email', target: 'ops@example.com' });
    await deliverEvent(n.deps, event);
    expect(n.sent.map((m) => m.channel).sort()).toEqual(['email', 'slack']);
    const slack = n.sent.find((m) => m.channel === 'slack');
    expect(slack && JSON.parse((slack as { body: string }).body).text).toContain('Restore test failed');
  });
});
