/**
 * Verifies a dossier zip without extracting it: everything the stock command sequence in
 * README-VERIFY.md checks (manifests, tag manifest, signature), plus what those commands cannot
 * see (files added or removed, Payload-Oxum, one top-level folder) and zip-level hazards (bombs,
 * traversal, symlinks, duplicate names, local headers that disagree with the central directory,
 * data whose CRC-32 is not the one the zip states). The archive is untrusted input: every size is
 * bounded.
 */
import { createHash, verify as verifySignature } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, type FileHandle, open, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { type CentralEntry, localHeaderMismatches, type PositionalRead } from '#core/zip/local-headers.ts';
import { parseBagInfo } from './bag-info.ts';
import { parseFetch, parseManifest } from './manifest.ts';
import { normalizeFingerprint, publicKeyFingerprint } from './signer.ts';

export interface VerificationCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** A passing check the reader should still act on (a self-asserted key). */
  warning?: boolean;
}

export interface DossierVerification {
  /** True only when every check passed. */
  ok: boolean;
  zipPath: string;
  bagName?: string;
  /** SHA-256 of the embedded signer key's DER SubjectPublicKeyInfo. */
  signerFingerprint?: string;
  checks: VerificationCheck[];
}

export interface VerifyDossierOptions {
  /** The signer fingerprint the provider published; without it the key is only self-asserted. */
  expectedFingerprint?: string;
  /** Refuse archives with more entries (default 1,000,000). */
  maxEntries?: number;
  /** Refuse archives whose declared uncompressed total is larger (default 4 TiB). */
  maxTotalBytes?: number;
  /** Refuse an entry that expands more than this ratio when over 1 MiB (default 1000, deflate's ceiling is ~1032). */
  maxRatio?: number;
}

const DEFAULT_MAX_ENTRIES = 1_000_000;
const DEFAULT_MAX_TOTAL_BYTES = 4 * 1024 ** 4;
const DEFAULT_MAX_RATIO = 1000;
/** Small tag files (bagit.txt, bag-info.txt, key, signature, README). */
const MAX_SMALL_TAG_BYTES = 1024 * 1024;
/** Manifests and fetch.txt grow with the file count (~100 bytes a line). */
const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;
/** Names shown in a detail before "and N more". */
const SHOWN = 5;

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

function listSome(items: readonly string[]): string {
  const shown = items.slice(0, SHOWN).join(', ');
  return items.length > SHOWN ? `${shown} and ${items.length - SHOWN} more` : shown;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function sha256OfStream(stream: Readable): Promise<{ hex: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { hex: hash.digest('hex'), bytes };
}

/**
 * SHA-256 and CRC-32 of an entry's content. yauzl does not check CRC-32, and `unzip` does: an entry
 * whose data does not match the CRC-32 the zip states makes the successor's `unzip` fail even when
 * the SHA-256 matches the manifest, so the verifier compares it too.
 */
async function hashEntry(zip: ZipFile, entry: Entry): Promise<{ hex: string; bytes: number; crc: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let crc = 0;
  for await (const chunk of (await zip.openReadStreamPromise(entry)) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    crc = crc32(chunk, crc);
    bytes += chunk.length;
  }
  return { hex: hash.digest('hex'), bytes, crc };
}

async function readEntry(zip: ZipFile, entry: Entry, limit: number): Promise<{ data: Buffer; crc: number }> {
  if (entry.uncompressedSize > limit) {
    throw new RangeError(`${entry.fileName} is ${entry.uncompressedSize} bytes, over the ${limit}-byte limit`);
  }
  const stream = await zip.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  const data = Buffer.concat(chunks);
  return { data, crc: crc32(data) };
}

/** The central directory's view of an entry, as the local-header comparison takes it. */
function centralEntryOf(e: Entry): CentralEntry {
  const unicodePath = e.extraFields.find((f) => f.id === UNICODE_PATH_EXTRA)?.data;
  return {
    name: e.fileNameRaw,
    flags: e.generalPurposeBitFlag,
    method: e.compressionMethod,
    crc32: e.crc32,
    compressedSize: e.compressedSize,
    uncompressedSize: e.uncompressedSize,
    localHeaderOffset: e.relativeOffsetOfLocalHeader,
    ...(unicodePath === undefined ? {} : { unicodePath }),
  };
}

/** Local headers are read in offset order: one 256 KiB window serves the headers of many small entries. */
const HEADER_WINDOW_BYTES = 256 * 1024;

function windowedRead(handle: FileHandle, fileSize: number): PositionalRead {
  let start = 0;
  let window = Buffer.alloc(0);
  return async (offset, length) => {
    if (offset >= start && offset + length <= start + window.length) {
      return window.subarray(offset - start, offset - start + length);
    }
    const size = Math.max(0, Math.min(Math.max(HEADER_WINDOW_BYTES, length), fileSize - offset));
    const buffer = Buffer.allocUnsafe(size);
    const { bytesRead } = size === 0 ? { bytesRead: 0 } : await handle.read(buffer, 0, size, offset);
    window = buffer.subarray(0, bytesRead);
    start = offset;
    return window.subarray(0, Math.min(length, bytesRead));
  };
}

/** Every entry's local header against its central-directory record (core/zip/headers.ts says why). */
async function localHeaderCheck(
  zipPath: string,
  entries: readonly Entry[],
  fileSize: number,
  centralDirectoryOffset: number,
): Promise<VerificationCheck> {
  const handle = await open(zipPath, 'r');
  try {
    const mismatches = await localHeaderMismatches(
      basename(zipPath),
      entries.map(centralEntryOf),
      windowedRead(handle, fileSize),
      centralDirectoryOffset,
    );
    return {
      name: 'local headers match central directory',
      ok: mismatches.length === 0,
      detail:
        mismatches.length === 0
          ? 'name, method, flags, CRC-32 and sizes agree for every entry'
          : listSome(mismatches.map((e) => e.problems[0]?.message ?? e.message)),
    };
  } finally {
    await handle.close();
  }
}

const UTF8_FLAG = 0x800;
const UNICODE_PATH_EXTRA = 0x7075;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The entry's name as unzip on Linux sees it. The stock `zip` tool stores UTF-8 names without
 * the UTF-8 flag; unzip then uses the bytes as they are, so a name that is valid UTF-8 is read
 * as UTF-8 rather than CP437. Unsafe names (absolute, `..`, backslash) throw.
 */
function entryName(entry: Entry): string {
  const raw = entry.fileNameRaw;
  let name: string;
  const flagged = (entry.generalPurposeBitFlag & UTF8_FLAG) !== 0;
  const hasUnicodeExtra = entry.extraFields.some((f) => f.id === UNICODE_PATH_EXTRA);
  if (flagged || hasUnicodeExtra) {
    name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, true);
  } else {
    try {
      name = strictUtf8.decode(raw);
    } catch {
      name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, true);
    }
  }
  if (name.includes('\\')) throw new RangeError(`invalid characters in fileName: ${name}`);
  const invalid = yauzl.validateFileName(name);
  if (invalid !== null) throw new RangeError(invalid);
  return name;
}

function isSymlink(entry: Entry): boolean {
  const madeOnUnix = entry.versionMadeBy >> 8 === 3;
  return madeOnUnix && ((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK;
}

/** Structural hazards of the central directory, before any data is read. */
function zipHazards(
  entries: readonly Entry[],
  fileSize: number,
  opts: Required<Omit<VerifyDossierOptions, 'expectedFingerprint'>>,
): string[] {
  const problems: string[] = [];
  let total = 0;
  const names = new Set<string>();
  const duplicates: string[] = [];
  for (const e of entries) {
    total += e.uncompressedSize;
    if (names.has(e.fileName)) duplicates.push(e.fileName);
    names.add(e.fileName);
    if (isSymlink(e)) problems.push(`symlink entry ${e.fileName}`);
    if (e.isEncrypted()) problems.push(`encrypted entry ${e.fileName}`);
    if (e.compressionMethod !== 0 && e.compressionMethod !== 8)
      problems.push(`unsupported compression in ${e.fileName}`);
    if (e.uncompressedSize > 1024 * 1024 && e.uncompressedSize > opts.maxRatio * Math.max(1, e.compressedSize)) {
      problems.push(
        `${e.fileName} expands ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))}× (zip bomb?)`,
      );
    }
  }
  if (duplicates.length > 0) problems.push(`duplicate entry names: ${listSome(duplicates)}`);
  if (total > opts.maxTotalBytes)
    problems.push(`declared uncompressed total ${total} bytes exceeds the ${opts.maxTotalBytes}-byte limit`);
  // Overlapping entries (several names pointing at the same compressed bytes) are the classic
  // non-recursive zip bomb; in a well-formed archive each entry's data ends before the next header.
  const byOffset = [...entries].sort((a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader);
  for (let i = 0; i < byOffset.length; i++) {
    const e = byOffset[i]!;
    const end = e.relativeOffsetOfLocalHeader + 30 + e.fileNameLength + e.compressedSize;
    const next = byOffset[i + 1]?.relativeOffsetOfLocalHeader ?? fileSize;
    if (end > next) {
      problems.push(`entry ${e.fileName} overlaps the next entry`);
      break;
    }
  }
  return problems;
}

async function sidecarChecks(zipPath: string, pem: string | undefined): Promise<VerificationCheck[]> {
  const checksumPath = `${zipPath}.sha256`;
  const exists = await access(checksumPath).then(
    () => true,
    () => false,
  );
  if (!exists) return [];
  const checks: VerificationCheck[] = [];
  const text = await readFile(checksumPath);
  const first = text.subarray(0, 4096).toString('utf8').split('\n')[0] ?? '';
  const match = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(first);
  if (!match?.[1]) {
    checks.push({ name: 'sidecar checksum', ok: false, detail: `${basename(checksumPath)} is not a sha256sum line` });
  } else {
    const actual = await sha256OfStream(createReadStream(zipPath));
    const expected = match[1].toLowerCase();
    const sameName = match[2] === basename(zipPath);
    checks.push({
      name: 'sidecar checksum',
      ok: expected === actual.hex && sameName,
      detail:
        expected !== actual.hex
          ? `archive SHA-256 ${actual.hex} differs from ${basename(checksumPath)} (${expected})`
          : sameName
            ? `archive SHA-256 ${actual.hex} matches ${basename(checksumPath)}`
            : `${basename(checksumPath)} names ${match[2]}, not ${basename(zipPath)}: sha256sum -c would not find it`,
    });
  }
  const sigPath = `${checksumPath}.sig`;
  const sig = await readFile(sigPath).catch(() => undefined);
  if (sig !== undefined && pem !== undefined) {
    let ok = false;
    try {
      ok = verifySignature('sha256', text, pem, sig);
    } catch {
      ok = false;
    }
    checks.push({
      name: 'sidecar signature',
      ok,
      detail: ok
        ? `${basename(sigPath)} verifies with the embedded key`
        : `${basename(sigPath)} does not verify with the embedded key`,
    });
  }
  return checks;
}

export async function verifyDossierZip(zipPath: string, opts: VerifyDossierOptions = {}): Promise<DossierVerification> {
  const limits = {
    maxEntries: opts.maxEntries ?? DEFAULT_MAX_ENTRIES,
    maxTotalBytes: opts.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES,
    maxRatio: opts.maxRatio ?? DEFAULT_MAX_RATIO,
  };
  const checks: VerificationCheck[] = [];
  const result = (extra: Partial<DossierVerification> = {}): DossierVerification => ({
    ok: checks.every((c) => c.ok),
    zipPath,
    checks,
    ...extra,
  });

  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(zipPath, {
      lazyEntries: true,
      autoClose: false,
      validateEntrySizes: true,
      strictFileNames: true,
      // Names are decoded by entryName below: yauzl would read unflagged UTF-8 names as CP437.
      decodeStrings: false,
    });
  } catch (err) {
    checks.push({ name: 'zip readable', ok: false, detail: errorText(err) });
    return result();
  }
  // Where the central directory starts, which is where entry data must end (yauzl's cursor starts there).
  const cursor: unknown = zip.readEntryCursor;
  const centralDirectoryOffset = typeof cursor === 'number' ? cursor : zip.fileSize;
  try {
    if (zip.entryCount > limits.maxEntries) {
      checks.push({
        name: 'zip readable',
        ok: false,
        detail: `${zip.entryCount} entries, over the ${limits.maxEntries} limit`,
      });
      return result();
    }
    const entries: Entry[] = [];
    try {
      for await (const entry of zip.eachEntry()) {
        entry.fileName = entryName(entry);
        entries.push(entry);
      }
    } catch (err) {
      // yauzl refuses absolute paths, '..' segments and backslashes here.
      checks.push({ name: 'zip readable', ok: false, detail: `unsafe or corrupt entry: ${errorText(err)}` });
      return result();
    }
    checks.push({ name: 'zip readable', ok: true, detail: `${entries.length} entries` });
    const hazards = zipHazards(entries, zip.fileSize, limits);
    checks.push({
      name: 'zip safe to extract',
      ok: hazards.length === 0,
      detail: hazards.length === 0 ? 'no symlinks, traversal, duplicates, overlaps or bombs' : listSome(hazards),
    });
    if (hazards.length > 0) return result();
    const headers = await localHeaderCheck(zipPath, entries, zip.fileSize, centralDirectoryOffset);
    checks.push(headers);
    if (!headers.ok) return result();

    const tops = new Set(entries.map((e) => e.fileName.split('/')[0]));
    const [bagName] = tops;
    const oneTop =
      tops.size === 1 && bagName !== undefined && entries.every((e) => e.fileName.startsWith(`${bagName}/`));
    checks.push({
      name: 'one top-level folder',
      ok: oneTop,
      detail: oneTop ? `${bagName}/` : `found ${listSome([...tops].map(String))}`,
    });
    if (!oneTop || bagName === undefined) return result();
    const prefix = `${bagName}/`;
    const files = new Map<string, Entry>();
    for (const e of entries) if (!e.fileName.endsWith('/')) files.set(e.fileName.slice(prefix.length), e);

    /** Entries whose content does not have the CRC-32 the zip states (checked on every entry read). */
    const crcMismatches = new Set<string>();
    const checkCrc = (entry: Entry, crc: number): void => {
      if (crc !== entry.crc32) crcMismatches.add(entry.fileName.slice(prefix.length));
    };
    // A tag file whose data is corrupt (bad deflate, short read) fails the verdict; it must not throw it away.
    const unreadableTags: string[] = [];
    const readTag = async (name: string, limit = MAX_SMALL_TAG_BYTES): Promise<Buffer | undefined> => {
      const entry = files.get(name);
      if (!entry) return undefined;
      try {
        const { data, crc } = await readEntry(zip, entry, limit);
        checkCrc(entry, crc);
        return data;
      } catch (err) {
        unreadableTags.push(`${name} (${errorText(err)})`);
        return undefined;
      }
    };

    // bagit.txt
    const bagit = (await readTag('bagit.txt'))?.toString('utf8');
    const bagitFields = parseBagInfo(bagit ?? '');
    const version = bagitFields.get('BagIt-Version')?.[0];
    const encoding = bagitFields.get('Tag-File-Character-Encoding')?.[0];
    const bagitOk = version === '1.0' && encoding?.toUpperCase() === 'UTF-8';
    checks.push({
      name: 'bagit.txt valid',
      ok: bagitOk,
      detail:
        bagit === undefined ? 'bagit.txt missing' : `BagIt-Version ${version ?? '?'}, encoding ${encoding ?? '?'}`,
    });

    // Payload manifest and fetch.txt
    const manifestBytes = await readTag('manifest-sha256.txt', MAX_MANIFEST_BYTES);
    const manifest = parseManifest(manifestBytes?.toString('utf8') ?? '');
    const outsideData = manifest.lines.filter((l) => !l.path.startsWith('data/')).map((l) => l.path);
    checks.push({
      name: 'manifest-sha256.txt well-formed',
      ok: manifestBytes !== undefined && manifest.malformed.length === 0 && outsideData.length === 0,
      detail:
        manifestBytes === undefined
          ? 'manifest-sha256.txt missing'
          : manifest.malformed.length > 0
            ? `malformed lines ${listSome(manifest.malformed.map(String))}`
            : outsideData.length > 0
              ? `paths outside data/: ${listSome(outsideData)}`
              : `${manifest.lines.length} payload files listed`,
    });
    const fetchBytes = await readTag('fetch.txt', MAX_MANIFEST_BYTES);
    const fetch = parseFetch(fetchBytes?.toString('utf8') ?? '');
    const fetched = new Map(fetch.lines.map((l) => [l.path, l.size]));
    if (fetchBytes !== undefined) {
      const inManifest = new Set(manifest.lines.map((m) => m.path));
      const unlisted = fetch.lines.filter((l) => !inManifest.has(l.path)).map((l) => l.path);
      checks.push({
        name: 'fetch.txt well-formed',
        ok: fetch.malformed.length === 0 && unlisted.length === 0 && fetch.lines.every((l) => l.size >= 0),
        detail:
          fetch.malformed.length > 0
            ? `malformed lines ${listSome(fetch.malformed.map(String))}`
            : unlisted.length > 0
              ? `fetched files without a checksum in the manifest: ${listSome(unlisted)}`
              : `${fetch.lines.length} files referenced (checked by sha256sum -c once downloaded)`,
      });
    }

    // Payload hashes, streamed in archive order (sequential reads).
    const expected = new Map(manifest.lines.map((l) => [l.path, l.sha256]));
    const mismatched: string[] = [];
    const extra: string[] = [];
    const unreadable: string[] = [];
    let payloadBytes = 0;
    let payloadFiles = 0;
    let hashed = 0;
    for (const e of entries) {
      const path = e.fileName.slice(prefix.length);
      if (!path.startsWith('data/') || e.fileName.endsWith('/')) continue;
      payloadFiles++;
      payloadBytes += e.uncompressedSize;
      const want = expected.get(path);
      if (want === undefined) {
        extra.push(path);
        continue;
      }
      try {
        const got = await hashEntry(zip, e);
        hashed++;
        checkCrc(e, got.crc);
        if (got.hex !== want) mismatched.push(path);
      } catch (err) {
        unreadable.push(`${path} (${errorText(err)})`);
      }
    }
    const missing = manifest.lines.filter((l) => !files.has(l.path) && !fetched.has(l.path)).map((l) => l.path);
    checks.push({
      name: 'payload hashes match',
      ok: mismatched.length === 0 && unreadable.length === 0,
      detail:
        mismatched.length > 0
          ? `SHA-256 differs for ${listSome(mismatched)}`
          : unreadable.length > 0
            ? `unreadable: ${listSome(unreadable)}`
            : `${hashed} files hashed`,
    });
    checks.push({
      name: 'no payload file missing',
      ok: missing.length === 0,
      detail:
        missing.length === 0 ? 'every manifest entry is in the zip or in fetch.txt' : `missing: ${listSome(missing)}`,
    });
    checks.push({
      name: 'no extra payload file',
      ok: extra.length === 0,
      detail:
        extra.length === 0 ? 'every file under data/ is in the manifest' : `not in the manifest: ${listSome(extra)}`,
    });

    // Payload-Oxum: embedded files plus the sizes fetch.txt declares.
    const bagInfoText = (await readTag('bag-info.txt'))?.toString('utf8');
    const oxum = parseBagInfo(bagInfoText ?? '').get('Payload-Oxum')?.[0];
    const fetchSum = fetch.lines.reduce((s, l) => s + Math.max(0, l.size), 0);
    const actualOxum = `${payloadBytes + fetchSum}.${payloadFiles + fetch.lines.length}`;
    checks.push({
      name: 'Payload-Oxum matches',
      ok: oxum === actualOxum,
      detail: oxum === undefined ? 'bag-info.txt has no Payload-Oxum' : `declared ${oxum}, found ${actualOxum}`,
    });

    // Tag manifest: every listed tag file hashes right, and every tag file is listed.
    const tagManifestBytes = await readTag('tagmanifest-sha256.txt', MAX_MANIFEST_BYTES);
    const tagManifest = parseManifest(tagManifestBytes?.toString('utf8') ?? '');
    const tagProblems: string[] = [];
    if (tagManifestBytes === undefined) tagProblems.push('tagmanifest-sha256.txt missing');
    if (tagManifest.malformed.length > 0)
      tagProblems.push(`malformed lines ${listSome(tagManifest.malformed.map(String))}`);
    for (const line of tagManifest.lines) {
      const entry = files.get(line.path);
      if (!entry || line.path.startsWith('data/')) {
        tagProblems.push(`${line.path} listed but not a tag file in the zip`);
        continue;
      }
      try {
        const got = await hashEntry(zip, entry);
        checkCrc(entry, got.crc);
        if (got.hex !== line.sha256) tagProblems.push(`SHA-256 differs for ${line.path}`);
      } catch (err) {
        tagProblems.push(`${line.path} unreadable (${errorText(err)})`);
      }
    }
    const listed = new Set(tagManifest.lines.map((l) => l.path));
    const uncovered = [...files.keys()].filter(
      (p) =>
        !p.startsWith('data/') &&
        p !== 'tagmanifest-sha256.txt' &&
        p !== 'tagmanifest-sha256.txt.sig' &&
        !listed.has(p),
    );
    if (uncovered.length > 0) tagProblems.push(`tag files not in the tag manifest: ${listSome(uncovered)}`);
    checks.push({
      name: 'tag manifest hashes match',
      ok: tagProblems.length === 0,
      detail: tagProblems.length === 0 ? `${tagManifest.lines.length} tag files hashed` : listSome(tagProblems),
    });

    // Signature over the tag manifest with the embedded key.
    const pem = (await readTag('signer-public-key.pem'))?.toString('utf8');
    const sig = await readTag('tagmanifest-sha256.txt.sig');
    let signatureOk = false;
    let signatureDetail = '';
    let fingerprint: string | undefined;
    if (pem === undefined || sig === undefined || tagManifestBytes === undefined) {
      signatureDetail = 'signer-public-key.pem, tagmanifest-sha256.txt or its .sig missing';
    } else {
      try {
        fingerprint = publicKeyFingerprint(pem);
        signatureOk = verifySignature('sha256', tagManifestBytes, pem, sig);
        signatureDetail = signatureOk
          ? 'tagmanifest-sha256.txt.sig verifies with signer-public-key.pem'
          : 'tagmanifest-sha256.txt.sig does NOT verify: the manifests were changed after signing';
      } catch (err) {
        signatureDetail = `cannot check the signature: ${errorText(err)}`;
      }
    }
    checks.push({ name: 'signature valid', ok: signatureOk, detail: signatureDetail });
    if (unreadableTags.length > 0) {
      checks.push({ name: 'tag files readable', ok: false, detail: `corrupt: ${listSome(unreadableTags)}` });
    }
    checks.push({
      name: 'CRC-32 of every entry read matches',
      ok: crcMismatches.size === 0,
      detail:
        crcMismatches.size === 0
          ? 'as unzip -t checks it'
          : `the data of ${listSome([...crcMismatches])} does not have the CRC-32 the zip states: unzip would report an error`,
    });

    if (opts.expectedFingerprint !== undefined) {
      const want = normalizeFingerprint(opts.expectedFingerprint);
      checks.push({
        name: 'signer key fingerprint',
        ok: fingerprint === want,
        detail:
          fingerprint === want
            ? `matches ${want}`
            : `embedded key ${fingerprint ?? '(none)'} is not the expected ${want}`,
      });
    } else {
      checks.push({
        name: 'signer key fingerprint',
        ok: true,
        warning: true,
        detail:
          `key is self-asserted (${fingerprint ?? 'no key'}): compare it with the fingerprint the provider published, ` +
          'or pass --fingerprint; by hand: openssl pkey -pubin -in signer-public-key.pem -outform DER | sha256sum',
      });
    }

    checks.push(...(await sidecarChecks(zipPath, signatureOk ? pem : undefined)));
    return result({ bagName, ...(fingerprint ? { signerFingerprint: fingerprint } : {}) });
  } catch (err) {
    // A verifier answers with a verdict: whatever else a corrupt archive breaks is one more failed check.
    checks.push({ name: 'zip entries readable', ok: false, detail: errorText(err) });
    return result();
  } finally {
    zip.close();
  }
}
