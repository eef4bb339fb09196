/**
 * The sealed head of an audit log: the newest signed digest and the last entry it covers. Recorded
 * beside every copy of the log that leaves the system (the signed export manifest of `reversa audit
 * export`, the dossier's audit-log segment, the auditor report), it is what makes a forged tail
 * visible: without it, deleting the newest digest (and rewriting or adding entries after the
 * previous one) leaves a shorter log that still verifies. With it, the verifier demands that very
 * digest and that very entry.
 */
import { ValidationError } from '../errors.ts';
import { canonicalJson } from './canonical.ts';
import type { StoredAuditDigest } from './types.ts';

export interface SealedHead {
  tenantId: string;
  /** The last sealed entry: seq and hex SHA-256 of its canonical bytes. */
  seq: number;
  entryHash: string;
  /** The digest that seals it: digestSeq and hex SHA-256 of the digest file. */
  digestSeq: number;
  digestSha256: string;
}

/** What a verification is asked to find (any subset: an auditor may only have a seq and a hash). */
export interface ExpectedHead {
  seq: number;
  entryHash?: string;
  digestSeq?: number;
  digestSha256?: string;
}

export const EXPORT_MANIFEST = 'export-manifest.json';
export const EXPORT_MANIFEST_FORMAT = 'reversa-audit-export/1';

/** The signed file an export carries: who, when, and the sealed head it was exported at. */
export interface ExportManifest {
  format: typeof EXPORT_MANIFEST_FORMAT;
  tenantId: string;
  exportedAt: string;
  head: SealedHead;
  signingKeyFingerprint: string;
}

export function sealedHeadOf(tenantId: string, digest: StoredAuditDigest): SealedHead {
  const { entryHashes } = JSON.parse(digest.body) as { entryHashes: string[] };
  return {
    tenantId,
    seq: digest.lastSeq,
    entryHash: entryHashes[entryHashes.length - 1] ?? '',
    digestSeq: digest.digestSeq,
    digestSha256: digest.digestSha256,
  };
}

export function renderExportManifest(manifest: ExportManifest): string {
  return canonicalJson(manifest);
}

/** The manifest's fields, checked; a string says what is wrong with it. */
export function parseExportManifest(text: string): ExportManifest | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  const m = value as Partial<ExportManifest> | null;
  if (m === null || typeof m !== 'object' || m.format !== EXPORT_MANIFEST_FORMAT) {
    return `not a ${EXPORT_MANIFEST_FORMAT} manifest`;
  }
  const h = m.head as Partial<SealedHead> | undefined;
  const hex = (v: unknown) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
  const positive = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
  if (typeof m.tenantId !== 'string' || typeof m.exportedAt !== 'string' || !hex(m.signingKeyFingerprint)) {
    return 'tenantId, exportedAt or signingKeyFingerprint is missing';
  }
  if (!h || !positive(h.seq) || !hex(h.entryHash) || !positive(h.digestSeq) || !hex(h.digestSha256)) {
    return 'head is not {seq, entryHash, digestSeq, digestSha256}';
  }
  return m as ExportManifest;
}

/**
 * `--sealed-head <seq>:<sha256>` (the chain head an auditor copied from a report or a dossier), or
 * `<seq>` alone.
 */
export function parseExpectedHead(text: string, flag = '--sealed-head'): ExpectedHead {
  const m = /^(\d{1,12})(?::([0-9a-f]{64}))?$/.exec(text.trim().toLowerCase());
  const seq = m ? Number(m[1]) : 0;
  if (!m || seq < 1) {
    throw new ValidationError('BadSealedHead', [
      { file: '<arguments>', path: flag, message: 'expected <seq> or <seq>:<sha256 of that entry>, e.g. 42:9f86d0…' },
    ]);
  }
  return m[2] === undefined ? { seq } : { seq, entryHash: m[2] };
}
