/** SHA-256 helpers. Hashing is deterministic and pure, so core may use node:crypto for it. */
import { hash } from 'node:crypto';

/** Hex SHA-256 of text (UTF-8) or bytes; the one-shot `crypto.hash` avoids a Hash object per call. */
export function sha256Hex(data: string | Uint8Array): string {
  return hash('sha256', data, 'hex');
}

export const ZERO_HASH = '0'.repeat(64);
