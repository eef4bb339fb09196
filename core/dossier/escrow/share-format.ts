/**
 * The plaintext of one custody share, as a custodian sees it after `age -d`:
 *
 *   reversa-escrow-share v1
 *   tenant: acme
 *   escrow-recipient: age1…
 *   index: 2
 *   count: 5
 *   threshold: 3
 *   data: <base64 of the shamir-secret-sharing share>
 *   checksum: <hex, first 16 bytes of SHA-256 over the lines above>
 *
 * Text, so a custodian can check which escrow and which share they hold. The escrow recipient
 * ties a share to its escrow (a share of another escrow is refused before recombination); the
 * checksum catches a corrupt or hand-edited share. Neither proves the share is right: only the
 * recombined key matching escrow-public.txt does. Parse errors name fields, never their values.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../../errors.ts';
import { isX25519Recipient } from './keys.ts';

export const SHARE_MAGIC = 'reversa-escrow-share v1';
const MAX_SHARE_TEXT = 16 * 1024;

export interface EscrowShare {
  tenantId: string;
  escrowRecipient: string;
  /** 1-based position among the custodians (file share-<index>-of-<count>.age). */
  index: number;
  count: number;
  threshold: number;
  /** The shamir-secret-sharing share bytes: secret material, wipe after use. */
  data: Uint8Array;
}

function checksum(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex').slice(0, 32);
}

export function shareFileName(index: number, count: number): string {
  return `shares/share-${index}-of-${count}.age`;
}

/** The share's text as UTF-8 bytes (the caller wipes them once encrypted). */
export function encodeShare(share: EscrowShare): Uint8Array {
  const body = [
    SHARE_MAGIC,
    `tenant: ${share.tenantId}`,
    `escrow-recipient: ${share.escrowRecipient}`,
    `index: ${share.index}`,
    `count: ${share.count}`,
    `threshold: ${share.threshold}`,
    `data: ${Buffer.from(share.data).toString('base64')}`,
  ].join('\n');
  return new TextEncoder().encode(`${body}\nchecksum: ${checksum(body)}\n`);
}

function shareProblem(source: string, message: string): ValidationError {
  return new ValidationError('EscrowShareInvalid', [{ file: source, path: '', message }]);
}

export function looksLikeShareText(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, SHARE_MAGIC.length)).toString('latin1') === SHARE_MAGIC;
}

/** Parses a decrypted share. `source` names it in errors (e.g. `share 2`), never its content. */
export function parseShare(bytes: Uint8Array, source: string): EscrowShare {
  if (bytes.byteLength > MAX_SHARE_TEXT) throw shareProblem(source, `is larger than ${MAX_SHARE_TEXT} bytes`);
  const text = Buffer.from(bytes).toString('utf8').replace(/\r\n/g, '\n').trimEnd();
  const lines = text.split('\n');
  if (lines[0] !== SHARE_MAGIC) throw shareProblem(source, `does not start with "${SHARE_MAGIC}"`);
  const fields = new Map<string, string>();
  let repeated = false;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(': ');
    if (colon <= 0) continue;
    const name = line.slice(0, colon);
    repeated ||= fields.has(name);
    fields.set(name, line.slice(colon + 2));
  }
  const field = (name: string): string => {
    const value = fields.get(name);
    if (value === undefined) throw shareProblem(source, `has no "${name}" line`);
    return value;
  };
  const body = text.slice(0, text.lastIndexOf('\nchecksum: '));
  if (!text.includes('\nchecksum: ') || field('checksum') !== checksum(body)) {
    throw shareProblem(source, 'checksum does not match: the share is corrupt or was edited');
  }
  // The checksum covers only the lines above it: a field repeated, or any line after the checksum,
  // would override a checked value with an unchecked one.
  if (repeated || !text.endsWith(`\nchecksum: ${fields.get('checksum')}`)) {
    throw shareProblem(source, 'has a repeated field or lines after "checksum": the share was edited');
  }
  const int = (name: string): number => {
    const value = Number(field(name));
    if (!Number.isInteger(value) || value < 1 || value > 255) throw shareProblem(source, `"${name}" must be 1..255`);
    return value;
  };
  const share: EscrowShare = {
    tenantId: field('tenant'),
    escrowRecipient: field('escrow-recipient'),
    index: int('index'),
    count: int('count'),
    threshold: int('threshold'),
    data: new Uint8Array(Buffer.from(field('data'), 'base64')),
  };
  if (!isX25519Recipient(share.escrowRecipient))
    throw shareProblem(source, '"escrow-recipient" is not an age recipient');
  if (share.index > share.count || share.threshold > share.count || share.data.byteLength < 2) {
    throw shareProblem(source, 'index, count, threshold or data are inconsistent');
  }
  return share;
}
