/**
 * Read-ahead for small payload files, prepared ahead too when asked (hashed and deflated on a worker
 * thread, in parallel with the writer on the main thread). Opening and reading a file costs a few thread-pool round
 * trips whatever its size, so thousands of small files written strictly one after another leave
 * the CPU idle. Small entries (≤ SMALL_ENTRY_BYTES) are read whole, several at a time, within a
 * fixed byte and count budget: memory stays bounded by the budget, never by the dossier's size.
 * Large entries are not touched here; the writer streams them when their turn comes.
 */
import type { PreparedEntry } from './compression.ts';
import type { PayloadEntry } from './types.ts';

export const SMALL_ENTRY_BYTES = 1024 * 1024;
const WINDOW_BYTES = 8 * 1024 * 1024;
const WINDOW_COUNT = 32;

export interface Prefetched {
  entry: PayloadEntry;
  /** The whole content of a small entry; at most `entry.size + 1` bytes are kept (to detect overruns). */
  content?: Promise<Buffer>;
  /**
   * The content prepared by the caller's `prepare` (hashed, deflated… on a worker), started as soon as
   * the content is read; counted in the same budget. Once given to `prepare`, use its result's bytes.
   */
  prepared?: Promise<PreparedEntry>;
}

async function readSmall(entry: PayloadEntry): Promise<Buffer> {
  const stream = await entry.open();
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      length += chunk.length;
      if (length > entry.size) break; // the writer reports the mismatch; no need to read on
    }
  } finally {
    stream.destroy();
  }
  // Always a copy we own: `prepare` may transfer it to a worker, which would detach a caller's buffer.
  return Buffer.concat(chunks, length);
}

function isSmall(entry: PayloadEntry): boolean {
  return Number.isSafeInteger(entry.size) && entry.size >= 0 && entry.size <= SMALL_ENTRY_BYTES;
}

export async function* prefetch(
  source: AsyncIterable<PayloadEntry>,
  prepare?: (entry: PayloadEntry, content: Buffer) => Promise<PreparedEntry>,
): AsyncGenerator<Prefetched> {
  const iterator = source[Symbol.asyncIterator]();
  const window: Prefetched[] = [];
  let windowBytes = 0;
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && window.length < WINDOW_COUNT && windowBytes < WINDOW_BYTES) {
        const next = await iterator.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        const entry = next.value;
        const item: Prefetched = { entry };
        if (isSmall(entry)) {
          item.content = readSmall(entry);
          item.content.catch(() => undefined); // observed by the writer when the entry's turn comes
          windowBytes += entry.size;
          if (prepare !== undefined) {
            item.prepared = item.content.then((bytes) => prepare(entry, bytes));
            item.prepared.catch(() => undefined);
          }
        }
        window.push(item);
      }
      const head = window.shift();
      if (!head) return;
      if (head.content) windowBytes -= head.entry.size;
      yield head;
    }
  } finally {
    await iterator.return?.();
  }
}
