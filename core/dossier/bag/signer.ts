/**
 * The signing port the dossier needs is the audit log's Signer (core/audit/ports.ts): DER ECDSA
 * P-256 over SHA-256(message), so the KMS or PEM-file signer built for one serves both.
 */
import { createHash, createPublicKey } from 'node:crypto';

export type { Signer } from '#core/audit/ports.ts';

/**
 * SHA-256 of the public key's DER SubjectPublicKeyInfo, lower-case hex: exactly what
 * `openssl pkey -pubin -in signer-public-key.pem -outform DER | sha256sum` prints.
 */
export function publicKeyFingerprint(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}

/** Accepts `AB:CD…`, `sha256:abcd…`, upper or lower case: how people paste fingerprints. */
export function normalizeFingerprint(input: string): string {
  return input
    .trim()
    .toLowerCase()
    .replace(/^sha256:/, '')
    .replace(/[:\s]/g, '');
}
