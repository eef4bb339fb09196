/**
 * Standard Webhooks signing (https://www.standardwebhooks.com, spec v1): three headers,
 * `webhook-id` (the same on every retry of one message, so a receiver recognises a duplicate),
 * `webhook-timestamp` (integer Unix seconds of this attempt) and `webhook-signature`
 * (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, space-separated when several keys
 * sign during a rotation). The key is the base64 part of a `whsec_<base64>` secret, 24–64 bytes.
 * HMAC is deterministic, so core may compute it; secrets come from randomBytes at the edge only.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../errors.ts';

export const SECRET_PREFIX = 'whsec_';
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;
/** The spec's recommended tolerance for a receiver: 5 minutes either way. */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The key bytes of `whsec_<base64>`; a ValidationError (without the value) when it is not one. */
export function secretKey(secret: string): Buffer {
  const body = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : undefined;
  const key = body !== undefined && /^[A-Za-z0-9+/]+={0,2}$/.test(body) ? Buffer.from(body, 'base64') : undefined;
  if (key === undefined || key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
    throw new ValidationError('BadSigningSecret', [
      {
        file: '<signing secret>',
        path: '',
        message: `expected whsec_ followed by the base64 of ${MIN_KEY_BYTES}–${MAX_KEY_BYTES} random bytes (the value is not shown)`,
      },
    ]);
  }
  return key;
}

/** A fresh `whsec_` secret of 32 random bytes. */
export function generateSecret(random: (n: number) => Uint8Array = randomBytes): string {
  return `${SECRET_PREFIX}${Buffer.from(random(32)).toString('base64')}`;
}

export function signature(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export function signedHeaders(secret: string, id: string, timestampSeconds: number, body: string): WebhookHeaders {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signature(secret, id, timestampSeconds, body),
  };
}

export type VerifyResult =
  | { ok: true }
  | { ok: false; reason: 'missing-headers' | 'stale-timestamp' | 'bad-signature' };

/** What a receiver does (the tests' receiver and docs/notifications.md use this). */
export function verifySignature(
  secret: string,
  headers: Partial<Record<keyof WebhookHeaders, string | undefined>>,
  body: string,
  nowSeconds: number,
): VerifyResult {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures || !/^\d+$/.test(timestamp)) return { ok: false, reason: 'missing-headers' };
  const seconds = Number(timestamp);
  if (Math.abs(nowSeconds - seconds) > TIMESTAMP_TOLERANCE_SECONDS) return { ok: false, reason: 'stale-timestamp' };
  const expected = Buffer.from(signature(secret, id, seconds, body).slice(3), 'base64');
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || value === undefined) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, reason: 'bad-signature' };
}
