/**
 * The plaintext layout of a set of secrets, used inside age ciphertext only (the escrow's
 * secrets.age and the local store's per-tenant files). A POSIX tar (pax for long names), because a
 * successor can read it with stock tools: `age -d … | tar -t` lists it, `tar -xO secrets/<name>`
 * prints one value.
 *
 *   index.json             { format, secrets: [{ name, version?, lastChangedAt?, tags?, path, bytes }] }  (no values)
 *   secrets/<encoded name> the value's bytes, exactly
 *
 * Values stay in Uint8Arrays from end to end (never JS strings, which cannot be wiped). Errors
 * name entries by index position, never by content.
 */
import tar from 'tar-stream';
import { ValidationError } from '../errors.ts';
import type { SecretRef } from './ports.ts';
import { SecretValue } from './secret-value.ts';

export const BUNDLE_FORMAT = 'reversa-secrets/1';
export const BUNDLE_INDEX = 'index.json';

/** Limits that keep a hostile or corrupt bundle from exhausting memory. */
export const BUNDLE_LIMITS = { maxSecrets: 10_000, maxSecretBytes: 1024 * 1024, maxIndexBytes: 8 * 1024 * 1024 };

export interface BundleEntry {
  ref: SecretRef;
  value: SecretValue;
}

interface IndexRecord {
  name: string;
  version?: string;
  lastChangedAt?: string;
  tags?: Record<string, string>;
  path: string;
  bytes: number;
}

/**
 * Tar member name for a secret: `secrets/` plus the name with everything outside
 * [A-Za-z0-9_+=@.-] percent-encoded (so `/` never makes directories) and a leading dot encoded
 * (so no `.`/`..`/hidden members). Injective because `%` itself is encoded.
 */
export function bundlePath(name: string): string {
  const encoded = Array.from(new TextEncoder().encode(name), (byte) => {
    const ch = String.fromCharCode(byte);
    return /[A-Za-z0-9_+=@.-]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
  return `secrets/${encoded.startsWith('.') ? `%2E${encoded.slice(1)}` : encoded}`;
}

function bundleProblem(path: string, message: string): ValidationError {
  return new ValidationError('SecretBundleInvalid', [{ file: 'secrets bundle', path, message }]);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Packs `entries` (sorted by name) into one tar Buffer. The caller owns the result and must
 * `fill(0)` it once encrypted. `mtime` is fixed so that the same secrets give the same bytes.
 */
export async function encodeSecretBundle(entries: readonly BundleEntry[], mtime: Date): Promise<Buffer> {
  const sorted = [...entries].sort((a, b) => (a.ref.name < b.ref.name ? -1 : a.ref.name > b.ref.name ? 1 : 0));
  const problems = sorted.flatMap((entry, i) =>
    i > 0 && sorted[i - 1]?.ref.name === entry.ref.name
      ? [{ file: 'secrets bundle', path: `secrets[${i}]`, message: 'duplicate secret name' }]
      : [],
  );
  if (problems.length > 0) throw new ValidationError('SecretBundleInvalid', problems);

  const index: IndexRecord[] = sorted.map(({ ref, value }) => ({
    name: ref.name,
    ...(ref.version === undefined ? {} : { version: ref.version }),
    ...(ref.lastChangedAt === undefined ? {} : { lastChangedAt: new Date(ref.lastChangedAt).toISOString() }),
    ...(ref.tags === undefined ? {} : { tags: ref.tags }),
    path: bundlePath(ref.name),
    bytes: value.byteLength,
  }));

  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  const header = { mode: 0o600, mtime, uid: 0, gid: 0, type: 'file' as const };
  pack.entry(
    { ...header, name: BUNDLE_INDEX },
    Buffer.from(`${JSON.stringify({ format: BUNDLE_FORMAT, secrets: index }, null, 2)}\n`),
  );
  for (const [i, { value }] of sorted.entries()) {
    value.use((bytes) => pack.entry({ ...header, name: index[i]!.path, size: bytes.byteLength }, asBuffer(bytes)));
  }
  pack.finalize();
  await collected;
  // The chunks include views of the secret values themselves: concatenating copies them into
  // the one buffer the caller wipes; the values are wiped by their owners.
  return Buffer.concat(chunks);
}

function parseIndex(raw: Uint8Array): IndexRecord[] {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    throw bundleProblem(BUNDLE_INDEX, 'is not valid UTF-8 JSON');
  }
  const d = doc as { format?: unknown; secrets?: unknown };
  if (typeof doc !== 'object' || doc === null || d.format !== BUNDLE_FORMAT || !Array.isArray(d.secrets)) {
    throw bundleProblem(BUNDLE_INDEX, `expected {"format": "${BUNDLE_FORMAT}", "secrets": [...]}`);
  }
  if (d.secrets.length > BUNDLE_LIMITS.maxSecrets) {
    throw bundleProblem('secrets', `more than ${BUNDLE_LIMITS.maxSecrets} secrets`);
  }
  return d.secrets.map((item: unknown, i: number): IndexRecord => {
    const r = item as Partial<Record<keyof IndexRecord, unknown>>;
    const ok =
      typeof item === 'object' &&
      item !== null &&
      typeof r.name === 'string' &&
      r.name.length > 0 &&
      typeof r.path === 'string' &&
      r.path === bundlePath(r.name) &&
      Number.isSafeInteger(r.bytes) &&
      (r.version === undefined || typeof r.version === 'string') &&
      (r.lastChangedAt === undefined ||
        (typeof r.lastChangedAt === 'string' && !Number.isNaN(Date.parse(r.lastChangedAt)))) &&
      (r.tags === undefined ||
        (typeof r.tags === 'object' && r.tags !== null && Object.values(r.tags).every((v) => typeof v === 'string')));
    if (!ok)
      throw bundleProblem(
        `secrets[${i}]`,
        'expected name, path (derived from the name), bytes, optional version, lastChangedAt, tags',
      );
    return r as IndexRecord;
  });
}

/**
 * Unpacks a bundle made by encodeSecretBundle. Every indexed secret must be present with its
 * indexed size and nothing else may be; values come back as SecretValues the caller must wipe.
 */
export async function decodeSecretBundle(plain: Uint8Array): Promise<BundleEntry[]> {
  const members = new Map<string, Uint8Array>();
  const extract = tar.extract();
  const wipeAll = () => {
    for (const bytes of members.values()) bytes.fill(0);
  };
  const read = (async () => {
    for await (const entry of extract) {
      const { name, size = 0, type } = entry.header;
      const limit = name === BUNDLE_INDEX ? BUNDLE_LIMITS.maxIndexBytes : BUNDLE_LIMITS.maxSecretBytes;
      if (type !== 'file' || size > limit || members.has(name) || members.size > BUNDLE_LIMITS.maxSecrets) {
        entry.resume();
        throw bundleProblem(`member ${members.size}`, 'unexpected tar member (type, size or duplicate)');
      }
      const bytes = new Uint8Array(size);
      let offset = 0;
      for await (const raw of entry) {
        const chunk = raw as Buffer;
        if (offset + chunk.byteLength > size)
          throw bundleProblem(`member ${members.size}`, 'tar member longer than its header says');
        bytes.set(chunk, offset);
        offset += chunk.byteLength;
      }
      members.set(name, bytes);
    }
  })();
  extract.end(asBuffer(plain));
  try {
    await read;
  } catch (error) {
    wipeAll();
    if (error instanceof ValidationError) throw error;
    throw bundleProblem('', 'is not a valid tar archive');
  }

  try {
    const indexBytes = members.get(BUNDLE_INDEX);
    if (indexBytes === undefined) throw bundleProblem(BUNDLE_INDEX, 'is missing');
    const index = parseIndex(indexBytes);
    if (members.size !== index.length + 1) throw bundleProblem('', 'has tar members that its index does not list');
    const entries: BundleEntry[] = [];
    try {
      for (const [i, record] of index.entries()) entries.push(toEntry(record, i));
    } catch (error) {
      for (const entry of entries) entry.value.wipe();
      throw error;
    }
    return entries;
  } finally {
    wipeAll();
  }

  function toEntry(record: IndexRecord, i: number): BundleEntry {
    const bytes = members.get(record.path);
    if (bytes === undefined || bytes.byteLength !== record.bytes) {
      throw bundleProblem(`secrets[${i}]`, 'value is missing or its size differs from the index');
    }
    members.delete(record.path);
    const ref: SecretRef = {
      name: record.name,
      ...(record.version === undefined ? {} : { version: record.version }),
      ...(record.lastChangedAt === undefined ? {} : { lastChangedAt: Date.parse(record.lastChangedAt) }),
      ...(record.tags === undefined ? {} : { tags: { ...record.tags } }),
    };
    return { ref, value: SecretValue.adopt(bytes) };
  }
}
