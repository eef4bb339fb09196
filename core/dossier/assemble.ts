/**
 * Assembles one dossier: turns the sourced payload files into bag entries (embedded, split into
 * parts below 4 GiB, or referenced through fetch.txt), streams them through writeBag into the
 * sink, and keeps the manifest (path → SHA-256) that the next version's change summary compares
 * against. Every file is read as a stream, one at a time (small ones within writeBag's bounded
 * read-ahead); nothing is buffered whole.
 */
import { createHash } from 'node:crypto';
import { type Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InternalError } from '../errors.ts';
import type { SourcedFile } from './assemble-sources.ts';
import { DEFAULT_PART_BYTES, GIB, MAX_ENTRY_BYTES } from './bag/limits.ts';
import { type ManifestLine, renderManifest } from './bag/manifest.ts';
import type { Signer } from './bag/signer.ts';
import { splitLargeEntry } from './bag/split.ts';
import type { BagResult, FetchEntry, PayloadEntry } from './bag/types.ts';
import { writeBag } from './bag/writer.ts';
import type { ObjectStore } from './ports.ts';

export interface AssembleOptions {
  /** Reads the payload files (data bucket). */
  objects: ObjectStore;
  /** Sorted byte-wise by path. */
  files: readonly SourcedFile[];
  bagName: string;
  bagInfo: Record<string, string>;
  signer: Signer;
  sink: Writable;
  now: Date;
  /** Embed large provider files (in parts below 4 GiB) instead of referencing them in fetch.txt. */
  embedData: boolean;
  /** Provider files of this size or more are "large backup data". Default 1 GiB. */
  largeFileBytes?: number;
  /** Part size when splitting an embedded file too large for one zip entry. Default 2 GiB. */
  partBytes?: number;
}

export interface AssembledDossier {
  bag: BagResult;
  /** manifest-sha256.txt exactly as in the bag. */
  manifestText: string;
  embedded: number;
  fetched: number;
  splitFiles: string[];
}

/** SHA-256 of an object, read as a stream (for fetch.txt entries, whose bytes do not enter the zip). */
async function hashObject(objects: ObjectStore, key: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of (await objects.open(key)) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export async function assembleDossier(opts: AssembleOptions): Promise<AssembledDossier> {
  const large = opts.largeFileBytes ?? GIB;
  const partBytes = opts.partBytes ?? DEFAULT_PART_BYTES;
  const hashes = new Map<string, string>();
  const fetch: FetchEntry[] = [];
  const splitFiles: string[] = [];
  const entries: PayloadEntry[] = [];

  /** Hashes what the writer reads, so the manifest is known without a second pass over the data. */
  const hashing =
    (path: string, open: () => Promise<Readable>): (() => Promise<Readable>) =>
    async () => {
      const source = await open();
      const hash = createHash('sha256');
      const tap = new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          done(null, chunk);
        },
        flush(done) {
          hashes.set(path, hash.digest('hex'));
          done();
        },
      });
      pipeline(source, tap).catch(() => undefined); // the error reaches the writer through `tap`
      return tap;
    };

  for (const f of opts.files) {
    const mtime = f.lastModified !== undefined && f.lastModified > 0 ? new Date(f.lastModified) : undefined;
    if (f.provided && f.size >= large && !opts.embedData) {
      const { sha256, bytes } = await hashObject(opts.objects, f.key);
      if (bytes !== f.size) {
        throw new InternalError('SourceChanged', `${f.key} changed while the dossier was assembled`);
      }
      fetch.push({ url: opts.objects.urlOf(f.key), size: f.size, path: f.path, sha256 });
      continue;
    }
    if (f.size > MAX_ENTRY_BYTES || (f.provided && f.size >= large && f.size > partBytes)) {
      for (const part of splitLargeEntry(
        {
          path: f.path,
          size: f.size,
          openRange: (start, end) => opts.objects.open(f.key, { start, end }),
          compressible: false,
          ...(mtime ? { mtime } : {}),
        },
        Math.min(partBytes, MAX_ENTRY_BYTES),
      )) {
        entries.push({ ...part, open: hashing(part.path, part.open) });
        splitFiles.push(part.path);
      }
      continue;
    }
    const entry: PayloadEntry = { path: f.path, size: f.size, open: hashing(f.path, () => opts.objects.open(f.key)) };
    if (mtime) entry.mtime = mtime;
    entries.push(entry);
  }

  const totals = entries.reduce((t, e) => ({ bytes: t.bytes + e.size, files: t.files + 1 }), { bytes: 0, files: 0 });
  async function* payload(): AsyncGenerator<PayloadEntry> {
    yield* entries;
  }
  const bag = await writeBag({
    bagName: opts.bagName,
    payload: payload(),
    totals,
    bagInfo: opts.bagInfo,
    fetch,
    splitFiles,
    signer: opts.signer,
    sink: opts.sink,
    now: opts.now,
  });

  const lines: ManifestLine[] = [];
  for (const e of entries) {
    const sha256 = hashes.get(e.path);
    if (sha256 === undefined) throw new InternalError('ManifestIncomplete', `no checksum recorded for data/${e.path}`);
    lines.push({ sha256, path: `data/${e.path}` });
  }
  for (const f of fetch) lines.push({ sha256: f.sha256, path: `data/${f.path}` });
  return {
    bag,
    manifestText: renderManifest(lines),
    embedded: entries.length,
    fetched: fetch.length,
    splitFiles,
  };
}
