/**
 * age keys as they cross our boundaries: recipients (public, `age1…`) are validated strictly
 * (bech32 checksum included) so a typo fails at seal time, not when the successor tries to open;
 * identities (secret, `AGE-SECRET-KEY-1…`) are validated without ever echoing them.
 *
 * Only native X25519 keys: they are what Debian's age 1.1 and every other age implementation
 * read (post-quantum hybrid keys need age ≥ 1.3).
 */
import { createHash } from 'node:crypto';
import { type Problem, ValidationError } from '../../errors.ts';

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATORS = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
const X25519_RECIPIENT = /^age1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}$/;
const X25519_IDENTITY = /^AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}$/;

function bech32Polymod(values: readonly number[]): number {
  let chk = 1;
  for (const value of values) {
    const top = chk >>> 25;
    chk = (((chk & 0x1ffffff) << 5) ^ value) >>> 0;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk = (chk ^ GENERATORS[i]!) >>> 0;
  }
  return chk;
}

/** True for a well-formed bech32 string (lowercase) with a valid checksum (BIP 173, as age uses). */
function bech32ChecksumOk(text: string): boolean {
  const sep = text.lastIndexOf('1');
  const hrp = text.slice(0, sep);
  const data = Array.from(text.slice(sep + 1), (c) => CHARSET.indexOf(c));
  if (sep < 1 || data.some((v) => v < 0)) return false;
  const codes = Array.from(hrp, (c) => c.charCodeAt(0));
  return bech32Polymod([...codes.map((c) => c >>> 5), 0, ...codes.map((c) => c & 31), ...data]) === 1;
}

export function isX25519Recipient(text: string): boolean {
  return X25519_RECIPIENT.test(text) && bech32ChecksumOk(text);
}

export function isX25519Identity(text: string): boolean {
  return X25519_IDENTITY.test(text) && bech32ChecksumOk(text.toLowerCase());
}

/**
 * A stable, public fingerprint of a recipient for manifests and audit entries:
 * `SHA256:` + hex of SHA-256 over the recipient string.
 */
export function recipientFingerprint(recipient: string): string {
  return `SHA256:${createHash('sha256').update(recipient, 'utf8').digest('hex')}`;
}

/**
 * Problems for every recipient that is not an age X25519 recipient. Messages name the position
 * (`recipients[2]`) and never echo the value: someone may have pasted a secret key by mistake.
 */
export function recipientProblems(values: readonly string[], path: string, file = 'escrow'): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const [i, raw] of values.entries()) {
    const value = typeof raw === 'string' ? raw.trim() : '';
    let message: string | undefined;
    if (value.toUpperCase().startsWith('AGE-SECRET-KEY-')) {
      message = 'this is an age identity (a SECRET key), not a recipient: give its public age1… recipient instead';
    } else if (!isX25519Recipient(value)) {
      message = 'expected an age X25519 recipient: age1 followed by 58 bech32 characters with a valid checksum';
    } else if (seen.has(value)) {
      message = 'duplicate recipient';
    }
    if (message !== undefined) problems.push({ file, path: `${path}[${i}]`, message });
    seen.add(value);
  }
  return problems;
}

/** Throws a ValidationError naming each bad identity by position, never by content. */
export function assertIdentities(identities: readonly string[], path = 'identities'): void {
  const problems: Problem[] = [];
  for (const [i, identity] of identities.entries()) {
    if (typeof identity !== 'string' || !isX25519Identity(identity.trim())) {
      problems.push({
        file: 'escrow',
        path: `${path}[${i}]`,
        message: 'expected an age X25519 identity (AGE-SECRET-KEY-1…)',
      });
    }
  }
  if (problems.length > 0) throw new ValidationError('EscrowBadIdentity', problems);
}

/**
 * The identities in an age identity file (what `age-keygen` writes): one per line, `#` comments
 * and blank lines ignored. Bad lines are reported by line number only.
 */
export function parseIdentityFile(text: string, file = 'identity file'): string[] {
  const identities: string[] = [];
  const problems: Problem[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (isX25519Identity(line)) identities.push(line);
    else
      problems.push({
        file,
        line: i + 1,
        column: 1,
        path: '',
        message: 'expected an age X25519 identity (AGE-SECRET-KEY-1…)',
      });
  }
  if (problems.length === 0 && identities.length === 0) {
    problems.push({ file, path: '', message: 'contains no age identity' });
  }
  if (problems.length > 0) throw new ValidationError('EscrowBadIdentity', problems);
  return identities;
}
