/**
 * The streaming BagIt writer: one pass, one payload stream open at a time, the zip streamed
 * straight into the sink (a multipart upload or a temp file). Memory holds only the manifest
 * lines (one per file), never file contents.
 *
 * Zip entries are written in byte-wise order of their full path, which is also the order in
 * which everything they contain becomes known:
 *   <bag>/ · README-VERIFY.md · bag-info.txt · bagit.txt · data/… · fetch.txt ·
 *   manifest-sha256.txt · signer-public-key.pem · tagmanifest-sha256.txt · tagmanifest-sha256.txt.sig
 * README, bag-info (Payload-Oxum comes from the declared totals, checked against what streamed)
 * and bagit.txt are known up front; the manifest after the payload; the tag manifest and its
 * signature last.
 */
import { createHash, type Hash } from 'node:crypto';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipArchive, type ZipEntryData } from 'archiver';
import { InternalError, ValidationError } from '#core/errors.ts';
import { BAGIT_TXT, payloadOxum, renderBagInfo } from './bag-info.ts';
import { shouldStore } from './compression.ts';
import { MAX_ENTRY_BYTES } from './limits.ts';
import { type ManifestLine, renderFetch, renderManifest } from './manifest.ts';
import { assertAfter, assertBagName, assertSafePath, compareBytes } from './paths.ts';
import { prefetch } from './prefetch.ts';
import { renderReadme } from './readme.ts';
import { publicKeyFingerprint } from './signer.ts';
import type { BagResult, FetchEntry, PayloadEntry, WriteBagOptions } from './types.ts';

export const FILE_MODE = 0o644;
export const DIR_MODE = 0o755;
/** Deflate level for text: level 1 is ~3× faster than the default 6 for a few % more bytes; text is a small part of a dossier. */
const DEFLATE_LEVEL = 1;
const COALESCE_BYTES = 256 * 1024;

/** Counts and hashes bytes passing through, without holding them. */
class HashingCounter extends Transform {
  readonly hash: Hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

/**
 * Archiver emits many tiny writes (4-byte header fields); gathering them into 256 KiB chunks
 * turns thousands of sink writes (syscalls, upload buffer appends) per small file into a few.
 */
class Coalesce extends Transform {
  private chunks: Buffer[] = [];
  private length = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    if (this.length >= COALESCE_BYTES) this.flushChunks();
    done();
  }
  override _flush(done: TransformCallback): void {
    this.flushChunks();
    done();
  }
  private flushChunks(): void {
    if (this.length === 0) return;
    this.push(this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length));
    this.chunks = [];
    this.length = 0;
  }
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function tooLargeError(bagName: string, where: string, path: string, size: number): ValidationError {
  return new ValidationError('BagEntryTooLarge', [
    {
      file: bagName,
      path: where,
      message:
        `data/${path} is ${size} bytes: a zip entry must stay below 4 GiB. Reference it through fetch.txt ` +
        '(a FetchEntry with its URL, size and SHA-256) or split it with splitLargeEntry() into parts below 4 GiB',
    },
  ]);
}

function assertSize(bagName: string, where: string, path: string, size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new ValidationError('InvalidBagEntrySize', [
      { file: bagName, path: where, message: `size of data/${path} must be a non-negative integer` },
    ]);
  }
  if (size > MAX_ENTRY_BYTES) throw tooLargeError(bagName, where, path, size);
}

function validateFetch(bagName: string, fetch: readonly FetchEntry[]): FetchEntry[] {
  const sorted = [...fetch].sort((a, b) => compareBytes(a.path, b.path));
  let previous: string | undefined;
  sorted.forEach((f, i) => {
    const where = `fetch[${i}]`;
    assertSafePath(f.path, `${where}.path`, bagName);
    assertAfter(previous, f.path, `${where}.path`, bagName);
    previous = f.path;
    if (!Number.isSafeInteger(f.size) || f.size < 0) {
      throw new ValidationError('InvalidFetchEntry', [
        { file: bagName, path: `${where}.size`, message: 'expected a non-negative integer' },
      ]);
    }
    if (!/^[0-9a-f]{64}$/.test(f.sha256)) {
      throw new ValidationError('InvalidFetchEntry', [
        { file: bagName, path: `${where}.sha256`, message: 'expected 64 lower-case hex digits' },
      ]);
    }
    if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(f.url)) {
      throw new ValidationError('InvalidFetchEntry', [
        { file: bagName, path: `${where}.url`, message: 'expected an absolute URL without spaces' },
      ]);
    }
  });
  return sorted;
}

function sizeMismatch(entry: PayloadEntry, actual: number): InternalError {
  return new InternalError(
    'PayloadSizeMismatch',
    `data/${entry.path} was declared ${entry.size} bytes but its stream yielded ${actual}${actual > entry.size ? ' or more' : ''}`,
  );
}

/** Each zip entry path's parent folders, shallowest first: `a/b/c` → `a/`, `a/b/`. */
function parentDirs(path: string): string[] {
  const segments = path.split('/');
  return segments.slice(0, -1).map((_, i) => `${segments.slice(0, i + 1).join('/')}/`);
}

/**
 * Writes the bag as a zip into `opts.sink` and resolves once the sink has finished (for the
 * multipart sink: the upload is complete; for the file sink: the file is renamed into place).
 * On any error the sink is destroyed with it, so nothing partial is ever published.
 */
export async function writeBag(opts: WriteBagOptions): Promise<BagResult> {
  const { bagName, sink, now, signer } = opts;
  const archive = new ZipArchive({ zlib: { level: DEFLATE_LEVEL } });
  const out = new HashingCounter();
  // Started at once so backpressure from the sink reaches the archive from the first byte.
  const piping = pipeline(archive, new Coalesce(), out, sink);
  let archiveError: unknown;
  // A failing source or sink may leave archiver's callback uncalled: the pending append is rejected instead.
  let rejectPending: ((err: unknown) => void) | undefined;
  archive.on('warning', (err) => {
    archiveError ??= err;
  });
  archive.on('error', (err) => {
    archiveError ??= err;
    rejectPending?.(err);
  });

  piping.catch((err: unknown) => rejectPending?.(err));

  /** Appends one entry and waits until archiver has consumed it fully (one source open at a time). */
  const append = (source: Readable | Buffer, data: ZipEntryData): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      rejectPending = reject;
      const settle = (): void => (archiveError === undefined ? resolve() : reject(archiveError));
      archive.append(source, { ...data, callback: settle } as ZipEntryData);
    });
  const tag = (name: string, content: string | Uint8Array): Promise<void> =>
    append(Buffer.from(content), {
      name: `${bagName}/${name}`,
      date: now,
      mode: FILE_MODE,
      store: content.length === 0,
    });
  const dir = (name: string): Promise<void> =>
    append(Buffer.alloc(0), { name: `${bagName}/${name}`, type: 'directory', date: now, mode: DIR_MODE });

  try {
    assertBagName(bagName);
    const { totals } = opts;
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
    const publicKeyPem = await signer.publicKeyPem();
    const signerFingerprint = publicKeyFingerprint(publicKeyPem);
    const readme = renderReadme({ bagName, hasFetch: fetch.length > 0, splitFiles: opts.splitFiles ?? [] });
    const bagInfo = renderBagInfo(opts.bagInfo, now, oxum);
    const fetchTxt = fetch.length > 0 ? renderFetch(fetch.map((f) => ({ ...f, path: `data/${f.path}` }))) : undefined;
    const tagFiles = new Map<string, string>([
      ['README-VERIFY.md', readme],
      ['bag-info.txt', bagInfo],
      ['bagit.txt', BAGIT_TXT],
    ]);

    await dir('');
    for (const [name, content] of tagFiles) await tag(name, content);
    await dir('data/');

    const manifest: ManifestLine[] = [];
    const files = new Set<string>();
    const dirs = new Set<string>();
    let previous: string | undefined;
    let streamedBytes = 0;
    let streamedFiles = 0;
    for await (const { entry, content } of prefetch(opts.payload)) {
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
      for (const parent of parentDirs(entry.path)) {
        if (dirs.has(parent)) continue;
        if (files.has(parent.slice(0, -1))) {
          throw new ValidationError('BagPathConflict', [
            {
              file: bagName,
              path: `${where}.path`,
              message: `data/${parent.slice(0, -1)} is both a file and a folder`,
            },
          ]);
        }
        dirs.add(parent);
        await dir(`data/${parent}`);
      }
      files.add(entry.path);
      const zipEntry: ZipEntryData = {
        name: `${bagName}/data/${entry.path}`,
        date: entry.mtime ?? now,
        mode: FILE_MODE,
        store: shouldStore(entry.path, entry.size, entry.compressible),
      };
      if (content) {
        const bytes = await content;
        if (bytes.length !== entry.size) throw sizeMismatch(entry, bytes.length);
        await append(bytes, zipEntry);
        manifest.push({ sha256: sha256Hex(bytes), path: `data/${entry.path}` });
        continue;
      }
      const hashing = new HashingCounter();
      const source = await entry.open();
      const feeding = pipeline(source, hashing);
      feeding.catch((err: unknown) => rejectPending?.(err));
      await append(hashing, zipEntry);
      await feeding;
      if (hashing.bytes !== entry.size) throw sizeMismatch(entry, hashing.bytes);
      manifest.push({ sha256: hashing.hash.digest('hex'), path: `data/${entry.path}` });
    }
    if (streamedFiles !== totals.files || streamedBytes !== totals.bytes) {
      throw new InternalError(
        'PayloadOxumMismatch',
        `declared totals ${totals.bytes}.${totals.files} but streamed ${streamedBytes}.${streamedFiles}`,
      );
    }
    for (const [i, f] of fetch.entries()) {
      if (files.has(f.path) || dirs.has(`${f.path}/`)) {
        throw new ValidationError('BagPathConflict', [
          { file: bagName, path: `fetch[${i}].path`, message: `data/${f.path} is both fetched and embedded` },
        ]);
      }
      manifest.push({ sha256: f.sha256, path: `data/${f.path}` });
    }

    const manifestTxt = renderManifest(manifest);
    if (fetchTxt !== undefined) {
      tagFiles.set('fetch.txt', fetchTxt);
      await tag('fetch.txt', fetchTxt);
    }
    tagFiles.set('manifest-sha256.txt', manifestTxt);
    await tag('manifest-sha256.txt', manifestTxt);
    tagFiles.set('signer-public-key.pem', publicKeyPem);
    await tag('signer-public-key.pem', publicKeyPem);
    const tagManifest = Buffer.from(
      renderManifest([...tagFiles].map(([name, content]) => ({ sha256: sha256Hex(content), path: name }))),
    );
    await tag('tagmanifest-sha256.txt', tagManifest);
    const signature = await signer.sign(tagManifest);
    await tag('tagmanifest-sha256.txt.sig', signature);

    await archive.finalize();
    await piping;
    return {
      bagName,
      zipName: `${bagName}.zip`,
      zipBytes: out.bytes,
      zipSha256: out.hash.digest('hex'),
      payloadOxum: oxum,
      tagManifestSha256: sha256Hex(tagManifest),
      signerFingerprint,
    };
  } catch (err) {
    archive.abort();
    archive.destroy(err as Error);
    out.destroy(err as Error);
    if (!sink.destroyed) sink.destroy(err as Error);
    // Settle only once the sink has cleaned up (temp file removed, multipart upload aborted).
    if (!sink.closed) await new Promise<void>((resolve) => sink.once('close', () => resolve()));
    throw err;
  }
}
