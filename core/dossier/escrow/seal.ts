/**
 * Seals a tenant's secrets for the reversibility dossier, in memory only.
 *
 * Direct mode: secrets.age is encrypted to every successor recipient (and the optional client
 * break-glass recipient); any one of them opens it with stock `age -d`.
 *
 * Custody mode (custodians given): a one-off escrow X25519 identity is generated in memory,
 * secrets.age is encrypted to it (and to break-glass, the client's deliberate override), the
 * identity is split k-of-n with Shamir secret sharing and each share is age-encrypted to one
 * custodian. Successor recipients are NOT direct recipients in custody mode: custody means no
 * single person can open the secrets, and a successor key that opens them alone would defeat it.
 * They are recorded in the manifest as the intended successors.
 *
 * Every output is ciphertext or public metadata. Plaintext buffers are zeroed as soon as they are
 * encrypted; the escrow identity exists only as a JS string (typage's API), dropped on return.
 * Randomness (age file keys, the escrow identity, Shamir coefficients) comes from the platform
 * CSPRNG inside age-encryption and shamir-secret-sharing: it cannot be a parameter.
 */
import { createHash } from 'node:crypto';
import { Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { split } from 'shamir-secret-sharing';
import { type Problem, ValidationError } from '../../errors.ts';
import { type BundleEntry, bundlePath, encodeSecretBundle } from '../../secrets/bundle.ts';
import type { SecretSource } from '../../secrets/ports.ts';
import { recipientFingerprint, recipientProblems } from './keys.ts';
import { ESCROW_FILES, ESCROW_FORMAT, type EscrowManifest, type ManifestRecipient } from './manifest.ts';
import { encodeShare, shareFileName } from './share-format.ts';

/** A tenant's escrow is a few credentials, not data: refuse anything that suggests a mistake. */
export const SEAL_LIMITS = { maxSecrets: 10_000, maxTotalBytes: 64 * 1024 * 1024 };

export interface SealEscrowOptions {
  source: SecretSource;
  tenantId: string;
  /** Successors' age X25519 recipients (age1…). */
  recipients: string[];
  /** The client's own break-glass recipient: opens secrets.age directly in both modes. */
  breakGlass?: string;
  /** k-of-n split custody among these recipients. */
  custodians?: { recipients: string[]; threshold: number };
  now: Date;
}

export interface EscrowFile {
  /** Relative to the dossier's `credentials/` folder, `/`-separated. */
  path: string;
  /** Ciphertext or public metadata only. */
  body: Buffer;
}

export interface EscrowArtifacts {
  /** Sorted by path: secrets.age, escrow-manifest.json, and in custody mode escrow-public.txt and shares/…. */
  files: EscrowFile[];
  manifest: EscrowManifest;
  /** Fingerprints of every recipient named by the escrow (successors, break-glass, custodians), for the audit log. */
  recipientFingerprints: string[];
}

function validate(opts: SealEscrowOptions): void {
  const problems: Problem[] = [];
  if (typeof opts.tenantId !== 'string' || opts.tenantId.length === 0) {
    problems.push({ file: 'escrow', path: 'tenantId', message: 'expected a tenant id' });
  }
  problems.push(...recipientProblems(opts.recipients, 'recipients'));
  if (opts.breakGlass !== undefined) {
    problems.push(...recipientProblems([opts.breakGlass], 'breakGlass').map((p) => ({ ...p, path: 'breakGlass' })));
  }
  const custody = opts.custodians;
  if (custody !== undefined) {
    const n = custody.recipients.length;
    problems.push(...recipientProblems(custody.recipients, 'custodians.recipients'));
    if (n < 2 || n > 255) {
      problems.push({
        file: 'escrow',
        path: 'custodians.recipients',
        message: `expected 2 to 255 custodians, got ${n}`,
      });
    }
    if (!Number.isInteger(custody.threshold) || custody.threshold < 2 || custody.threshold > n) {
      problems.push({
        file: 'escrow',
        path: 'custodians.threshold',
        message: `expected an integer from 2 to the number of custodians (${n})`,
      });
    }
  } else if (opts.recipients.length === 0 && opts.breakGlass === undefined) {
    problems.push({ file: 'escrow', path: 'recipients', message: 'expected at least one successor recipient' });
  }
  if (problems.length > 0) throw new ValidationError('EscrowBadOptions', problems);
}

async function readAll(source: SecretSource, tenantId: string): Promise<BundleEntry[]> {
  const entries: BundleEntry[] = [];
  let total = 0;
  try {
    for await (const ref of source.list(tenantId)) {
      if (entries.length >= SEAL_LIMITS.maxSecrets) {
        throw new ValidationError('EscrowTooLarge', [
          { file: 'escrow', path: 'secrets', message: `more than ${SEAL_LIMITS.maxSecrets} secrets for one tenant` },
        ]);
      }
      const value = await source.read(ref);
      entries.push({ ref, value });
      total += value.byteLength;
      if (total > SEAL_LIMITS.maxTotalBytes) {
        throw new ValidationError('EscrowTooLarge', [
          { file: 'escrow', path: 'secrets', message: `secrets total more than ${SEAL_LIMITS.maxTotalBytes} bytes` },
        ]);
      }
    }
    return entries;
  } catch (error) {
    for (const entry of entries) entry.value.wipe();
    throw error;
  }
}

async function encryptTo(recipients: readonly string[], plaintext: Uint8Array): Promise<Buffer> {
  const encrypter = new Encrypter();
  for (const recipient of recipients) encrypter.addRecipient(recipient);
  return Buffer.from(await encrypter.encrypt(plaintext));
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const describe = (role: ManifestRecipient['role'], recipient: string, opens: boolean): ManifestRecipient => ({
  role,
  recipient,
  fingerprint: recipientFingerprint(recipient),
  opensSecretsDirectly: opens,
});

export async function sealEscrow(opts: SealEscrowOptions): Promise<EscrowArtifacts> {
  validate(opts);
  const recipients = opts.recipients.map((r) => r.trim());
  const breakGlass = opts.breakGlass?.trim();
  const custodians = opts.custodians?.recipients.map((r) => r.trim());
  const threshold = opts.custodians?.threshold ?? 0;

  const files: EscrowFile[] = [];
  const described: ManifestRecipient[] = [];
  let custody: EscrowManifest['custody'] = null;
  let bundleRecipients: string[];

  if (custodians === undefined) {
    bundleRecipients = [...recipients];
    described.push(...recipients.map((r) => describe('successor', r, true)));
  } else {
    let identity = await generateX25519Identity();
    const escrowRecipient = await identityToRecipient(identity);
    const identityBytes = new TextEncoder().encode(identity);
    identity = '';
    const shares = await split(identityBytes, custodians.length, threshold);
    identityBytes.fill(0);
    try {
      for (const [i, custodian] of custodians.entries()) {
        const index = i + 1;
        const plain = encodeShare({
          tenantId: opts.tenantId,
          escrowRecipient,
          index,
          count: custodians.length,
          threshold,
          data: shares[i]!,
        });
        const file = shareFileName(index, custodians.length);
        files.push({ path: file, body: await encryptTo([custodian], plain) });
        plain.fill(0);
        described.push({ ...describe('custodian', custodian, false), shareFile: file });
      }
    } finally {
      for (const share of shares) share.fill(0);
    }
    bundleRecipients = [escrowRecipient];
    described.push(describe('escrow', escrowRecipient, true));
    described.push(...recipients.map((r) => describe('successor', r, false)));
    files.push({ path: ESCROW_FILES.escrowPublic, body: Buffer.from(`${escrowRecipient}\n`) });
    custody = {
      threshold,
      shares: custodians.length,
      escrowRecipient,
      escrowPublicFile: ESCROW_FILES.escrowPublic,
      scheme: 'shamir-secret-sharing (npm, GF(2^8)) over the UTF-8 escrow identity',
    };
  }
  if (breakGlass !== undefined) {
    bundleRecipients.push(breakGlass);
    described.push(describe('break-glass', breakGlass, true));
  }

  const entries = await readAll(opts.source, opts.tenantId);
  let secretsAge: Buffer;
  try {
    const plain = await encodeSecretBundle(entries, opts.now);
    try {
      secretsAge = await encryptTo(bundleRecipients, plain);
    } finally {
      plain.fill(0);
    }
  } finally {
    for (const entry of entries) entry.value.wipe();
  }
  files.push({ path: ESCROW_FILES.secrets, body: secretsAge });

  const manifest: EscrowManifest = {
    format: ESCROW_FORMAT,
    tenantId: opts.tenantId,
    sealedAt: opts.now.toISOString(),
    bundle: {
      file: ESCROW_FILES.secrets,
      encryption: 'age v1, X25519 recipients, binary',
      content: 'POSIX tar: index.json + secrets/<percent-encoded name>',
      bytes: secretsAge.byteLength,
      sha256: sha256(secretsAge),
    },
    secrets: entries
      .map(({ ref }) => ({
        name: ref.name,
        ...(ref.version === undefined ? {} : { version: ref.version }),
        ...(ref.lastChangedAt === undefined ? {} : { lastChangedAt: new Date(ref.lastChangedAt).toISOString() }),
        path: bundlePath(ref.name),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    recipients: described,
    custody,
  };
  files.push({ path: ESCROW_FILES.manifest, body: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  return {
    files,
    manifest,
    recipientFingerprints: described.filter((r) => r.role !== 'escrow').map((r) => r.fingerprint),
  };
}
