/**
 * A Standard Webhooks receiver on 127.0.0.1 for the tests: checks every request's signature with
 * the subscription's secret (and the timestamp against the test's clock, as a real receiver does against its own), answers 503 to the
 * first `failFirst` requests of each message on purpose, and records what it saw: the attempts,
 * their webhook-ids (a retry or duplicate carries the same one) and the parsed CloudEvents.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '#core/notifications/standard-webhooks.ts';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  signatureOk: boolean;
  answered: number;
}

export interface WebhookReceiver {
  url(path?: string): string;
  requests: ReceivedRequest[];
  /** Bodies of the messages accepted with 2xx, once per webhook-id (what a deduplicating receiver keeps). */
  accepted(): Map<string, unknown>;
  /** The secret requests to `path` are signed with (default: the one given at start, for every path). */
  setSecret(path: string, secret: string): void;
  /** Answer 503 to the first `n` requests of each webhook-id from now on. */
  failFirst(n: number): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(
  options: { secret?: string; failFirst?: number; now?: () => number } = {},
): Promise<WebhookReceiver> {
  // The sender's timestamps follow the test's fake clock: the receiver's tolerance check uses the same one.
  const now = options.now ?? Date.now;
  const secrets = new Map<string, string>();
  let failFirst = options.failFirst ?? 0;
  const requests: ReceivedRequest[] = [];
  const seen = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const h = req.headers as Record<string, string | undefined>;
      const secret = secrets.get(req.url ?? '/') ?? options.secret;
      const signatureOk =
        secret !== undefined &&
        verifySignature(
          secret,
          {
            'webhook-id': h['webhook-id'],
            'webhook-timestamp': h['webhook-timestamp'],
            'webhook-signature': h['webhook-signature'],
          },
          body,
          Math.floor(now() / 1000),
        ).ok;
      const id = h['webhook-id'] ?? '';
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      const answered = !signatureOk && secret !== undefined ? 401 : n <= failFirst ? 503 : 204;
      requests.push({ path: req.url ?? '/', headers: req.headers, body, signatureOk, answered });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    requests,
    accepted() {
      const out = new Map<string, unknown>();
      for (const r of requests) {
        const id = r.headers['webhook-id'] as string;
        if (r.answered < 300 && !out.has(id)) out.set(id, JSON.parse(r.body));
      }
      return out;
    },
    setSecret: (path, s) => {
      secrets.set(path, s);
    },
    failFirst: (n) => {
      failFirst = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
