/**
 * The shapes the dossier packaging engine (a BagIt 1.0 bag, RFC 8493, inside one zip) is fed with
 * and returns. Whoever assembles a dossier streams PayloadEntry values; nothing is buffered whole.
 */
import type { Readable, Writable } from 'node:stream';
import type { Signer } from './signer.ts';

/** One payload file, placed at `data/<path>` in the bag. */
export interface PayloadEntry {
  /** Path relative to `data/`: forward slashes, NFC, no `..`, not absolute. */
  path: string;
  /** Exact byte size; the write fails when the opened stream yields a different count. */
  size: number;
  /** Opened only when the entry is written, so at most one payload stream is open at a time. */
  open(): Promise<Readable>;
  /** false stores the entry (already compressed or encrypted); default: decided by extension. */
  compressible?: boolean;
  /** Modification time kept in the zip entry; default: the bagging time. */
  mtime?: Date;
}

/** A payload file referenced, not embedded: a BagIt fetch.txt line. Its checksum still goes in the manifest. */
export interface FetchEntry {
  url: string;
  size: number;
  /** Path relative to `data/`, same rules as PayloadEntry.path. */
  path: string;
  /** Lower-case hex SHA-256 of the referenced content. */
  sha256: string;
}

export interface WriteBagOptions {
  /** The single top-level folder of the zip, and the zip's base name. */
  bagName: string;
  /** Sorted byte-wise by path, no duplicates (asserted while streaming). */
  payload: AsyncIterable<PayloadEntry>;
  /** What `payload` will yield (embedded files only); a mismatch with what was streamed fails the write. */
  totals: { bytes: number; files: number };
  /** Extra bag-info.txt fields (Source-Organization, External-Identifier, …); ours are added. */
  bagInfo: Record<string, string>;
  fetch?: FetchEntry[];
  /** Payload paths that are parts produced by splitLargeEntry, named in README-VERIFY.md. */
  splitFiles?: string[];
  signer: Signer;
  /** Receives the zip bytes; destroyed on any error (multipart sinks abort on destroy). */
  sink: Writable;
  /** Bagging time: Bagging-Date and the default entry timestamp (time is a parameter, never read). */
  now: Date;
}

export interface BagResult {
  bagName: string;
  /** `<bagName>.zip`, the name sidecars refer to. */
  zipName: string;
  zipBytes: number;
  /** SHA-256 of the zip bytes, hashed while streaming out. */
  zipSha256: string;
  /** `<octets>.<streams>` as written in bag-info.txt. */
  payloadOxum: string;
  /** manifest-sha256.txt exactly as in the bag (payload checksums computed while streaming). */
  manifestText: string;
  tagManifestSha256: string;
  /** SHA-256 (hex) of the signer public key's DER SubjectPublicKeyInfo. */
  signerFingerprint: string;
}
