/**
 * Seals the unsealed tail of a tenant's audit log into a signed digest: the entries' hashes, the
 * previous digest's hash and signature, the key fingerprint. Like CloudTrail's digest files, it
 * turns "each entry names its predecessor" (which an insider could rewrite wholesale) into "a key
 * the insider does not hold vouches for these hashes".
 *
 * The digest item in the AuditStore is claimed with a conditional put on digestSeq, so two
 * sealers racing produce one digest N. The BlobStore copies (digest, signature, public key, and
 * any sealed entry a crashed append did not copy) are written after the claim, and re-written
 * by the next seal if a crash lost them: every copy is derived from the store and idempotent.
 */
import { InternalError, TransientError } from '../errors.ts';
import { waitBeforeRetry } from './append.ts';
import { canonicalJson } from './canonical.ts';
import { sha256Hex, ZERO_HASH } from './hash.ts';
import { keyFingerprint, publicKeyFromPem } from './keyinfo.ts';
import { auditKeys } from './keys.ts';
import type { AuditDeps, Signer } from './ports.ts';
import type { AuditDigest, StoredAuditDigest, StoredAuditEntry } from './types.ts';

export interface SealOptions {
  /** Seal once this many entries are unsealed (default 100). */
  maxEntries?: number;
  /** Seal once the oldest unsealed entry is this old (default 1 h). */
  maxAgeMs?: number;
  /** Seal whatever is unsealed now. */
  force?: boolean;
}

export type SealResult =
  | { sealed: false; reason: 'empty' | 'nothing-unsealed' | 'not-due'; unsealed: number }
  | { sealed: true; digest: AuditDigest; stored: StoredAuditDigest };

export const DEFAULT_SEAL_MAX_ENTRIES = 100;
export const DEFAULT_SEAL_MAX_AGE_MS = 3_600_000;
/**
 * Bounds one digest (~67 bytes per entry hash): its item must stay under DynamoDB's 400 KB item
 * limit, so a backlog is sealed over several digests.
 */
export const MAX_ENTRIES_PER_DIGEST = 4_000;
const MAX_SEAL_ATTEMPTS = 10;
const COPY_CONCURRENCY = 8;

async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function oldestUnsealedTime(deps: AuditDeps, tenantId: string, seq: number): Promise<number> {
  for await (const entry of deps.store.listEntries(tenantId, seq, seq)) {
    return Date.parse((JSON.parse(entry.body) as { time: string }).time);
  }
  throw new InternalError('AuditStoreGap', `audit entry ${seq} of ${tenantId} is missing from the store`);
}

async function sealedEntries(deps: AuditDeps, tenantId: string, firstSeq: number, lastSeq: number) {
  const entries: StoredAuditEntry[] = [];
  let expected = firstSeq;
  for await (const entry of deps.store.listEntries(tenantId, firstSeq, lastSeq)) {
    // The store is the serialisation point: a gap or a body not matching its hash is a bug or an
    // intrusion, and sealing over it would sign a broken chain.
    if (entry.seq !== expected || sha256Hex(entry.body) !== entry.entryHash) {
      throw new InternalError('AuditStoreCorrupt', `audit entry ${expected} of ${tenantId} is missing or altered`);
    }
    entries.push(entry);
    expected++;
  }
  if (expected !== lastSeq + 1) {
    throw new InternalError('AuditStoreGap', `audit entry ${expected} of ${tenantId} is missing from the store`);
  }
  return entries;
}

async function copyDigest(deps: AuditDeps, tenantId: string, d: StoredAuditDigest): Promise<void> {
  await deps.blobs.putText(auditKeys.digest(tenantId, d.digestSeq), d.body, 'application/json');
  await deps.blobs.putText(auditKeys.digestSignature(tenantId, d.digestSeq), d.signature, 'text/plain');
}

async function repairCopies(deps: AuditDeps, tenantId: string, previous: StoredAuditDigest | undefined) {
  if (previous && !(await deps.blobs.exists(auditKeys.digestSignature(tenantId, previous.digestSeq)))) {
    await copyDigest(deps, tenantId, previous);
  }
}

async function signerFacts(signer: Signer) {
  const pem = await signer.publicKeyPem();
  return { pem, fingerprint: keyFingerprint(publicKeyFromPem(pem, '<signer public key>')) };
}

export async function sealDigest(
  deps: AuditDeps,
  tenantId: string,
  now: number,
  options: SealOptions = {},
): Promise<SealResult> {
  const signer = deps.signer;
  if (!signer) throw new InternalError('AuditSignerMissing', 'sealDigest needs a signer');
  const maxEntries = options.maxEntries ?? DEFAULT_SEAL_MAX_ENTRIES;
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_SEAL_MAX_AGE_MS;

  for (let attempt = 0; attempt < MAX_SEAL_ATTEMPTS; attempt++) {
    const previous = await deps.store.headDigest(tenantId);
    await repairCopies(deps, tenantId, previous);
    const head = await deps.store.headEntry(tenantId);
    if (!head) return { sealed: false, reason: 'empty', unsealed: 0 };
    const firstSeq = (previous?.lastSeq ?? 0) + 1;
    const unsealed = head.seq - firstSeq + 1;
    if (unsealed <= 0) return { sealed: false, reason: 'nothing-unsealed', unsealed: 0 };
    const due =
      options.force === true ||
      unsealed >= maxEntries ||
      now - (await oldestUnsealedTime(deps, tenantId, firstSeq)) >= maxAgeMs;
    if (!due) return { sealed: false, reason: 'not-due', unsealed };

    const lastSeq = Math.min(head.seq, firstSeq + MAX_ENTRIES_PER_DIGEST - 1);
    const entries = await sealedEntries(deps, tenantId, firstSeq, lastSeq);
    const key = await signerFacts(signer);
    const digest: AuditDigest = {
      tenantId,
      digestSeq: (previous?.digestSeq ?? 0) + 1,
      firstSeq,
      lastSeq,
      entryHashes: entries.map((e) => e.entryHash),
      previousDigestSha256: previous?.digestSha256 ?? ZERO_HASH,
      previousDigestSignature: previous?.signature ?? '',
      createdAt: new Date(now).toISOString(),
      signingKeyFingerprint: key.fingerprint,
    };
    const body = canonicalJson(digest);
    const signature = Buffer.from(await signer.sign(Buffer.from(body, 'utf8'))).toString('base64');
    const stored: StoredAuditDigest = {
      digestSeq: digest.digestSeq,
      firstSeq,
      lastSeq,
      body,
      signature,
      digestSha256: sha256Hex(body),
    };
    if (!(await deps.store.putDigest(tenantId, stored))) {
      await waitBeforeRetry(deps.retry, attempt);
      continue;
    }
    // Entries a crashed append never copied: the exported log must be complete.
    await forEachLimit(entries, COPY_CONCURRENCY, async (e) => {
      const k = auditKeys.entry(tenantId, e.seq);
      if (!(await deps.blobs.exists(k))) await deps.blobs.putText(k, e.body, 'application/json');
    });
    await copyDigest(deps, tenantId, stored);
    if (!(await deps.blobs.exists(auditKeys.publicKey(tenantId)))) {
      await deps.blobs.putText(auditKeys.publicKey(tenantId), key.pem, 'application/x-pem-file');
    }
    return { sealed: true, digest, stored };
  }
  throw new TransientError('AuditSealContention', `could not claim the next audit digest for ${tenantId}`);
}
