/**
 * Exports a tenant's audit log to a directory an auditor can check offline: entries/*.json,
 * digests/*.json with the DER signature beside each as *.json.sig, public-key.pem and a
 * README.txt with the stock commands. The BlobStore copy (S3 with Object Lock in AWS) is the
 * source; an entry a crashed append never copied is taken from the AuditStore instead.
 * Objects are copied one window at a time, never the whole log in memory.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InternalError, NotFoundError } from '../errors.ts';
import { sealDigest } from './digest.ts';
import { keyFingerprint, publicKeyFromPem } from './keyinfo.ts';
import { auditKeys, seqOfFileName } from './keys.ts';
import type { AuditDeps } from './ports.ts';
import {
  EXPORT_MANIFEST,
  EXPORT_MANIFEST_FORMAT,
  type ExportManifest,
  renderExportManifest,
  type SealedHead,
  sealedHeadOf,
} from './sealed-head.ts';

export interface AuditExport {
  outDir: string;
  entries: number;
  digests: number;
  /** Entries missing from the BlobStore copy and written from the AuditStore. */
  filledFromStore: number;
  /** The head the export is sealed at (named by its signed manifest); absent for an empty log. */
  sealedHead?: SealedHead;
}

const COPY_CONCURRENCY = 8;
const MAX_OBJECT_BYTES = 4 * 1024 * 1024;

async function forEachLimit<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(COPY_CONCURRENCY, items.length) }, worker));
}

export function auditReadme(tenantId: string): string {
  return `Audit log of tenant ${tenantId} (Reversa)

entries/<seq>.json      one entry per recorded event; canonical JSON (sorted keys, no spaces)
digests/<n>.json        signed digest: the SHA-256 of entries firstSeq..lastSeq and of the previous digest
digests/<n>.json.sig    detached DER ECDSA P-256 / SHA-256 signature of that digest file
public-key.pem          the public key (compare its fingerprint with the one you were given)
export-manifest.json    the sealed head of this export: its last entry and the digest that seals it
export-manifest.json.sig  detached DER signature of the manifest (same key)

Check a digest's signature with OpenSSL alone:
  openssl dgst -sha256 -verify public-key.pem -signature digests/000000000001.json.sig digests/000000000001.json

Fingerprint of the key (each digest names it in signingKeyFingerprint):
  openssl pkey -pubin -in public-key.pem -outform DER | sha256sum

Recompute an entry's hash (listed in the digest's entryHashes, and in the next entry's prevHash):
  sha256sum entries/000000000001.json
  jq -cjS . entries/000000000001.json | sha256sum      # same value: the files are already canonical

Check the manifest's signature the same way:
  openssl dgst -sha256 -verify public-key.pem -signature export-manifest.json.sig export-manifest.json

Whole log, every check (seq continuity, hash chain, digest chain, signatures, truncation, and that
the log ends exactly at the sealed head the manifest names, every entry signed):
  npx reversa audit verify <this directory> --public-key public-key.pem
Compare the manifest's head (seq and entryHash) with the chain head printed in the latest report or
dossier you received: an older export ends earlier, nothing can make it end elsewhere.
`;
}

/** Seals until no entry is left unsigned (a backlog may take several digests). */
async function sealEverything(deps: AuditDeps, tenantId: string, now: number): Promise<void> {
  for (;;) {
    const sealed = await sealDigest(deps, tenantId, now, { force: true });
    if (!sealed.sealed) return;
  }
}

/** Where an export's files go: a directory, a zip being streamed, a dossier's audit-log segment. */
export type ExportSink = (name: string, bytes: Uint8Array | string) => Promise<void>;

/**
 * Seals the log, then exports it into a directory with a signed manifest naming the sealed head: the
 * auditor's copy is signed to its last entry, and cannot be shortened or extended unnoticed.
 */
export async function exportAudit(
  deps: AuditDeps,
  tenantId: string,
  outDir: string,
  now: number,
): Promise<AuditExport> {
  await mkdir(join(outDir, 'entries'), { recursive: true });
  await mkdir(join(outDir, 'digests'), { recursive: true });
  const result = await writeAuditExport(deps, tenantId, now, (name, bytes) => writeFile(join(outDir, name), bytes));
  return { outDir, ...result };
}

/** The export's files (entries/, digests/, public-key.pem, README.txt, export-manifest.json + .sig) into `put`. */
export async function writeAuditExport(
  deps: AuditDeps,
  tenantId: string,
  now: number,
  put: ExportSink,
): Promise<Omit<AuditExport, 'outDir'>> {
  await sealEverything(deps, tenantId, now);
  const keys = (await deps.blobs.list(auditKeys.entriesPrefix(tenantId)))
    .map((key) => ({ key, seq: seqOfFileName(key.slice(auditKeys.entriesPrefix(tenantId).length)) }))
    .filter((k): k is { key: string; seq: number } => k.seq !== undefined);
  const inBlobs = new Set(keys.map((k) => k.seq));
  await forEachLimit(keys, async ({ key, seq }) => {
    await put(`entries/${auditKeys.pad(seq)}.json`, await deps.blobs.getText(key, MAX_OBJECT_BYTES));
  });

  // Seqs up to the store's head that the BlobStore lacks (an append that crashed after winning its seq).
  let filledFromStore = 0;
  const head = await deps.store.headEntry(tenantId);
  const headSeq = head?.seq ?? 0;
  if (inBlobs.size < headSeq) {
    for await (const entry of deps.store.listEntries(tenantId, 1, headSeq)) {
      if (inBlobs.has(entry.seq)) continue;
      await put(`entries/${auditKeys.pad(entry.seq)}.json`, entry.body);
      filledFromStore++;
    }
  }

  const digestKeys = await deps.blobs.list(auditKeys.digestsPrefix(tenantId));
  let digests = 0;
  await forEachLimit(digestKeys, async (key) => {
    const name = key.slice(auditKeys.digestsPrefix(tenantId).length);
    if (name.endsWith('.json')) {
      await put(`digests/${name}`, await deps.blobs.getText(key, MAX_OBJECT_BYTES));
      digests++;
    } else if (name.endsWith('.json.sig.b64')) {
      const der = Buffer.from((await deps.blobs.getText(key, 64 * 1024)).trim(), 'base64');
      await put(`digests/${name.slice(0, -'.b64'.length)}`, der);
    }
  });

  let pem: string | undefined;
  if (await deps.blobs.exists(auditKeys.publicKey(tenantId)))
    pem = await deps.blobs.getText(auditKeys.publicKey(tenantId));
  else if (deps.signer) pem = await deps.signer.publicKeyPem();
  if (pem === undefined && (headSeq > 0 || digests > 0)) {
    throw new NotFoundError('AuditPublicKeyMissing', `no public key stored for the audit log of ${tenantId}`);
  }
  if (pem !== undefined) await put('public-key.pem', pem);
  await put('README.txt', auditReadme(tenantId));
  const sealedHead = await writeExportManifest(deps, tenantId, now, put);
  return {
    entries: inBlobs.size + filledFromStore,
    digests,
    filledFromStore,
    ...(sealedHead ? { sealedHead } : {}),
  };
}

/** Writes export-manifest.json and its signature through `put`; returns the head it names. */
export async function writeExportManifest(
  deps: Pick<AuditDeps, 'store' | 'signer'>,
  tenantId: string,
  now: number,
  put: ExportSink,
): Promise<SealedHead | undefined> {
  const digest = await deps.store.headDigest(tenantId);
  if (!digest) return undefined;
  const signer = deps.signer;
  if (!signer) throw new InternalError('AuditSignerMissing', 'an audit export is signed: it needs the audit signer');
  const manifest: ExportManifest = {
    format: EXPORT_MANIFEST_FORMAT,
    tenantId,
    exportedAt: new Date(now).toISOString(),
    head: sealedHeadOf(tenantId, digest),
    signingKeyFingerprint: keyFingerprint(publicKeyFromPem(await signer.publicKeyPem(), '<audit signer>')),
  };
  const body = Buffer.from(renderExportManifest(manifest), 'utf8');
  await put(EXPORT_MANIFEST, body);
  await put(`${EXPORT_MANIFEST}.sig`, await signer.sign(body));
  return manifest.head;
}
