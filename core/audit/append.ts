/**
 * Appends one entry to a tenant's audit log. The AuditStore's conditional put on the next seq is
 * the serialisation point: of two concurrent appenders only one gets seq N, the other re-reads the
 * head and builds N+1 on top of it — no gaps, no forks. The BlobStore copy is written after the
 * seq is won (writing it first would let a loser overwrite the winner's object); a crash in
 * between is repaired by sealDigest, which re-copies any sealed entry missing from the BlobStore.
 */
import { TransientError, ValidationError } from '../errors.ts';
import { canonicalJson } from './canonical.ts';
import { checkSummary, isAuditEntryType, nextEntry, storedEntry } from './entry.ts';
import { sha256Hex } from './hash.ts';
import { auditKeys } from './keys.ts';
import type { AuditDeps, RetryPolicy } from './ports.ts';
import type { AuditEntry, AuditEntryType, AuditSummary, StoredAuditEntry } from './types.ts';

export interface AppendInput {
  type: AuditEntryType;
  /** The full record the entry is about (report, test result, strategy version…): only its hash is kept. */
  record: unknown;
  summary: AuditSummary;
  /** Epoch milliseconds. */
  time: number;
}

export interface AppendResult {
  entry: AuditEntry;
  entryHash: string;
  /** Conditional-write conflicts lost before this append won its seq. */
  conflicts: number;
}

/** Enough for dozens of simultaneous writers on one tenant; beyond it something is wrong. */
export const DEFAULT_MAX_APPEND_ATTEMPTS = 64;
const BASE_DELAY_MS = 10;
const MAX_DELAY_MS = 1_000;

/** Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): uniform in [0, min(cap, base·2^n)). */
export function backoffMs(attempt: number, random: () => number): number {
  return Math.floor(random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt));
}

export async function waitBeforeRetry(retry: RetryPolicy | undefined, attempt: number): Promise<void> {
  if (!retry?.delay) return;
  await retry.delay(backoffMs(attempt, retry.random ?? (() => 1)));
}

export function recordSha256(record: unknown): string {
  return sha256Hex(canonicalJson(record));
}

function checkInput(tenantId: string, input: AppendInput): void {
  const file = '<audit append>';
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(tenantId)) {
    throw new ValidationError('BadAuditInput', [{ file, path: 'tenantId', message: 'expected a tenant id' }]);
  }
  if (!isAuditEntryType(input.type)) {
    throw new ValidationError('BadAuditInput', [{ file, path: 'type', message: 'expected an audit entry type' }]);
  }
  if (!Number.isFinite(input.time)) {
    throw new ValidationError('BadAuditInput', [{ file, path: 'time', message: 'expected epoch milliseconds' }]);
  }
  checkSummary(input.summary);
}

export async function appendEntry(deps: AuditDeps, tenantId: string, input: AppendInput): Promise<AppendResult> {
  checkInput(tenantId, input);
  const fields = {
    time: new Date(input.time).toISOString(),
    type: input.type,
    recordSha256: recordSha256(input.record),
    summary: input.summary,
  };
  const maxAttempts = deps.retry?.maxAttempts ?? DEFAULT_MAX_APPEND_ATTEMPTS;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const head = await deps.store.headEntry(tenantId);
    const entry = nextEntry(head, tenantId, fields);
    const stored: StoredAuditEntry = storedEntry(entry);
    if (await deps.store.putEntry(tenantId, stored)) {
      await deps.blobs.putText(auditKeys.entry(tenantId, entry.seq), stored.body, 'application/json');
      return { entry, entryHash: stored.entryHash, conflicts: attempt };
    }
    await waitBeforeRetry(deps.retry, attempt);
  }
  throw new TransientError('AuditAppendContention', `no free audit seq for ${tenantId} after ${maxAttempts} attempts`);
}
