/**
 * The restore-test outcomes of a tenant's recent window (status: "restore tests of the last 30
 * days"), kept in memory between requests and served only while the tenant's restore-test
 * partition provably has not changed. On the local cloud that window is ~800 items per status
 * request for a tenant with 10,000 tests a year, most of the request's time.
 *
 * Why a hit is never stale (dynamo-restore-test-store.ts writes the other half):
 * - The listing items change only inside `put`, which first adds the test to the generation
 *   item's `writing` set, then writes the listing item, then bumps `gen` and removes the test from
 *   `writing` in one UpdateItem. Listing items are never deleted or rewritten with other content.
 * - A reader first reads the generation item (consistent read), and uses or fills the cache only
 *   when `writing` is empty; it fills it with a consistent Query made after that read.
 * - So for an entry filled under generation g: a listing write that its Query missed happens after
 *   it, inside a put that has `writing` non-empty until `gen` > g. A later reader sees either that
 *   put still writing (no cache) or a newer generation (a miss): never g with the write visible.
 * - A put that dies between its marker and its bump leaves `writing` non-empty: caching stays off
 *   for that tenant (safe, only slower) until that test's put is retried, which clears it.
 * Entries hold only { outcome, startedAt, sk } per test, bounded per tenant and in tenant count.
 */
import { GenerationMemo, type PartitionGeneration } from './partition-generation.ts';

export interface WindowOutcome {
  outcome: unknown;
  startedAt: unknown;
  /** The listing sort key, `S#<startedAt>#<testId>`: compared exactly as the Query's key condition does. */
  sk: string;
}

interface Entry {
  /** Lowest sort key the entry covers (inclusive); it covers every listing item from there on. */
  fromSk: string;
  /** Newest first, as the Query returned them. */
  items: WindowOutcome[];
}

/** Beyond this a window is not kept: ~100 bytes each, a few MB at most per tenant. */
export const MAX_WINDOW_ITEMS = 50_000;

export class RestoreTestWindowCache {
  private readonly entries = new GenerationMemo<Entry>();

  /** The window from `fromSk` on, when an entry of this generation covers it; undefined otherwise. */
  get(pk: string, generation: PartitionGeneration, fromSk: string): WindowOutcome[] | undefined {
    const entry = this.entries.get(pk, generation);
    if (entry === undefined || fromSk < entry.fromSk) return undefined;
    // Newest first: the items still in the window are a prefix.
    let end = entry.items.length;
    while (end > 0 && (entry.items[end - 1] as WindowOutcome).sk < fromSk) end--;
    return entry.items.slice(0, end);
  }

  set(pk: string, generation: PartitionGeneration, fromSk: string, items: WindowOutcome[]): void {
    if (items.length <= MAX_WINDOW_ITEMS) this.entries.set(pk, generation, { fromSk, items });
  }
}
