/** Building and reading entries: the canonical bytes are the entry, the hash is over those bytes. */
import { ValidationError } from '../errors.ts';
import { canonicalJson } from './canonical.ts';
import { sha256Hex, ZERO_HASH } from './hash.ts';
import { AUDIT_ENTRY_TYPES, type AuditEntry, type AuditEntryType, type StoredAuditEntry } from './types.ts';

/** Summaries are for humans and sit in every export: keep them small. */
export const MAX_SUMMARY_BYTES = 4096;

export function isAuditEntryType(value: unknown): value is AuditEntryType {
  return typeof value === 'string' && (AUDIT_ENTRY_TYPES as readonly string[]).includes(value);
}

export function storedEntry(entry: AuditEntry): StoredAuditEntry {
  const body = canonicalJson(entry);
  return { seq: entry.seq, entryHash: sha256Hex(body), body };
}

export function nextEntry(
  head: StoredAuditEntry | undefined,
  tenantId: string,
  fields: Pick<AuditEntry, 'time' | 'type' | 'recordSha256' | 'summary'>,
): AuditEntry {
  return {
    tenantId,
    seq: (head?.seq ?? 0) + 1,
    time: fields.time,
    type: fields.type,
    recordSha256: fields.recordSha256,
    summary: fields.summary,
    prevHash: head?.entryHash ?? ZERO_HASH,
  };
}

export function checkSummary(summary: unknown): void {
  const file = '<audit summary>';
  if (summary === null || typeof summary !== 'object' || Array.isArray(summary)) {
    throw new ValidationError('BadAuditSummary', [{ file, path: 'summary', message: 'expected a JSON object' }]);
  }
  const size = Buffer.byteLength(canonicalJson(summary));
  if (size > MAX_SUMMARY_BYTES) {
    throw new ValidationError('BadAuditSummary', [
      { file, path: 'summary', message: `summary is ${size} bytes, expected at most ${MAX_SUMMARY_BYTES}` },
    ]);
  }
}

/**
 * Parses an entry's text and checks its shape. Returns a reason string instead of throwing:
 * the verifier reports bad entries, it does not stop at them.
 */
export function parseEntry(text: string): AuditEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const e = value as Record<string, unknown>;
  if (typeof e.tenantId !== 'string') return 'tenantId is not a string';
  if (typeof e.seq !== 'number' || !Number.isSafeInteger(e.seq) || e.seq < 1) return 'seq is not a positive integer';
  if (typeof e.time !== 'string') return 'time is not a string';
  if (!isAuditEntryType(e.type)) return `type ${JSON.stringify(e.type)} is not an audit entry type`;
  if (typeof e.recordSha256 !== 'string' || e.recordSha256.length !== 64) return 'recordSha256 is not a SHA-256';
  // No hex test here: prevHash is compared with the previous entry's hex hash, which catches any
  // other content, and this check runs once per entry in the verifier's hot loop.
  if (typeof e.prevHash !== 'string' || e.prevHash.length !== 64) return 'prevHash is not a SHA-256';
  if (e.summary === null || typeof e.summary !== 'object' || Array.isArray(e.summary))
    return 'summary is not an object';
  return e as unknown as AuditEntry;
}
