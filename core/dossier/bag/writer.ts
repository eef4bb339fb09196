/**
 * The streaming BagIt writer: one pass, one payload stream open at a time, the zip produced by
 * archiver (the project's fixed choice for archives) and streamed straight into the sink (a
 * multipart upload or a temp file). Memory holds only the manifest lines and archiver's central
 * directory records (one per entry), never whole large files.
 *
 * Zip entries are appended in byte-wise order of their full path, which is also the order in
 * which everything they contain becomes known:
 *   <bag>/ · README-VERIFY.md · bag-info.txt · bagit.txt · data/… · fetch.txt ·
 *   manifest-sha256.txt · signer-public-key.pem · tagmanifest-sha256.txt · tagmanifest-sha256.txt.sig
 * README, bag-info (Payload-Oxum comes from the declared totals, checked against what streamed)
 * and bagit.txt are known up front; the manifest after the payload; the tag manifest and its
 * signature last.
 *
 * Every entry goes through archiver.append() with an explicit date and mode: append() feeds
 * archiver's one-at-a-time queue directly, so entries come out in the order appended. (Its
 * file()/directory()/glob() would lstat on the statConcurrency queue first, which can reorder
 * entries unless `stats` is passed; we never use them: payloads are streams from S3 or disk.)
 * Small files arrive whole from the read-ahead, already hashed on a worker thread; large ones
 * stream through a hashing transform into archiver.
 *
 * writeBag runs in phases, one function each: bagHead (checks the request and renders the tag files
 * known up front), the leading entries, writePayload (the one pass over the payload), addFetched,
 * writeTrailingTags (manifest, key, tag manifest, signature), then finish. BagZip holds archiver,
 * its pipeline into the sink and the small queue of entries ahead of it. The byte streams are in
 * writer-streams.ts, archiver's speed-ups in archiver-tuning.ts, the request checks in entry-checks.ts.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipArchive, type ZipEntryData } from 'archiver';
import { InternalError, ValidationError } from '#core/errors.ts';
import { tuneArchiver, zipEngineOf } from './archiver-tuning.ts';
import { BAGIT_TXT, payloadOxum, renderBagInfo } from './bag-info.ts';
import { DEFLATE_LEVEL, EntryPreparer, type PreparedEntry, shouldStore } from './compression.ts';
import { assertSize, parentDirs, validateFetch } from './entry-checks.ts';
import { type ManifestLine, renderFetch, renderManifest } from './manifest.ts';
import { assertAfter, assertBagName, assertSafePath } from './paths.ts';
import { prefetch } from './prefetch.ts';
import { renderReadme } from './readme.ts';
import type { Signer } from './signer.ts';
import { publicKeyFingerprint } from './signer.ts';
import type { BagResult, FetchEntry, PayloadEntry, WriteBagOptions } from './types.ts';
import { ARCHIVER_BUFFER_BYTES, Coalesce, HashingCounter, PayloadHasher, sizeMismatch } from './writer-streams.ts';

export { tuneArchiver } from './archiver-tuning.ts';

export const FILE_MODE = 0o644;
export const DIR_MODE = 0o755;
/** How far ahead of archiver small entries are queued (count and bytes), on top of the read-ahead. */
const QUEUED_ENTRIES = 4;
const QUEUED_BYTES = 4 * 1024 * 1024;

function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The zip being written: archiver, its pipeline into the sink (started at once, so backpressure
 * from the sink reaches the archive from the first byte), the first error of either, and the
 * entries handed to archiver's queue whose bytes it has not consumed yet.
 */
class BagZip {
  readonly archive: ZipArchive;
  /** Counts and hashes the zip on its way to the sink. */
  readonly out: HashingCounter;
  /** Small entries prepared on the worker thread, for archiver's engine to take as they are. */
  readonly preparedFor: WeakMap<Buffer, PreparedEntry> | undefined;
  /** Rejects on the first error of archiver or the pipeline: whatever is awaited races it, so nothing hangs. */
  readonly failed: Promise<never>;
  private readonly engine: Writable | undefined;
  private readonly piping: Promise<void>;
  private failure: unknown;
  private rejectFailed: (err: unknown) => void = () => undefined;
  /**
   * Small entries are queued a few ahead: archiver handles one at a time, and waiting for each one's
   * callback before appending the next left the main thread idle between entries (a zlib round trip
   * on the thread pool per entry).
   */
  private readonly queued: Promise<void>[] = [];
  private queuedBytes = 0;

  constructor(
    private readonly bagName: string,
    private readonly now: Date,
    sink: Writable,
  ) {
    this.archive = new ZipArchive({
      zlib: { level: DEFLATE_LEVEL },
      // UTC DOS times: the bagging time is a UTC instant; local time would vary by host.
      forceLocalTime: false,
      // Only file()/directory()/glob() stat; append() (all we use) goes straight to the ordered queue.
      statConcurrency: 1,
      highWaterMark: ARCHIVER_BUFFER_BYTES,
    });
    this.engine = zipEngineOf(this.archive);
    this.preparedFor = tuneArchiver(this.archive).preparedFor;
    this.out = new HashingCounter();
    this.piping = pipeline(this.archive, new Coalesce(), this.out, sink);
    this.failed = new Promise<never>((_, reject) => {
      this.rejectFailed = reject;
    });
    this.failed.catch(() => undefined);
    this.archive.on('warning', this.fail);
    this.archive.on('error', this.fail);
    this.piping.catch(this.fail);
  }

  /** Records the first error and wakes whatever waits on `failed`. */
  readonly fail = (err: unknown): void => {
    this.failure ??= err;
    this.rejectFailed(this.failure);
  };

  /** Waits until at most `keep` entries are queued, then for the engine's own backpressure. */
  async settle(keep: number): Promise<void> {
    while (this.queued.length > keep) await Promise.race([this.queued.shift(), this.failed]);
    if (this.queued.length === 0) this.queuedBytes = 0;
    if (this.failure !== undefined) throw this.failure;
    if (this.engine?.writableNeedDrain) await Promise.race([once(this.engine, 'drain'), this.failed]);
  }

  /** Queues one entry in archiver; with `wait`, resolves once archiver has consumed everything queued. */
  async append(source: Readable | Buffer, data: ZipEntryData, wait = true): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    this.queued.push(
      new Promise<void>((resolve) => {
        this.archive.append(source, { ...data, callback: resolve } as ZipEntryData);
      }),
    );
    if (Buffer.isBuffer(source)) this.queuedBytes += source.length;
    await this.settle(wait ? 0 : this.queuedBytes > QUEUED_BYTES ? 0 : QUEUED_ENTRIES);
  }

  tag(name: string, content: string | Uint8Array): Promise<void> {
    return this.append(Buffer.from(content), { name: `${this.bagName}/${name}`, date: this.now, mode: FILE_MODE });
  }

  dir(name: string, wait = true): Promise<void> {
    return this.append(
      Buffer.alloc(0),
      { name: `${this.bagName}/${name}`, type: 'directory', date: this.now, mode: DIR_MODE },
      wait,
    );
  }

  /** Writes the central directory and resolves once the sink has finished. */
  async finish(): Promise<void> {
    await Promise.race([this.archive.finalize(), this.failed]);
    await this.piping;
  }

  /** Stops everything and settles only once the sink has cleaned up (temp file removed, multipart upload aborted). */
  async abort(err: unknown, sink: Writable): Promise<void> {
    this.archive.abort();
    this.archive.destroy(err as Error);
    this.out.destroy(err as Error);
    if (!sink.destroyed) sink.destroy(err as Error);
    if (!sink.closed) await new Promise<void>((resolve) => sink.once('close', () => resolve()));
  }
}

/** What is known before the payload streams: the checked request and the tag files that lead the bag. */
interface BagHead {
  fetch: FetchEntry[];
  oxum: string;
  publicKeyPem: string;
  signerFingerprint: string;
  fetchTxt: string | undefined;
  /** Every tag file the tag manifest covers, in the order written; README, bag-info and bagit.txt so far. */
  tagFiles: Map<string, string>;
}

async function bagHead(opts: WriteBagOptions): Promise<BagHead> {
  const { bagName, totals } = opts;
  assertBagName(bagName);
  if (
    !Number.isSafeInteger(totals.bytes) ||
    totals.bytes < 0 ||
    !Number.isSafeInteger(totals.files) ||
    totals.files < 0
  ) {
    throw new ValidationError('InvalidBagTotals', [
      { file: bagName, path: 'totals', message: 'expected non-negative integers' },
    ]);
  }
  const fetch = validateFetch(bagName, opts.fetch ?? []);
  const fetchBytes = fetch.reduce((sum, f) => sum + f.size, 0);
  // Payload-Oxum describes the complete bag: embedded files plus those fetch.txt brings in.
  const oxum = payloadOxum(totals.bytes + fetchBytes, totals.files + fetch.length);
  const publicKeyPem = await opts.signer.publicKeyPem();
  const signerFingerprint = publicKeyFingerprint(publicKeyPem);
  const readme = renderReadme({ bagName, hasFetch: fetch.length > 0, splitFiles: opts.splitFiles ?? [] });
  const bagInfo = renderBagInfo(opts.bagInfo, opts.now, oxum);
  const fetchTxt = fetch.length > 0 ? renderFetch(fetch.map((f) => ({ ...f, path: `data/${f.path}` }))) : undefined;
  const tagFiles = new Map<string, string>([
    ['README-VERIFY.md', readme],
    ['bag-info.txt', bagInfo],
    ['bagit.txt', BAGIT_TXT],
  ]);
  return { fetch, oxum, publicKeyPem, signerFingerprint, fetchTxt, tagFiles };
}

/** What the payload pass wrote: the manifest lines, and the files and folders under data/ (for addFetched). */
interface WrittenPayload {
  manifest: ManifestLine[];
  files: Set<string>;
  dirs: Set<string>;
}

/** The parent folders of `entry` not written yet; a parent that is already a file is a conflict. */
function newParentDirs(bagName: string, where: string, path: string, written: WrittenPayload): string[] {
  const fresh: string[] = [];
  for (const parent of parentDirs(path)) {
    if (written.dirs.has(parent)) continue;
    if (written.files.has(parent.slice(0, -1))) {
      throw new ValidationError('BagPathConflict', [
        { file: bagName, path: `${where}.path`, message: `data/${parent.slice(0, -1)} is both a file and a folder` },
      ]);
    }
    written.dirs.add(parent);
    fresh.push(parent);
  }
  return fresh;
}

/** A large entry: streamed through the hasher into archiver, alone (one payload stream open at a time). */
async function streamEntry(zip: BagZip, entry: PayloadEntry, zipEntry: ZipEntryData): Promise<string> {
  // Whatever is queued goes out before this one opens.
  await zip.settle(0);
  const hasher = new PayloadHasher(entry);
  const source = await entry.open();
  const feeding = pipeline(source, hasher);
  feeding.catch(zip.fail);
  await zip.append(hasher, zipEntry);
  await Promise.race([feeding, zip.failed]);
  if (hasher.bytes !== entry.size) throw sizeMismatch(entry, hasher.bytes);
  return hasher.hash.digest('hex');
}

/**
 * The one pass over the payload, in byte order: each entry checked (safe path, order, size, the
 * declared totals), its new parent folders written, then the entry itself — whole from the
 * read-ahead when small, streamed when large — and its manifest line.
 */
async function writePayload(zip: BagZip, opts: WriteBagOptions, preparer: EntryPreparer): Promise<WrittenPayload> {
  const { bagName, totals, now } = opts;
  const written: WrittenPayload = { manifest: [], files: new Set(), dirs: new Set() };
  let previous: string | undefined;
  let streamedBytes = 0;
  let streamedFiles = 0;
  // Small files are hashed, CRC'd and (text) deflated off the main thread; archiver's engine takes the result.
  const prepare = (entry: PayloadEntry, bytes: Buffer): Promise<PreparedEntry> =>
    preparer.prepare(bytes, zip.preparedFor !== undefined && !shouldStore(entry.path, entry.size, entry.compressible));
  for await (const { entry, prepared } of prefetch(opts.payload, prepare)) {
    const where = `payload[${streamedFiles}]`;
    assertSafePath(entry.path, `${where}.path`, bagName);
    assertAfter(previous, entry.path, `${where}.path`, bagName);
    assertSize(bagName, where, entry.path, entry.size);
    previous = entry.path;
    streamedFiles++;
    streamedBytes += entry.size;
    if (streamedFiles > totals.files || streamedBytes > totals.bytes) {
      throw new InternalError(
        'PayloadOxumMismatch',
        `payload exceeds the declared totals ${totals.bytes}.${totals.files}`,
      );
    }
    for (const parent of newParentDirs(bagName, where, entry.path, written)) await zip.dir(`data/${parent}`, false);
    written.files.add(entry.path);
    const zipEntry: ZipEntryData = {
      name: `${bagName}/data/${entry.path}`,
      date: entry.mtime ?? now,
      mode: FILE_MODE,
      store: shouldStore(entry.path, entry.size, entry.compressible),
    };
    if (prepared) {
      const ready = await prepared;
      if (ready.data.length !== entry.size) throw sizeMismatch(entry, ready.data.length);
      zip.preparedFor?.set(ready.data, ready);
      await zip.append(ready.data, zipEntry, false);
      written.manifest.push({ sha256: ready.sha256, path: `data/${entry.path}` });
      continue;
    }
    written.manifest.push({ sha256: await streamEntry(zip, entry, zipEntry), path: `data/${entry.path}` });
  }
  if (streamedFiles !== totals.files || streamedBytes !== totals.bytes) {
    throw new InternalError(
      'PayloadOxumMismatch',
      `declared totals ${totals.bytes}.${totals.files} but streamed ${streamedBytes}.${streamedFiles}`,
    );
  }
  return written;
}

/** fetch.txt's files join the manifest (their SHA-256 is what the successor checks once downloaded); none may be embedded too. */
function addFetched(bagName: string, fetch: readonly FetchEntry[], written: WrittenPayload): void {
  for (const [i, f] of fetch.entries()) {
    if (written.files.has(f.path) || written.dirs.has(`${f.path}/`)) {
      throw new ValidationError('BagPathConflict', [
        { file: bagName, path: `fetch[${i}].path`, message: `data/${f.path} is both fetched and embedded` },
      ]);
    }
    written.manifest.push({ sha256: f.sha256, path: `data/${f.path}` });
  }
}

/**
 * The tag files after the payload, in byte order: fetch.txt, the manifest, the signer key, then the
 * tag manifest over every tag file written and its signature (which is what the successor checks).
 */
async function writeTrailingTags(
  zip: BagZip,
  head: BagHead,
  manifest: ManifestLine[],
  signer: Signer,
): Promise<{ manifestTxt: string; tagManifest: Buffer }> {
  const { tagFiles } = head;
  const manifestTxt = renderManifest(manifest);
  if (head.fetchTxt !== undefined) {
    tagFiles.set('fetch.txt', head.fetchTxt);
    await zip.tag('fetch.txt', head.fetchTxt);
  }
  tagFiles.set('manifest-sha256.txt', manifestTxt);
  await zip.tag('manifest-sha256.txt', manifestTxt);
  tagFiles.set('signer-public-key.pem', head.publicKeyPem);
  await zip.tag('signer-public-key.pem', head.publicKeyPem);
  const tagManifest = Buffer.from(
    renderManifest([...tagFiles].map(([name, content]) => ({ sha256: sha256Hex(content), path: name }))),
  );
  await zip.tag('tagmanifest-sha256.txt', tagManifest);
  const signature = await signer.sign(tagManifest);
  await zip.tag('tagmanifest-sha256.txt.sig', signature);
  return { manifestTxt, tagManifest };
}

/**
 * Writes the bag as a zip into `opts.sink` and resolves once the sink has finished (for the
 * multipart sink: the upload is complete; for the file sink: the file is renamed into place).
 * On any error the sink is destroyed with it, so nothing partial is ever published.
 */
export async function writeBag(opts: WriteBagOptions): Promise<BagResult> {
  const { bagName, sink } = opts;
  const zip = new BagZip(bagName, opts.now, sink);
  const preparer = new EntryPreparer();
  try {
    const head = await bagHead(opts);
    await zip.dir('');
    for (const [name, content] of head.tagFiles) await zip.tag(name, content);
    await zip.dir('data/');
    const written = await writePayload(zip, opts, preparer);
    addFetched(bagName, head.fetch, written);
    const { manifestTxt, tagManifest } = await writeTrailingTags(zip, head, written.manifest, opts.signer);
    await zip.finish();
    return {
      bagName,
      zipName: `${bagName}.zip`,
      zipBytes: zip.out.bytes,
      zipSha256: zip.out.hash.digest('hex'),
      payloadOxum: head.oxum,
      manifestText: manifestTxt,
      tagManifestSha256: sha256Hex(tagManifest),
      signerFingerprint: head.signerFingerprint,
    };
  } catch (err) {
    await zip.abort(err, sink);
    throw err;
  } finally {
    await preparer.close();
  }
}
