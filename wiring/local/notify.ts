/**
 * Notification delivery on the local cloud: subscriptions and the delivery log in the local
 * DynamoDB, credentials in the local secret store, webhooks and Slack over real HTTP, e-mail into
 * the mail drop `<home>/notify/mail/`, retries in `<home>/notify/outbox/`, the bus cursor beside it.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoNotificationStore, deliveryLogOf } from '#adapters/aws/dynamo-notification-store.ts';
import { httpTransport } from '#adapters/host/http-transport.ts';
import { mailDrop } from '#adapters/local/mail-drop.ts';
import { NotificationOutbox } from '#adapters/local/notification-outbox.ts';
import type { NotificationSecrets, NotificationTransport } from '#core/notifications/ports.ts';
import type { Clock } from '#core/ports.ts';
import { SecretValue } from '#core/secrets/secret-value.ts';
import type { LocalCloud } from '#local/cloud.ts';
import { type LocalNotifier, pumpNotifications } from '#local/notifier.ts';
import type { NotificationAdmin } from '../platform.ts';
import type { LocalAdapters } from './adapters.ts';
import { localSecretProvider, localSecretStore } from './restore-test.ts';

export interface LocalNotifyOptions {
  clock?: Clock;
  /** Replace the HTTP/mail transport (tests). */
  transport?: NotificationTransport;
}

export function localNotificationSecrets(cloud: LocalCloud, adapters: LocalAdapters): NotificationSecrets {
  const store = localSecretStore(cloud, adapters);
  return {
    get: (tenantId, name) => localSecretProvider(store, tenantId).getSecret(name),
    async put(tenantId, name, value) {
      const secret = SecretValue.fromUtf8(value);
      try {
        await store.put(tenantId, name, secret);
      } finally {
        secret.wipe();
      }
    },
    async delete(tenantId, name) {
      await store.delete(tenantId, name);
    },
  };
}

export function localNotifier(
  cloud: LocalCloud,
  adapters: LocalAdapters,
  options: LocalNotifyOptions = {},
): LocalNotifier {
  const dir = join(cloud.home, 'notify');
  const store = new DynamoNotificationStore({ tableName: cloud.tableName, client: adapters.clients.dynamodb });
  const outbox = new NotificationOutbox(dir);
  const cursorFile = join(dir, 'bus-cursor');
  // Sync on purpose: read once when the platform is built, before the command emits anything.
  const startOffset = !existsSync(cursorFile) && existsSync(cloud.eventsFile) ? statSync(cloud.eventsFile).size : 0;
  return {
    deps: {
      strategies: adapters.strategies,
      subscriptions: store,
      log: deliveryLogOf(store),
      secrets: localNotificationSecrets(cloud, adapters),
      transport: options.transport ?? httpTransport({ email: mailDrop(join(dir, 'mail')) }),
      retries: outbox,
      deadLetters: outbox,
      clock: options.clock ?? adapters.clock,
    },
    outbox,
    eventsFile: cloud.eventsFile,
    cursorFile,
    startOffset,
  };
}

export function localNotificationAdmin(
  cloud: LocalCloud,
  adapters: LocalAdapters,
  notifier: LocalNotifier,
): NotificationAdmin {
  return {
    subscriptions: notifier.deps.subscriptions,
    log: notifier.deps.log,
    secrets: localNotificationSecrets(cloud, adapters),
    events: adapters.notifications,
    strategies: adapters.strategies,
    async flush() {
      await pumpNotifications(notifier);
    },
    settleMs: 0,
    describeDeadLetters: () => join(cloud.home, 'notify', 'dead-letters'),
    async addEmail() {},
    async removeEmail() {},
  };
}
