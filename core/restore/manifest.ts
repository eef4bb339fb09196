/**
 * The manifest captured at backup time for the s3-archive runner: what every file of the archive must
 * contain. Two line formats, mixable in one file (one entry per line, UTF-8):
 *
 * 1. sha256sum output, so `sha256sum -c manifest` works on a plain extraction too:
 *      <64 hex>  <path>        (text mode)     or   <64 hex> *<path>   (binary mode)
 *      \<64 hex>  <escaped>    (GNU escaping for names with \ or newline: \\ and \n)
 *    plus optional size lines, which sha256sum ignores as comments:
 *      #size <bytes>  <path>   (same escaping rule: a leading \ means the path is escaped)
 * 2. JSON lines: {"path":"a/b.txt","sha256":"<64 hex>","size":123}
 *
 * Other lines starting with `#` and blank lines are ignored. Paths are normalised the way archive
 * entries are (`./a/b` = `a/b`). Parsing streams line by line with limits, because the manifest is as
 * untrusted as the archive.
 */
import { type Problem, ValidationError } from '../errors.ts';
import { safeRelativePath } from './archive-entry.ts';

export interface ManifestEntry {
  sha256: string;
  size?: number;
}

export const MAX_MANIFEST_LINE_BYTES = 64 * 1024;
export const MAX_MANIFEST_ENTRIES = 10_000_000;
export const MAX_MANIFEST_PROBLEMS = 20;

const HEX64 = /^[0-9a-f]{64}$/;

function unescapeGnu(text: string): string {
  return text.replace(/\\(\\|n|r)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));
}

function escapeGnu(path: string): { escaped: boolean; text: string } {
  if (!/[\\\n\r]/.test(path)) return { escaped: false, text: path };
  return { escaped: true, text: path.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r') };
}

/** One manifest entry as sha256sum-compatible lines (a `#size` line first when the size is known). */
export function manifestLines(path: string, entry: ManifestEntry): string {
  const { escaped, text } = escapeGnu(path);
  const lead = escaped ? '\\' : '';
  const size = entry.size === undefined ? '' : `#size ${entry.size}  ${lead}${text}\n`;
  return `${size}${lead}${entry.sha256}  ${text}\n`;
}

type Parsed =
  | { kind: 'hash'; path: string; sha256: string }
  | { kind: 'size'; path: string; size: number }
  | { kind: 'json'; path: string; sha256: string; size?: number }
  | { kind: 'skip' }
  | { kind: 'bad'; message: string };

function parseLine(line: string): Parsed {
  if (line.trim() === '') return { kind: 'skip' };
  if (line.startsWith('#size ')) {
    const m = /^#size ([0-9]{1,16}) {2}(\\?)(.+)$/.exec(line);
    if (!m) return { kind: 'bad', message: "expected '#size <bytes>  <path>'" };
    return { kind: 'size', size: Number(m[1]), path: m[2] ? unescapeGnu(m[3]!) : m[3]! };
  }
  if (line.startsWith('#')) return { kind: 'skip' };
  if (line.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return { kind: 'bad', message: 'invalid JSON line' };
    }
    const v = value as { path?: unknown; sha256?: unknown; size?: unknown };
    if (typeof v.path !== 'string' || typeof v.sha256 !== 'string' || !HEX64.test(v.sha256.toLowerCase()))
      return { kind: 'bad', message: 'expected {"path": <string>, "sha256": <64 hex>, "size"?: <bytes>}' };
    if (v.size !== undefined && !(typeof v.size === 'number' && Number.isSafeInteger(v.size) && v.size >= 0))
      return { kind: 'bad', message: 'size must be a whole number of bytes' };
    return v.size === undefined
      ? { kind: 'json', path: v.path, sha256: v.sha256.toLowerCase() }
      : { kind: 'json', path: v.path, sha256: v.sha256.toLowerCase(), size: v.size };
  }
  const m = /^(\\?)([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
  if (!m)
    return {
      kind: 'bad',
      message: "expected '<sha256>  <path>' (sha256sum format), '#size <bytes>  <path>' or a JSON line",
    };
  return { kind: 'hash', sha256: m[2]!.toLowerCase(), path: m[1] ? unescapeGnu(m[3]!) : m[3]! };
}

function lineTooLong(file: string, line: number): ValidationError {
  return new ValidationError('InvalidManifest', [
    { file, line, column: 1, path: '', message: `line longer than ${MAX_MANIFEST_LINE_BYTES} bytes` },
  ]);
}

/**
 * Splits a byte stream into lines with a per-line limit that holds however the bytes are chunked:
 * a complete over-long line inside one chunk is refused like a partial one, and only the new chunk
 * is scanned for newlines (a long line arriving in small chunks stays linear, never rescanned).
 */
async function* lines(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, file: string): AsyncGenerator<string> {
  let carry = '';
  let carryBytes = 0;
  const decoder = new TextDecoder('utf-8');
  let lineNo = 0;
  const complete = (piece: string): string => {
    lineNo++;
    if (carryBytes + Buffer.byteLength(piece) > MAX_MANIFEST_LINE_BYTES) throw lineTooLong(file, lineNo);
    const line = carry === '' ? piece : carry + piece;
    carry = '';
    carryBytes = 0;
    return line.endsWith('\r') ? line.slice(0, -1) : line;
  };
  const keep = (piece: string): void => {
    carry += piece;
    carryBytes += Buffer.byteLength(piece);
    if (carryBytes > MAX_MANIFEST_LINE_BYTES) throw lineTooLong(file, lineNo + 1);
  };
  for await (const chunk of source) {
    const text = decoder.decode(chunk, { stream: true });
    let from = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
      yield complete(text.slice(from, nl));
      from = nl + 1;
    }
    keep(text.slice(from));
  }
  keep(decoder.decode());
  if (carry !== '') yield complete('');
}

/**
 * A parsed manifest kept compact: a map from path to a slot number, and per slot the binary digest
 * (32 bytes) and size in typed arrays. About a hundred bytes per listed file plus the path itself,
 * instead of a hex string and an object per file: a restore test of millions of files stays small.
 */
export class ManifestIndex {
  private readonly slots = new Map<string, number>();
  private digests = Buffer.alloc(32 * 256);
  private sizes = new Float64Array(256).fill(-1);
  /** 1 when the size came from a JSON line (a `#size` line never overrides it). */
  private jsonSized = new Uint8Array(256);

  get size(): number {
    return this.slots.size;
  }

  /** The slot of a path, or undefined when the manifest does not list it. */
  slotOf(path: string): number | undefined {
    return this.slots.get(path);
  }

  /** The listed paths in manifest order (slot 0, 1, 2 …). */
  paths(): IterableIterator<string> {
    return this.slots.keys();
  }

  /** The 32-byte SHA-256 of a slot (a view: do not keep it across calls that add entries). */
  digestAt(slot: number): Buffer {
    return this.digests.subarray(slot * 32, slot * 32 + 32);
  }

  sizeAt(slot: number): number | undefined {
    const size = this.sizes[slot]!;
    return size < 0 ? undefined : size;
  }

  entryAt(slot: number): ManifestEntry {
    const size = this.sizeAt(slot);
    const sha256 = this.digestAt(slot).toString('hex');
    return size === undefined ? { sha256 } : { sha256, size };
  }

  /** Adds a path (false when already listed). */
  add(path: string, sha256Hex: string, size: number | undefined): boolean {
    if (this.slots.has(path)) return false;
    const slot = this.slots.size;
    if (slot === this.sizes.length) this.grow();
    this.slots.set(path, slot);
    this.digests.write(sha256Hex, slot * 32, 32, 'hex');
    this.sizes[slot] = size ?? -1;
    this.jsonSized[slot] = size === undefined ? 0 : 1;
    return true;
  }

  /** A `#size` line: applies unless a JSON line stated the size; the last line wins. */
  setSizeFromComment(slot: number, size: number): void {
    if (this.jsonSized[slot] === 0) this.sizes[slot] = size;
  }

  private grow(): void {
    const n = this.sizes.length * 2;
    const digests = Buffer.alloc(n * 32);
    this.digests.copy(digests);
    this.digests = digests;
    const sizes = new Float64Array(n).fill(-1);
    sizes.set(this.sizes);
    this.sizes = sizes;
    const jsonSized = new Uint8Array(n);
    jsonSized.set(this.jsonSized);
    this.jsonSized = jsonSized;
  }
}

/**
 * Reads a whole manifest into a compact index (see ManifestIndex). Memory is per file listed (not
 * per byte of data). Throws ValidationError('InvalidManifest') listing up to MAX_MANIFEST_PROBLEMS bad lines.
 */
export async function readManifestIndex(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  file = 'manifest',
): Promise<ManifestIndex> {
  const index = new ManifestIndex();
  /** `#size` lines seen before their path's hash line (sha256sum-compatible manifests put them first). */
  const pendingSizes = new Map<string, number>();
  const problems: Problem[] = [];
  let lineNo = 0;
  const problem = (message: string) => {
    if (problems.length < MAX_MANIFEST_PROBLEMS) problems.push({ file, line: lineNo, column: 1, path: '', message });
  };
  for await (const line of lines(source, file)) {
    lineNo++;
    const parsed = parseLine(line);
    if (parsed.kind === 'skip') continue;
    if (parsed.kind === 'bad') {
      problem(parsed.message);
      continue;
    }
    const path = safeRelativePath(parsed.path);
    if (path === undefined) {
      problem('unsafe path (absolute, empty or containing ..)');
      continue;
    }
    if (parsed.kind === 'size') {
      const slot = index.slotOf(path);
      if (slot === undefined) pendingSizes.set(path, parsed.size);
      else index.setSizeFromComment(slot, parsed.size);
      continue;
    }
    if (index.slotOf(path) !== undefined) {
      problem(`duplicate entry for ${JSON.stringify(path)}`);
      continue;
    }
    if (index.size >= MAX_MANIFEST_ENTRIES) {
      problem(`more than ${MAX_MANIFEST_ENTRIES} entries`);
      break;
    }
    const size = parsed.kind === 'json' ? parsed.size : undefined;
    index.add(path, parsed.sha256, size);
    const pending = pendingSizes.get(path);
    if (pending !== undefined) {
      pendingSizes.delete(path);
      index.setSizeFromComment(index.size - 1, pending);
    }
  }
  if (problems.length > 0) throw new ValidationError('InvalidManifest', problems);
  return index;
}

/**
 * Reads a whole manifest into a map path → entry (convenient for small manifests; the s3-archive
 * runner uses the compact readManifestIndex). Same validation as readManifestIndex.
 */
export async function readManifest(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  file = 'manifest',
): Promise<Map<string, ManifestEntry>> {
  const index = await readManifestIndex(source, file);
  const entries = new Map<string, ManifestEntry>();
  let slot = 0;
  for (const path of index.paths()) entries.set(path, index.entryAt(slot++));
  return entries;
}
