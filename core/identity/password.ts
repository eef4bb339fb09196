/**
 * Password hashing for the local identity provider: Argon2id (RFC 9106), memory-hard, from Node's
 * own crypto (OpenSSL 3.2+), parameters from OWASP's recommendation (19 MiB, 2 passes, 1 lane) and
 * encoded in the PHC string format so they can be raised later without invalidating old hashes.
 * In AWS, Cognito keeps the passwords (SRP: they never reach Reversa).
 */
import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SecretValue } from '../secrets/secret-value.ts';

export const ARGON2_PARAMETERS = { memory: 19_456, passes: 2, parallelism: 1, tagLength: 32 } as const;

function derive(
  password: Uint8Array,
  nonce: Uint8Array,
  p: { memory: number; passes: number; parallelism: number; tagLength: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    argon2('argon2id', { message: password, nonce, ...p }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** The derivation runs on the thread pool, past any synchronous `use`: it gets a copy, zeroed afterwards. */
async function withCopy<T>(password: SecretValue, fn: (bytes: Uint8Array) => Promise<T>): Promise<T> {
  const bytes = password.bytes();
  try {
    return await fn(bytes);
  } finally {
    bytes.fill(0);
  }
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64').replace(/=+$/, '');

/** `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>` */
export async function hashPassword(password: SecretValue): Promise<string> {
  const salt = randomBytes(16);
  const p = ARGON2_PARAMETERS;
  const tag = await withCopy(password, (bytes) => derive(bytes, salt, p));
  return `$argon2id$v=19$m=${p.memory},t=${p.passes},p=${p.parallelism}$${b64(salt)}$${b64(tag)}`;
}

const PHC = /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,64})\$([A-Za-z0-9+/]{16,128})$/;

/** Constant-time comparison; a malformed stored hash never matches. */
export async function verifyPassword(password: SecretValue, stored: string): Promise<boolean> {
  const m = PHC.exec(stored);
  if (!m) return false;
  const expected = Buffer.from(m[5] as string, 'base64');
  const tag = await withCopy(password, (bytes) =>
    derive(bytes, Buffer.from(m[4] as string, 'base64'), {
      memory: Number(m[1]),
      passes: Number(m[2]),
      parallelism: Number(m[3]),
      tagLength: expected.length,
    }),
  );
  return tag.length === expected.length && timingSafeEqual(tag, expected);
}
