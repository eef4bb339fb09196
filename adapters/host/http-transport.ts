/**
 * Sends webhook and Slack messages over HTTP(S) with Node's fetch, one POST per attempt, and
 * hands e-mail to the e-mail transport of the flavour (SNS in AWS, the mail drop locally). The
 * endpoint's failures are outcomes, not exceptions: HTTP status, or the network error's code.
 * Errors never carry the URL (it may hold a token): the delivery use case scrubs it too.
 * Redirects are not followed: a signed message goes where the subscription says, or fails.
 */
import type { NotificationTransport, OutboundMessage } from '#core/notifications/ports.ts';
import type { AttemptOutcome } from '#core/notifications/retry.ts';

export interface HttpTransportOptions {
  /** Per attempt; default 10 s (Standard Webhooks receivers are expected to answer quickly). */
  timeoutMs?: number;
  email: NotificationTransport;
  fetch?: typeof fetch;
  userAgent?: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;

function networkError(error: unknown): string {
  const e = error as { name?: string; code?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timed out';
  return e.cause?.code ?? e.code ?? e.name ?? 'network error';
}

export function httpTransport(options: HttpTransportOptions): NotificationTransport {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    async send(message: OutboundMessage): Promise<AttemptOutcome> {
      if (message.channel === 'email') return options.email.send(message);
      const headers: Record<string, string> = {
        'content-type':
          message.channel === 'webhook' ? 'application/cloudevents+json; charset=utf-8' : 'application/json',
        'user-agent': options.userAgent ?? 'Reversa-Notifications/1',
        ...(message.channel === 'webhook' ? message.headers : {}),
      };
      try {
        const response = await doFetch(message.url, {
          method: 'POST',
          headers,
          body: message.body,
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
        // The body is not needed; reading it releases the connection.
        await response.arrayBuffer().catch(() => undefined);
        if (response.status >= 200 && response.status < 300) return { kind: 'delivered', status: response.status };
        return { kind: 'failed', status: response.status, error: `HTTP ${response.status}` };
      } catch (error) {
        return { kind: 'failed', error: networkError(error) };
      }
    },
  };
}
