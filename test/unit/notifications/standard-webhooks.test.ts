import { describe, expect, it } from 'vitest';
import {
  generateSecret,
  secretKey,
  signature,
  signedHeaders,
  verifySignature,
} from '#core/notifications/standard-webhooks.ts';

// The reference vector of the Standard Webhooks test suites (libraries/javascript, "sign function works").
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('Standard Webhooks signing', () => {
  it('reproduces the specification test vector', () => {
    expect(signature(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
    expect(signedHeaders(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toEqual({
      'webhook-id': VECTOR.id,
      'webhook-timestamp': '1614265330',
      'webhook-signature': VECTOR.signature,
    });
  });

  it('verifies the vector within five minutes and refuses it later, tampered or with another key', () => {
    const headers = {
      'webhook-id': VECTOR.id,
      'webhook-timestamp': String(VECTOR.timestamp),
      'webhook-signature': VECTOR.signature,
    };
    expect(verifySignature(VECTOR.secret, headers, VECTOR.body, VECTOR.timestamp + 300)).toEqual({ ok: true });
    expect(verifySignature(VECTOR.secret, headers, VECTOR.body, VECTOR.timestamp + 301)).toEqual({
      ok: false,
      reason: 'stale-timestamp',
    });
    expect(verifySignature(VECTOR.secret, headers, '{"test": 2432232315}', VECTOR.timestamp).ok).toBe(false);
    expect(verifySignature(generateSecret(), headers, VECTOR.body, VECTOR.timestamp)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    const rotated = { ...headers, 'webhook-signature': `v1,AAAA ${VECTOR.signature}` };
    expect(verifySignature(VECTOR.secret, rotated, VECTOR.body, VECTOR.timestamp)).toEqual({ ok: true });
  });

  it('generates whsec_ secrets of 32 random bytes', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(secretKey(secret)).toHaveLength(32);
    expect(generateSecret()).not.toBe(secret);
  });

  it('refuses a secret without the prefix or too short, without echoing it', () => {
    for (const bad of ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_c2hvcnQ=', 'whsec_not base64!']) {
      expect(() => secretKey(bad)).toThrowError(/expected whsec_ followed by the base64/);
      try {
        secretKey(bad);
      } catch (error) {
        expect((error as Error).message).not.toContain(bad);
      }
    }
  });
});
