/**
 * Every use case that changes what an auditor relies on (a strategy version, a verification run,
 * a restore test, a dossier export) leaves an entry in the tenant's tamper-evident log, then lets
 * the log seal a signed digest when one is due (every 100 entries or hourly).
 */
import { appendEntry, recordSha256 } from '../audit/append.ts';
import { sealDigest } from '../audit/digest.ts';
import type { AuditDeps } from '../audit/ports.ts';
import type { AuditEntryType, AuditSummary } from '../audit/types.ts';

export async function recordInAuditLog(
  audit: AuditDeps,
  tenantId: string,
  entry: { type: AuditEntryType; record: unknown; summary: AuditSummary; time: number },
): Promise<{ seq: number; entryHash: string; recordSha256: string }> {
  const appended = await appendEntry(audit, tenantId, entry);
  await sealDigest(audit, tenantId, entry.time);
  return { seq: appended.entry.seq, entryHash: appended.entryHash, recordSha256: recordSha256(entry.record) };
}
