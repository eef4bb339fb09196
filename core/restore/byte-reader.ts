/**
 * Pull-style reading of an async byte stream: exact-length reads for headers and bounded streaming
 * of bodies, without ever concatenating more than one header's worth of bytes. Archive parsers use it
 * so memory stays constant whatever the archive size.
 */
import { ValidationError } from '../errors.ts';

export class ByteReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private done = false;
  /** Bytes handed out so far (for error positions). */
  position = 0;

  constructor(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    private readonly label = 'archive',
  ) {
    this.iterator =
      Symbol.asyncIterator in source
        ? source[Symbol.asyncIterator]()
        : (async function* () {
            yield* source;
          })();
  }

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.iterator.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    if (chunk.length > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
    }
    return true;
  }

  /** At least `n` bytes buffered, unless the stream ends first. Returns how many are buffered. */
  async ensure(n: number): Promise<number> {
    while (this.pendingBytes < n && (await this.fill())) {}
    return this.pendingBytes;
  }

  /** Exactly `n` bytes; undefined when the stream ended before the first byte; throws on a partial read. */
  async read(n: number): Promise<Buffer | undefined> {
    // A zero-length field (an empty zip name or extra, an empty pax header) needs no byte, and take()
    // assumes a buffered chunk, which an archive ending right at that field does not leave.
    if (n === 0) return Buffer.alloc(0);
    const have = await this.ensure(n);
    if (have === 0 && n > 0) return undefined;
    if (have < n) throw this.truncated(n - have);
    return this.take(n);
  }

  /** Look at the next `n` bytes (fewer at the end of the stream) without consuming them. */
  async peek(n: number): Promise<Buffer> {
    await this.ensure(n);
    const first = this.pending[0];
    if (first !== undefined && first.length >= n) return first.subarray(0, n);
    const joined = Buffer.concat(this.pending);
    this.pending = joined.length > 0 ? [joined] : [];
    return joined.subarray(0, n);
  }

  private take(n: number): Buffer {
    const first = this.pending[0]!;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.pending.shift();
      else this.pending[0] = first.subarray(n);
      this.pendingBytes -= n;
      this.position += n;
      return out;
    }
    const parts: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const head = this.pending[0]!;
      if (head.length <= left) {
        parts.push(head);
        this.pending.shift();
        left -= head.length;
      } else {
        parts.push(head.subarray(0, left));
        this.pending[0] = head.subarray(left);
        left = 0;
      }
    }
    this.pendingBytes -= n;
    this.position += n;
    return Buffer.concat(parts, n);
  }

  /** Yields exactly `n` bytes in the chunks they arrive in; throws when the stream ends first. */
  async *chunks(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.pendingBytes === 0 && !(await this.fill())) throw this.truncated(left);
      const head = this.pending[0];
      if (head === undefined) continue;
      const take = Math.min(left, head.length);
      const out = head.subarray(0, take);
      if (take === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(take);
      this.pendingBytes -= take;
      this.position += take;
      left -= take;
      yield out;
    }
  }

  /** Whatever is buffered right now (at least one chunk unless the stream ended): for scanning parsers. */
  async nextChunk(): Promise<Buffer | undefined> {
    if (this.pendingBytes === 0 && !(await this.fill())) return undefined;
    const head = this.pending.shift()!;
    this.pendingBytes -= head.length;
    this.position += head.length;
    return head;
  }

  /** Puts bytes back in front (a scanning parser read past the end of an entry). */
  unshift(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.pending.unshift(bytes);
    this.pendingBytes += bytes.length;
    this.position -= bytes.length;
  }

  async skip(n: number): Promise<void> {
    for await (const _ of this.chunks(n)) {
      // Discarding: the loop only drives the reads.
    }
  }

  /** Drains and discards the rest of the stream (lets the producer finish cleanly). */
  async drain(): Promise<void> {
    this.pending = [];
    this.pendingBytes = 0;
    while (await this.fill()) this.pending = [];
    this.pendingBytes = 0;
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }

  truncated(missing: number): ValidationError {
    return new ValidationError('TruncatedArchive', [
      {
        file: this.label,
        path: '',
        message: `unexpected end of data at byte ${this.position + this.pendingBytes}: ${missing} more bytes were expected`,
      },
    ]);
  }
}
