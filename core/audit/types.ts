/**
 * The audit log's data: entries (one per recorded event, chained by prevHash) and digests
 * (signed lists of entry hashes, chained by the previous digest's hash and signature).
 * docs/audit.md describes the format for auditors.
 */

export const AUDIT_ENTRY_TYPES = [
  'strategy-change',
  'verification',
  'restore-test',
  'finding-update',
  'dossier-export',
  'dossier-link',
  'escrow-override-approval',
  'sla-statement',
  'sla-statement-read',
] as const;
export type AuditEntryType = (typeof AUDIT_ENTRY_TYPES)[number];

/** A JSON value small enough to sit in an entry's summary. */
export type AuditSummaryValue =
  | string
  | number
  | boolean
  | null
  | AuditSummaryValue[]
  | { [k: string]: AuditSummaryValue };
export type AuditSummary = { [k: string]: AuditSummaryValue };

export interface AuditEntry {
  tenantId: string;
  /** 1, 2, 3… with no gaps. */
  seq: number;
  /** ISO-8601 UTC. */
  time: string;
  type: AuditEntryType;
  /** Hex SHA-256 of the canonical JSON of the full record the entry is about. */
  recordSha256: string;
  /** A few facts about the record for humans; never secrets. */
  summary: AuditSummary;
  /** Hex SHA-256 of the previous entry's canonical bytes; 64 zeros for seq 1. */
  prevHash: string;
}

/** An entry as stored: its canonical JSON text (the bytes that are hashed and exported) and that hash. */
export interface StoredAuditEntry {
  seq: number;
  entryHash: string;
  body: string;
}

export interface AuditDigest {
  tenantId: string;
  /** 1, 2, 3… with no gaps. */
  digestSeq: number;
  firstSeq: number;
  lastSeq: number;
  /** Hex entry hashes of firstSeq..lastSeq, in order. */
  entryHashes: string[];
  /** Hex SHA-256 of the previous digest file's bytes; 64 zeros for digest 1. */
  previousDigestSha256: string;
  /** Base64 of the previous digest's DER signature; '' for digest 1. */
  previousDigestSignature: string;
  /** ISO-8601 UTC. */
  createdAt: string;
  /** Hex SHA-256 of the signing key's DER SubjectPublicKeyInfo. */
  signingKeyFingerprint: string;
}

/** A digest as stored: its canonical JSON text and its detached DER ECDSA signature. */
export interface StoredAuditDigest {
  digestSeq: number;
  firstSeq: number;
  lastSeq: number;
  body: string;
  /** Base64 DER signature over the body's UTF-8 bytes. */
  signature: string;
  /** Hex SHA-256 of the body. */
  digestSha256: string;
}

export interface AuditVerification {
  ok: boolean;
  /** Entries read. */
  entries: number;
  /** Digests read. */
  digests: number;
  /** Seq and hash of the last entry read (0 and '' for an empty log). */
  headSeq: number;
  headHash: string;
  /** The first entry that cannot be trusted and why. */
  firstBad?: { seq: number; reason: string };
  /** The first digest that failed, when a digest is the problem. */
  firstBadDigest?: { digestSeq: number; reason: string };
  /** Human-readable problems, in the order found (capped). */
  problems: string[];
  /** Entries after the last valid digest: chained, but not yet covered by a signature. */
  unsealed: number;
  /** The newest valid digest and the last entry it seals (what a report or an export records). */
  sealedHead?: { seq: number; entryHash: string; digestSeq: number; digestSha256: string };
}
