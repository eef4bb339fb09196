/**
 * Opens a sealed escrow: with an identity that is a direct recipient of secrets.age (a successor
 * in direct mode, break-glass in either), or in custody mode by recombining k shares.
 *
 * Shares are given as files: age-encrypted share files (decrypted here with the given identities,
 * e.g. custodians present with their keys) or share texts a custodian already decrypted with
 * `age -d`. When none is given, the share files of the folder itself are tried with the given
 * identities. The recombined key must match escrow-public.txt, so too few or wrong shares fail
 * with a clear error instead of a confusing decryption failure.
 *
 * No error carries secret text, age's own messages or a cause that could: failures are
 * described by file and position only.
 */
import { createHash } from 'node:crypto';
import { armor, Decrypter, identityToRecipient } from 'age-encryption';
import { combine } from 'shamir-secret-sharing';
import { ValidationError } from '../../errors.ts';
import { decodeSecretBundle } from '../../secrets/bundle.ts';
import type { SecretValue } from '../../secrets/ports.ts';
import { assertIdentities, isX25519Identity } from './keys.ts';
import { ESCROW_FILES, type EscrowManifest, parseEscrowManifest } from './manifest.ts';
import { type EscrowShare, looksLikeShareText, parseShare, shareFileName } from './share-format.ts';

/** Reads one file of the dossier's credentials/ folder by relative path; undefined when absent. */
export type EscrowFileReader = (path: string) => Promise<Uint8Array | undefined>;

export interface OpenEscrowOptions {
  files: EscrowFileReader;
  /** age X25519 identities (AGE-SECRET-KEY-1…): a direct recipient's, or custodians' for their shares. */
  identities: string[];
  /** Share files: age-encrypted (`share-<i>-of-<n>.age`) or already-decrypted share texts. */
  shares?: Uint8Array[];
}

export interface OpenedSecret {
  name: string;
  version?: string;
  lastChangedAt?: number;
  tags?: Record<string, string>;
  value: SecretValue;
}

export interface OpenedEscrow {
  tenantId: string;
  /** Epoch ms. */
  sealedAt: number;
  openedWith: 'identity' | 'shares';
  secrets: OpenedSecret[];
  /** Zeroes every value. */
  wipe(): void;
}

const MAX_SECRETS_AGE = 96 * 1024 * 1024;
const MAX_SHARE_FILE = 64 * 1024;
const AGE_MAGIC = 'age-encryption.org/v1\n';
const ARMOR_MAGIC = '-----BEGIN AGE ENCRYPTED FILE-----';

function fail(code: string, file: string, message: string): ValidationError {
  return new ValidationError(code, [{ file, path: '', message }]);
}

async function required(files: EscrowFileReader, path: string, maxBytes: number): Promise<Uint8Array> {
  const bytes = await files(path);
  if (bytes === undefined) throw fail('EscrowFileMissing', path, 'is missing from the credentials folder');
  if (bytes.byteLength > maxBytes) throw fail('EscrowFileTooLarge', path, `is larger than ${maxBytes} bytes`);
  return bytes;
}

function startsWith(bytes: Uint8Array, prefix: string): boolean {
  return Buffer.from(bytes.subarray(0, prefix.length)).toString('latin1') === prefix;
}

/** Binary age, or armored age converted to binary; undefined when the bytes are neither. */
function ageBinary(bytes: Uint8Array): Uint8Array | undefined {
  if (startsWith(bytes, AGE_MAGIC)) return bytes;
  const text = Buffer.from(bytes).toString('latin1').trim();
  if (!text.startsWith(ARMOR_MAGIC)) return undefined;
  try {
    return armor.decode(text);
  } catch {
    return undefined;
  }
}

const isNoMatch = (error: unknown) => error instanceof Error && /no identity matched/i.test(error.message);

/**
 * Decrypts `ciphertext` with `identities`; undefined when none of them is a recipient. Any other
 * failure (altered or truncated file) is an error naming the file.
 */
async function tryDecrypt(ciphertext: Uint8Array, identities: readonly string[], file: string) {
  const binary = ageBinary(ciphertext);
  if (binary === undefined) throw fail('EscrowCorrupt', file, 'is not an age encrypted file');
  if (identities.length === 0) return undefined;
  const decrypter = new Decrypter();
  for (const identity of identities) decrypter.addIdentity(identity);
  try {
    return await decrypter.decrypt(binary);
  } catch (error) {
    if (isNoMatch(error)) return undefined;
    throw fail('EscrowCorrupt', file, 'could not be decrypted: the file is altered, truncated or malformed');
  }
}

async function loadShare(bytes: Uint8Array, identities: readonly string[], source: string): Promise<EscrowShare> {
  if (bytes.byteLength > MAX_SHARE_FILE)
    throw fail('EscrowShareInvalid', source, `is larger than ${MAX_SHARE_FILE} bytes`);
  if (looksLikeShareText(bytes)) return parseShare(bytes, source);
  const plain = await tryDecrypt(bytes, identities, source);
  if (plain === undefined) {
    throw fail(
      'EscrowShareLocked',
      source,
      'none of the given identities decrypts this share (give its custodian key)',
    );
  }
  try {
    return parseShare(plain, source);
  } finally {
    plain.fill(0);
  }
}

/** Shares of the folder itself that the given identities decrypt (custodians present with their keys). */
async function sharesFromFolder(files: EscrowFileReader, count: number, identities: readonly string[]) {
  const found: EscrowShare[] = [];
  for (let index = 1; index <= count; index++) {
    const path = shareFileName(index, count);
    const bytes = await files(path);
    if (bytes === undefined || bytes.byteLength > MAX_SHARE_FILE) continue;
    const plain = await tryDecrypt(bytes, identities, path);
    if (plain === undefined) continue;
    try {
      found.push(parseShare(plain, path));
    } finally {
      plain.fill(0);
    }
  }
  return found;
}

async function recombine(manifest: EscrowManifest, escrowPublic: string, shares: EscrowShare[]): Promise<string> {
  const custody = manifest.custody!;
  const byIndex = new Map<number, EscrowShare>();
  for (const share of shares) {
    if (share.escrowRecipient !== custody.escrowRecipient || share.tenantId !== manifest.tenantId) {
      throw fail(
        'EscrowShareMismatch',
        `share ${share.index}`,
        'belongs to another escrow (its escrow-recipient differs)',
      );
    }
    if (share.count !== custody.shares || share.threshold !== custody.threshold) {
      throw fail('EscrowShareMismatch', `share ${share.index}`, 'count or threshold differ from the escrow manifest');
    }
    byIndex.set(share.index, share);
  }
  const distinct = [...byIndex.values()];
  if (distinct.length < custody.threshold) {
    throw fail(
      'EscrowNotEnoughShares',
      ESCROW_FILES.manifest,
      `${custody.threshold} of ${custody.shares} shares needed, got ${distinct.length}`,
    );
  }
  let combined: Uint8Array | undefined;
  try {
    combined = await combine(distinct.map((s) => s.data));
  } catch {
    combined = undefined;
  } finally {
    for (const share of distinct) share.data.fill(0);
  }
  const identity = combined === undefined ? '' : Buffer.from(combined).toString('latin1');
  combined?.fill(0);
  let recipient = '';
  if (isX25519Identity(identity)) {
    try {
      recipient = await identityToRecipient(identity);
    } catch {
      recipient = '';
    }
  }
  if (recipient !== escrowPublic) {
    throw fail(
      'EscrowKeyMismatch',
      ESCROW_FILES.escrowPublic,
      'the key recombined from the shares does not match the published escrow public key: at least one share is wrong or corrupt',
    );
  }
  return identity;
}

export async function openEscrow(opts: OpenEscrowOptions): Promise<OpenedEscrow> {
  assertIdentities(opts.identities);
  const identities = opts.identities.map((i) => i.trim());
  const manifest = parseEscrowManifest(await required(opts.files, ESCROW_FILES.manifest, 16 * 1024 * 1024));
  const ciphertext = await required(opts.files, ESCROW_FILES.secrets, MAX_SECRETS_AGE);
  if (
    ciphertext.byteLength !== manifest.bundle.bytes ||
    createHash('sha256').update(ciphertext).digest('hex') !== manifest.bundle.sha256
  ) {
    throw fail('EscrowCorrupt', ESCROW_FILES.secrets, 'size or SHA-256 differ from escrow-manifest.json');
  }

  let openedWith: OpenedEscrow['openedWith'] = 'identity';
  let plain = await tryDecrypt(ciphertext, identities, ESCROW_FILES.secrets);
  if (plain === undefined && manifest.custody !== null) {
    const escrowPublic = Buffer.from(await required(opts.files, ESCROW_FILES.escrowPublic, 1024))
      .toString('utf8')
      .trim();
    if (escrowPublic !== manifest.custody.escrowRecipient) {
      throw fail(
        'EscrowCorrupt',
        ESCROW_FILES.escrowPublic,
        'differs from the escrow recipient in escrow-manifest.json',
      );
    }
    const shares =
      opts.shares === undefined
        ? await sharesFromFolder(opts.files, manifest.custody.shares, identities)
        : await Promise.all(opts.shares.map((bytes, i) => loadShare(bytes, identities, `shares[${i}]`)));
    const escrowIdentity = await recombine(manifest, escrowPublic, shares);
    plain = await tryDecrypt(ciphertext, [escrowIdentity], ESCROW_FILES.secrets);
    openedWith = 'shares';
  }
  if (plain === undefined) {
    throw fail(
      'EscrowNoMatchingIdentity',
      ESCROW_FILES.secrets,
      manifest.custody === null
        ? 'none of the given identities is a recipient of the escrow'
        : 'none of the given identities is a direct recipient; give custodian identities or share files',
    );
  }

  let entries: Awaited<ReturnType<typeof decodeSecretBundle>>;
  try {
    entries = await decodeSecretBundle(plain);
  } finally {
    plain.fill(0);
  }
  const secrets: OpenedSecret[] = entries.map(({ ref, value }) => ({
    name: ref.name,
    ...(ref.version === undefined ? {} : { version: ref.version }),
    ...(ref.lastChangedAt === undefined ? {} : { lastChangedAt: ref.lastChangedAt }),
    ...(ref.tags === undefined ? {} : { tags: ref.tags }),
    value,
  }));
  return {
    tenantId: manifest.tenantId,
    sealedAt: Date.parse(manifest.sealedAt),
    openedWith,
    secrets,
    wipe: () => {
      for (const secret of secrets) secret.value.wipe();
    },
  };
}
