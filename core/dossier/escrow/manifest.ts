/**
 * escrow-manifest.json: what the escrow holds and who can open it, with no secret value in it.
 * The successor reads it before opening anything; the dossier compares its lastChangedAt with the
 * source to tell whether the escrow is stale.
 */
import { ValidationError } from '../../errors.ts';
import { isX25519Recipient } from './keys.ts';

export const ESCROW_FORMAT = 'reversa-escrow/1';
export const ESCROW_FILES = {
  secrets: 'secrets.age',
  manifest: 'escrow-manifest.json',
  escrowPublic: 'escrow-public.txt',
} as const;

export type RecipientRole = 'successor' | 'break-glass' | 'escrow' | 'custodian';

export interface ManifestRecipient {
  role: RecipientRole;
  recipient: string;
  fingerprint: string;
  /** True when this key alone decrypts secrets.age. */
  opensSecretsDirectly: boolean;
  /** Custodians: the share file encrypted to this recipient. */
  shareFile?: string;
}

export interface ManifestSecret {
  name: string;
  version?: string;
  /** ISO 8601. */
  lastChangedAt?: string;
  /** Member of the tar inside secrets.age. */
  path: string;
}

export interface EscrowManifest {
  format: typeof ESCROW_FORMAT;
  tenantId: string;
  /** ISO 8601. */
  sealedAt: string;
  bundle: {
    file: typeof ESCROW_FILES.secrets;
    encryption: 'age v1, X25519 recipients, binary';
    content: 'POSIX tar: index.json + secrets/<percent-encoded name>';
    bytes: number;
    sha256: string;
  };
  secrets: ManifestSecret[];
  recipients: ManifestRecipient[];
  custody: null | {
    threshold: number;
    shares: number;
    escrowRecipient: string;
    escrowPublicFile: typeof ESCROW_FILES.escrowPublic;
    scheme: 'shamir-secret-sharing (npm, GF(2^8)) over the UTF-8 escrow identity';
  };
}

const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

function manifestProblem(path: string, message: string): ValidationError {
  return new ValidationError('EscrowManifestInvalid', [{ file: ESCROW_FILES.manifest, path, message }]);
}

/** Parses and checks the fields openEscrow relies on; the rest is informative. */
export function parseEscrowManifest(bytes: Uint8Array): EscrowManifest {
  if (bytes.byteLength > MAX_MANIFEST_BYTES) throw manifestProblem('', `is larger than ${MAX_MANIFEST_BYTES} bytes`);
  let doc: EscrowManifest;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as EscrowManifest;
  } catch {
    throw manifestProblem('', 'is not valid JSON');
  }
  if (typeof doc !== 'object' || doc === null || doc.format !== ESCROW_FORMAT) {
    throw manifestProblem('format', `expected "${ESCROW_FORMAT}"`);
  }
  // typeof before any coercion: String() on a parsed object with its own toString/valueOf keys throws a TypeError.
  if (typeof doc.tenantId !== 'string' || typeof doc.sealedAt !== 'string' || Number.isNaN(Date.parse(doc.sealedAt))) {
    throw manifestProblem('', 'expected tenantId and sealedAt (ISO 8601)');
  }
  if (typeof doc.bundle?.sha256 !== 'string' || !Number.isSafeInteger(doc.bundle?.bytes)) {
    throw manifestProblem('bundle', 'expected bytes and sha256');
  }
  if (!Array.isArray(doc.secrets) || !Array.isArray(doc.recipients)) {
    throw manifestProblem('', 'expected secrets and recipients arrays');
  }
  const c = doc.custody;
  if (c !== null) {
    const ok =
      typeof c === 'object' &&
      Number.isInteger(c.threshold) &&
      Number.isInteger(c.shares) &&
      c.threshold >= 2 &&
      c.threshold <= c.shares &&
      c.shares <= 255 &&
      typeof c.escrowRecipient === 'string' &&
      isX25519Recipient(c.escrowRecipient);
    if (!ok)
      throw manifestProblem(
        'custody',
        'expected null or { threshold, shares, escrowRecipient } with 2 ≤ threshold ≤ shares ≤ 255',
      );
  }
  return doc;
}
