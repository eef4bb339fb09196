/**
 * Ports of the reversibility-dossier export. DossierStore is the version index (DynamoDB); the
 * ObjectStore reads and writes binary objects as streams (S3), because dossier inputs are files of
 * any size and type that must never sit whole in memory (BlobStore is text-only by design).
 */
import type { Readable, Writable } from 'node:stream';
import type { InputsFingerprint, SecretRef } from './readiness.ts';

/** One published, immutable version of a tenant's dossier. */
export interface DossierVersion {
  tenantId: string;
  /** 1, 2, 3… per tenant, never reused. */
  version: number;
  /** The export run that produced it (the workflow's execution name). */
  exportId: string;
  /** Key of the zip in the dossier bucket. */
  zipKey: string;
  zipSha256: string;
  zipBytes: number;
  /** Hex SHA-256 of the signing key's DER SubjectPublicKeyInfo. */
  signerFingerprint: string;
  /** `SHA256:<hex>` of every age recipient named by the escrow (empty when credentials are waived). */
  recipientFingerprints: string[];
  /** What the dossier was built from (core/dossier/readiness.ts): readiness compares it with today's inputs. */
  inputsFingerprint: InputsFingerprint;
  /** Escrowed secrets by name/version/change time (never values): the next version's change summary uses them. */
  secretRefs: SecretRef[];
  /** Key (dossier bucket) of this version's manifest-sha256.txt, read by the next version's diff. */
  manifestIndexKey: string;
  /** e.g. "v2: 1 configuration added, 1 secret rotated". */
  changeSummary: string;
  /** ISO-8601 UTC. */
  createdAt: string;
  /** Who asked for the export (CLI user, schedule, API principal). */
  createdBy: string;
  /** Audit-log seq of the 'dossier-export' entry, once recorded. */
  auditSeq?: number;
}

export interface DossierStore {
  /** Publishes a version unless that number is taken: false means another export got it first (nothing written). */
  putVersion(version: DossierVersion): Promise<boolean>;
  getVersion(tenantId: string, version: number): Promise<DossierVersion | undefined>;
  /** The highest published version. */
  getLatest(tenantId: string): Promise<DossierVersion | undefined>;
  /** Newest first. */
  list(tenantId: string, limit?: number): Promise<DossierVersion[]>;
  /**
   * Claims the number `version` for one export before anything is written under its keys, so two
   * concurrent exports never write to the same objects. Succeeds again for the same exportId (a
   * retried step) and takes over a claim older than `staleBefore` (epoch ms: a run that died).
   */
  reserve(tenantId: string, version: number, exportId: string, at: number, staleBefore: number): Promise<boolean>;
  /** The exportId holding the claim on `version`, if any. */
  reservedBy(tenantId: string, version: number): Promise<string | undefined>;
  /** Drops the claim if `exportId` still holds it. */
  release(tenantId: string, version: number, exportId: string): Promise<void>;
  /** Records the audit entry of a version once (a retried Audit step does not log twice); false if already set. */
  markAudited(tenantId: string, version: number, auditSeq: number): Promise<boolean>;
}

export interface ObjectInfo {
  key: string;
  size: number;
  etag?: string;
  /** Epoch ms. */
  lastModified: number;
}

/** Binary objects of one bucket, streamed. */
export interface ObjectStore {
  /** Every object under the prefix, in key order, paginated underneath. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** The object's bytes, or bytes start..end inclusive. */
  open(key: string, range?: { start: number; end: number }): Promise<Readable>;
  /** Small objects only (generated documents, ciphertext of a few MiB, sidecars). */
  put(key: string, body: Uint8Array | string, contentType?: string): Promise<void>;
  /** Small objects only; refuses more than maxBytes. */
  getBytes(key: string, maxBytes: number): Promise<Buffer>;
  delete(key: string): Promise<void>;
  /**
   * A Writable streaming into the object (a multipart upload in S3): 'finish' once the object
   * exists; destroying it aborts the upload, so nothing partial is visible.
   */
  createSink(key: string, contentType?: string): Writable;
  /** Aborts multipart uploads left for this key by a crashed writer (best effort; the bucket lifecycle rule is the backstop). */
  abortUploads(key: string): Promise<number>;
  /** A URL a successor can fetch the object from (fetch.txt); s3:// when nothing better is available. */
  urlOf(key: string): string;
}
