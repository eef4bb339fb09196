/**
 * E-mail on the local cloud: there is no mail server, so each message is written as an RFC 5322
 * file (`<dir>/<tenant>/<event id hash>-<subscription>.eml`) a person or a test can open; what SNS
 * is to a deployment. Writing the same message again overwrites it (idempotent by event id).
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NotificationTransport } from '#core/notifications/ports.ts';

export function mailDrop(dir: string, from = 'reversa@localhost'): NotificationTransport {
  return {
    async send(message) {
      if (message.channel !== 'email') return { kind: 'failed', error: 'the mail drop sends e-mail only' };
      const id = createHash('sha256').update(message.eventId).digest('hex').slice(0, 24);
      const folder = join(dir, message.tenantId);
      await mkdir(folder, { recursive: true, mode: 0o700 });
      const boundary = `reversa-${id}`;
      const text = [
        `From: ${from}`,
        `To: ${message.address}`,
        `Subject: ${message.message.subject}`,
        `Message-ID: <${id}.${message.subscriptionId}@reversa.local>`,
        'MIME-Version: 1.0',
        `Content-Type: multipart/alternative; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        message.message.text,
        `--${boundary}`,
        'Content-Type: text/html; charset=utf-8',
        '',
        message.message.html,
        `--${boundary}--`,
        '',
      ].join('\r\n');
      await writeFile(join(folder, `${id}-${message.subscriptionId}.eml`), text, { mode: 0o600 });
      return { kind: 'delivered' };
    },
  };
}
