/**
 * Every use case that changes what an auditor relies on (a strategy version, a verification run,
 * a restore test, a dossier export) leaves an entry in the tenant's tamper-evident log, then lets
 * the log seal a signed digest when one is due (every 100 entries or hourly).
 */
import { appendEntry, recordSha256 } from '../audit/append.ts';
import { appendOnce } from '../audit/append-once.ts';
import { sealDigest } from '../audit/digest.ts';
import type { AuditDeps } from '../audit/ports.ts';
import type { AuditEntryType, AuditSummary } from '../audit/types.ts';

/**
 * `once`: the logical event's deterministic key. A step that records an event (and may run again:
 * retries, a re-run execution) gives it, so the log holds one entry per event, never two.
 */
export async function recordInAuditLog(
  audit: AuditDeps,
  tenantId: string,
  entry: { type: AuditEntryType; record: unknown; summary: AuditSummary; time: number },
  options: { once?: string; now?: number } = {},
): Promise<{ seq: number; entryHash: string; recordSha256: string }> {
  const appended =
    options.once === undefined
      ? await appendEntry(audit, tenantId, entry).then((a) => ({ seq: a.entry.seq, entryHash: a.entryHash }))
      : await appendOnce(audit, tenantId, options.once, entry, options.now ?? entry.time);
  await sealDigest(audit, tenantId, entry.time);
  return { seq: appended.seq, entryHash: appended.entryHash, recordSha256: recordSha256(entry.record) };
}
