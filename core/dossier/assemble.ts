/**
 * Assembles one dossier: turns the sourced payload files into bag entries (embedded, split into
 * parts below 4 GiB, or referenced through fetch.txt), streams them through writeBag into the
 * sink, and keeps the manifest (path → SHA-256) that the next version's change summary compares
 * against. Every file is read once, as a stream, one at a time (small ones within writeBag's bounded
 * read-ahead); nothing is buffered whole.
 */
import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import { InternalError } from '../errors.ts';
import type { SourcedFile } from './assemble-sources.ts';
import { DEFAULT_PART_BYTES, GIB, MAX_ENTRY_BYTES } from './bag/limits.ts';
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
  const fetch: FetchEntry[] = [];
  const splitFiles: string[] = [];
  const entries: PayloadEntry[] = [];

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
        entries.push(part);
        splitFiles.push(part.path);
      }
      continue;
    }
    const entry: PayloadEntry = { path: f.path, size: f.size, open: () => opts.objects.open(f.key) };
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

  return {
    bag,
    // The writer hashed every payload byte on its way into the zip; its manifest is the one to keep.
    manifestText: bag.manifestText,
    embedded: entries.length,
    fetched: fetch.length,
    splitFiles,
  };
}
