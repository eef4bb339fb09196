/** Object keys of the audit log copy in the BlobStore. Seqs are zero-padded so names sort numerically. */
const pad = (n: number) => String(n).padStart(12, '0');

export const auditKeys = {
  pad,
  prefix: (tenantId: string) => `audit/${tenantId}/`,
  entriesPrefix: (tenantId: string) => `audit/${tenantId}/entries/`,
  entry: (tenantId: string, seq: number) => `audit/${tenantId}/entries/${pad(seq)}.json`,
  digestsPrefix: (tenantId: string) => `audit/${tenantId}/digests/`,
  digest: (tenantId: string, digestSeq: number) => `audit/${tenantId}/digests/${pad(digestSeq)}.json`,
  /** Base64 text of the DER signature: BlobStore is a text store; export writes the DER bytes as `.json.sig`. */
  digestSignature: (tenantId: string, digestSeq: number) => `audit/${tenantId}/digests/${pad(digestSeq)}.json.sig.b64`,
  publicKey: (tenantId: string) => `audit/${tenantId}/public-key.pem`,
} as const;

/** `000000000042.json` → 42; undefined for any other name. */
export function seqOfFileName(name: string, suffix = '.json'): number | undefined {
  if (!name.endsWith(suffix)) return undefined;
  const digits = name.slice(0, -suffix.length);
  if (!/^\d{12}$/.test(digits)) return undefined;
  return Number(digits);
}
