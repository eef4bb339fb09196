import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReversaEvent } from '#core/events/catalogue.ts';
import { MAX_ATTEMPTS } from '#core/notifications/retry.ts';
import { generateSecret } from '#core/notifications/standard-webhooks.ts';
import { cliSecretName, type Subscription } from '#core/notifications/subscription.ts';
import { type LocalNotifier, pumpNotifications } from '#local/notifier.ts';
import { runVerify } from '#local/verify-runner.ts';
import { localNotificationSecrets, localNotifier } from '#wiring/local/notify.ts';
import { type CloudFixture, startTestCloud, uniqueTenant } from '../support/local-cloud.ts';
import { applyStrategy, DAY, dailyFacts, HOUR, settableClock, strategyYaml } from '../support/verify-fixtures.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const START = Date.parse('2026-11-02T10:00:00Z');
const clock = settableClock(START);
let fixture: CloudFixture;
let notifier: LocalNotifier;
let receiver: WebhookReceiver;
const secret = generateSecret();

beforeAll(async () => {
  fixture = await startTestCloud({ clock, label: 'notify' });
  notifier = localNotifier(fixture.cloud, fixture.adapters, { clock });
  receiver = await startWebhookReceiver({ secret, now: clock.now });
});
afterAll(async () => {
  await receiver.close();
  await fixture.stop();
});

async function subscribe(tenantId: string, path: string, extra: Partial<Subscription> = {}): Promise<Subscription> {
  const sub: Subscription = {
    id: 'ops',
    tenantId,
    channel: 'webhook',
    target: 'http://127.0.0.1:…',
    secretName: cliSecretName('ops'),
    origin: 'cli',
    createdAt: new Date(START).toISOString(),
    ...extra,
  };
  await localNotificationSecrets(fixture.cloud, fixture.adapters).put(
    tenantId,
    cliSecretName('ops'),
    JSON.stringify({ url: receiver.url(path), signingSecret: secret }),
  );
  await notifier.deps.subscriptions.put(sub);
  return sub;
}

function restoreFailed(tenantId: string, testId: string): ReversaEvent {
  return {
    id: `${tenantId}:${testId}:reversa.restore-test.failed`,
    type: 'reversa.restore-test.failed',
    tenantId,
    time: new Date(clock.now()).toISOString(),
    severity: 'high',
    subject: testId,
    summary: `nas://files: restore test FAILED`,
    data: { testId },
  };
}

const requestsTo = (path: string) => receiver.requests.filter((r) => r.path === path);

describe('notification delivery on the local cloud', () => {
  it('retries a failing receiver on the backoff schedule with one webhook-id, every attempt signed', async () => {
    const tenantId = uniqueTenant('retry');
    await applyStrategy(fixture.adapters.strategies, strategyYaml(tenantId, ['nas://files']), START - DAY);
    await subscribe(tenantId, '/retry');
    receiver.failFirst(2);
    const event = restoreFailed(tenantId, 'rt-1');

    await fixture.adapters.notifications.emit(event);
    const first = await pumpNotifications(notifier);
    expect(first.attempts).toMatchObject([{ outcome: 'failed', status: 503, attempt: 1 }]);
    expect(await pumpNotifications(notifier)).toEqual({ events: 0, attempts: [] }); // not due yet

    for (const expected of ['failed', 'delivered']) {
      const [pending] = await notifier.outbox.pending();
      clock.set(pending!.dueAt);
      const { attempts } = await pumpNotifications(notifier);
      expect(attempts.map((a) => a.outcome)).toEqual([expected]);
    }

    const seen = requestsTo('/retry');
    expect(seen.map((r) => r.answered)).toEqual([503, 503, 204]);
    expect(seen.every((r) => r.signatureOk)).toBe(true);
    expect(new Set(seen.map((r) => r.headers['webhook-id']))).toEqual(new Set([event.id]));
    // The retries are duplicates for the receiver, which keeps the message once by webhook-id.
    expect(receiver.accepted().get(event.id)).toMatchObject({ specversion: '1.0', id: event.id, type: event.type });
    const log = await notifier.deps.log.list(tenantId);
    expect(log.map((r) => [r.attempt, r.outcome])).toEqual([
      [3, 'delivered'],
      [2, 'failed'],
      [1, 'failed'],
    ]);
    expect(Date.parse(log[1]!.at) - Date.parse(log[2]!.at)).toBeGreaterThanOrEqual(5_000);
    expect(JSON.stringify(log)).not.toContain(secret);
    expect(JSON.stringify(log)).not.toContain('/retry');
  });

  it('recognises the same event on the bus again (a re-run step) and does not send it twice', async () => {
    const tenantId = uniqueTenant('dup');
    await applyStrategy(fixture.adapters.strategies, strategyYaml(tenantId, ['nas://files']), START - DAY);
    await subscribe(tenantId, '/dup');
    receiver.failFirst(0);
    const event = restoreFailed(tenantId, 'rt-2');

    await fixture.adapters.notifications.emit(event);
    await fixture.adapters.notifications.emit(event);
    const { attempts } = await pumpNotifications(notifier);

    expect(attempts.map((a) => a.outcome)).toEqual(['delivered', 'duplicate']);
    expect(requestsTo('/dup')).toHaveLength(1);
  });

  it('puts a delivery that keeps failing in the dead letters after the last attempt', async () => {
    const tenantId = uniqueTenant('dead');
    await applyStrategy(fixture.adapters.strategies, strategyYaml(tenantId, ['nas://files']), START - DAY);
    await subscribe(tenantId, '/dead');
    receiver.failFirst(1000);
    await fixture.adapters.notifications.emit(restoreFailed(tenantId, 'rt-3'));

    await pumpNotifications(notifier);
    for (let pending = await notifier.outbox.pending(); pending.length > 0; pending = await notifier.outbox.pending()) {
      clock.set(pending[0]!.dueAt);
      await pumpNotifications(notifier);
    }

    expect(requestsTo('/dead')).toHaveLength(MAX_ATTEMPTS);
    const [latest] = await notifier.deps.log.list(tenantId);
    expect(latest).toMatchObject({ outcome: 'dead-lettered', attempt: MAX_ATTEMPTS, status: 503 });
    const letters = await notifier.outbox.deadLetters();
    expect(letters.filter((l) => l.job.tenantId === tenantId)).toMatchObject([{ job: { attempt: MAX_ATTEMPTS } }]);
    expect(await readdir(join(fixture.cloud.home, 'notify', 'dead-letters'))).not.toHaveLength(0);
    receiver.failFirst(0);
  });

  it('drops e-mail into the local mail drop, one message per event and subscription', async () => {
    const tenantId = uniqueTenant('mail');
    await applyStrategy(fixture.adapters.strategies, strategyYaml(tenantId, ['nas://files']), START - DAY);
    await notifier.deps.subscriptions.put({
      id: 'mail',
      tenantId,
      channel: 'email',
      target: 'ops@example.com',
      origin: 'cli',
      createdAt: new Date(START).toISOString(),
    });
    await fixture.adapters.notifications.emit(restoreFailed(tenantId, 'rt-mail'));
    const { attempts } = await pumpNotifications(notifier);

    expect(attempts).toMatchObject([{ outcome: 'delivered', channel: 'email', target: 'ops@example.com' }]);
    const dir = join(fixture.cloud.home, 'notify', 'mail', tenantId);
    const [file] = await readdir(dir);
    const mail = await readFile(join(dir, file!), 'utf8');
    expect(mail).toContain('To: ops@example.com');
    expect(mail).toContain(`Subject: [Reversa] ${tenantId}: Restore test failed (high)`);
    expect(mail).toContain(`Event id: ${tenantId}:rt-mail:reversa.restore-test.failed`);
  });

  it('does not replay to a new subscription what was on the bus before notifications first ran on the home', async () => {
    const tenantId = uniqueTenant('history');
    await applyStrategy(fixture.adapters.strategies, strategyYaml(tenantId, ['nas://files']), START - DAY);
    await subscribe(tenantId, '/history');
    await pumpNotifications(notifier);
    await rm(notifier.cursorFile); // a home from before notifications: events, no cursor
    await fixture.adapters.notifications.emit(restoreFailed(tenantId, 'rt-old'));

    const upgraded = localNotifier(fixture.cloud, fixture.adapters, { clock });
    await fixture.adapters.notifications.emit(restoreFailed(tenantId, 'rt-new'));
    const { attempts } = await pumpNotifications(upgraded);

    expect(attempts.map((a) => a.eventId)).toEqual([`${tenantId}:rt-new:reversa.restore-test.failed`]);
    expect(requestsTo('/history')).toHaveLength(1);
  });

  it('delivers what the verify workflow emits: the missed deadline and the incident it opens', async () => {
    const tenantId = uniqueTenant('verify');
    const at = clock.now();
    await applyStrategy(fixture.adapters.strategies, strategyYaml(tenantId, ['db-stale']), at - 30 * DAY);
    await fixture.adapters.facts.putFacts(dailyFacts(tenantId, 'db-stale', 10, at - 3 * DAY));
    await subscribe(tenantId, '/verify', { events: ['reversa.finding.opened', 'reversa.backup.deadline-missed'] });

    const run = await runVerify(
      { ...fixture.adapters },
      { tenantId, at: new Date(at + HOUR).toISOString(), reason: 'test' },
      { executionName: `verify-${tenantId}-1`, zeroWaits: true },
    );
    expect(run.status).toBe('SUCCEEDED');
    await pumpNotifications(notifier);

    const types = requestsTo('/verify').map((r) => JSON.parse(r.body).type);
    expect(types.sort()).toEqual(['reversa.backup.deadline-missed', 'reversa.finding.opened']);
    const opened = requestsTo('/verify')
      .map((r) => JSON.parse(r.body))
      .find((e) => e.type === 'reversa.finding.opened');
    expect(opened).toMatchObject({ source: `urn:reversa:tenant:${tenantId}`, subject: expect.stringMatching(/^vf-/) });
  });
});
