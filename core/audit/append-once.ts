/**
 * Appends an entry at most once per logical event, however often the step that records it runs:
 * a workflow step retried after a timeout, an execution killed after its Audit step and run again.
 * The event's deterministic key (`verification:<runId>`, `dossier-export:<exportId>`, …) is claimed
 * with a conditional write before the append and completed with the entry's seq after it; the
 * entry carries the key in its summary, so a run that finds a claim without a seq (its predecessor
 * died between the two writes) looks for the entry in the log's tail before appending.
 */
import { TransientError } from '../errors.ts';
import { type AppendInput, appendEntry } from './append.ts';
import type { AuditDeps, OnceMark } from './ports.ts';

/** A claim this old with nothing appended belongs to a run that died: it may be taken over. */
export const STALE_CLAIM_MS = 60_000;

export interface OnceResult {
  seq: number;
  entryHash: string;
  /** False when the entry was appended by an earlier run of the same event. */
  appended: boolean;
}

async function entryHashAt(deps: AuditDeps, tenantId: string, seq: number): Promise<string> {
  for await (const e of deps.store.listEntries(tenantId, seq, seq)) return e.entryHash;
  return '';
}

/** The entry of this event in the tail after the claim, if the run that claimed it got that far. */
async function findInTail(deps: AuditDeps, tenantId: string, key: string, mark: OnceMark) {
  for await (const e of deps.store.listEntries(tenantId, mark.headSeqAtClaim + 1)) {
    const { summary } = JSON.parse(e.body) as { summary?: { eventKey?: unknown } };
    if (summary?.eventKey === key) return e;
  }
  return undefined;
}

export async function appendOnce(
  deps: AuditDeps,
  tenantId: string,
  key: string,
  input: AppendInput,
  now: number,
): Promise<OnceResult> {
  const mark = await deps.store.getOnceMark(tenantId, key);
  if (mark?.seq !== undefined)
    return { seq: mark.seq, entryHash: await entryHashAt(deps, tenantId, mark.seq), appended: false };
  if (mark) {
    const found = await findInTail(deps, tenantId, key, mark);
    if (found) {
      await deps.store.completeOnceMark(tenantId, key, found.seq);
      return { seq: found.seq, entryHash: found.entryHash, appended: false };
    }
    if (now - mark.claimedAt < STALE_CLAIM_MS) {
      throw new TransientError(
        'AuditAppendInProgress',
        `another run is recording ${key} in the audit log of ${tenantId}`,
      );
    }
  }
  const claim = { claimedAt: now, headSeqAtClaim: (await deps.store.headEntry(tenantId))?.seq ?? 0 };
  if (!(await deps.store.claimOnceMark(tenantId, key, claim, mark))) {
    throw new TransientError('AuditAppendInProgress', `another run claimed ${key} in the audit log of ${tenantId}`);
  }
  const appended = await appendEntry(deps, tenantId, { ...input, summary: { ...input.summary, eventKey: key } });
  await deps.store.completeOnceMark(tenantId, key, appended.entry.seq);
  return { seq: appended.entry.seq, entryHash: appended.entryHash, appended: true };
}
