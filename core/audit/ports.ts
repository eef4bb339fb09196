/**
 * Ports of the audit log. AuditStore is the serialisation point (DynamoDB in AWS and locally):
 * conditional writes on the entry and digest sequence numbers give "no gaps, no forks". The
 * BlobStore (core/ports.ts) keeps the exportable copy (S3, Object Lock in AWS).
 */
import type { BlobStore } from '../ports.ts';
import type { StoredAuditDigest, StoredAuditEntry } from './types.ts';

export interface AuditStore {
  /** The entry with the highest seq, or undefined for an empty log. */
  headEntry(tenantId: string): Promise<StoredAuditEntry | undefined>;
  /** Stores the entry unless its seq is taken: false means another writer got that seq first. */
  putEntry(tenantId: string, entry: StoredAuditEntry): Promise<boolean>;
  /** Entries fromSeq..toSeq inclusive (toSeq undefined: to the head), ascending, paginated underneath. */
  listEntries(tenantId: string, fromSeq: number, toSeq?: number): AsyncIterable<StoredAuditEntry>;
  /** The digest with the highest digestSeq, or undefined before the first seal. */
  headDigest(tenantId: string): Promise<StoredAuditDigest | undefined>;
  /** Stores the digest unless its digestSeq is taken: false means another sealer got there first. */
  putDigest(tenantId: string, digest: StoredAuditDigest): Promise<boolean>;
  /** Digests ascending by digestSeq. */
  listDigests(tenantId: string): AsyncIterable<StoredAuditDigest>;
  /** The mark of a once-only append (core/audit/append-once.ts), if any. */
  getOnceMark(tenantId: string, key: string): Promise<OnceMark | undefined>;
  /**
   * Claims a once-only append: succeeds when there is no mark yet, or when `replacing` is the mark's
   * current claim (a run that died); false when another writer holds or completed it.
   */
  claimOnceMark(tenantId: string, key: string, claim: OnceClaim, replacing?: OnceClaim): Promise<boolean>;
  /** Records the seq the once-only append got. */
  completeOnceMark(tenantId: string, key: string, seq: number): Promise<void>;
}

/** Who claimed a once-only append and where the log's head was then (the entry, if written, is after it). */
export interface OnceClaim {
  claimedAt: number;
  headSeqAtClaim: number;
}

export interface OnceMark extends OnceClaim {
  /** Set once the entry is appended. */
  seq?: number;
}

/** Signs digests: ECDSA P-256 over SHA-256, DER signatures (what `openssl dgst -sha256 -verify` takes). */
export interface Signer {
  sign(message: Uint8Array): Promise<Uint8Array>;
  publicKeyPem(): Promise<string>;
}

/** Waiting and jitter are injected so core stays free of timers and randomness (tests pass no-ops). */
export interface RetryPolicy {
  /** Attempts before giving up with a TransientError. */
  maxAttempts?: number;
  delay?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1). */
  random?: () => number;
}

export interface AuditDeps {
  store: AuditStore;
  blobs: BlobStore;
  signer?: Signer;
  retry?: RetryPolicy;
}
