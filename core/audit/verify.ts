/**
 * Offline verification of an audit log with only the public key. One pass over the entries in
 * order, with the digests pulled alongside (digests are ordered and contiguous, so the one
 * covering the current entry is always the next one): memory stays flat however long the log.
 *
 * What is checked: seq continuity from 1; each prevHash against the previous entry's hash; each
 * digest's signature, its place in the digest chain (previous digest's hash and signature), and
 * that it lists exactly the hashes of the entries it covers; that no sealed entry is missing
 * (which catches a truncated tail up to the last digest). Entries after the last valid digest
 * are only chained, not signed: they are counted as `unsealed`.
 *
 * Naming the first bad entry: inside the sealed range the signed hash list decides. In the
 * unsealed tail a broken link between k-1 and k means either k-1 changed (its hash moved) or
 * k's prevHash changed (then k's own hash moved too, so the link k→k+1 breaks as well): one
 * entry of lookahead tells them apart; for the very last entry it cannot, and k is named.
 */
import { type KeyObject, verify as verifySignature } from 'node:crypto';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ValidationError } from '../errors.ts';
import { canonicalJson } from './canonical.ts';
import { parseEntry } from './entry.ts';
import { sha256Hex, ZERO_HASH } from './hash.ts';
import { keyFingerprint, publicKeyFromPem } from './keyinfo.ts';
import { auditKeys, seqOfFileName } from './keys.ts';
import type { AuditDeps } from './ports.ts';
import {
  EXPORT_MANIFEST,
  type ExpectedHead,
  type ExportManifest,
  parseExportManifest,
  type SealedHead,
} from './sealed-head.ts';
import type { AuditDigest, AuditEntry, AuditVerification } from './types.ts';

/** An entry as found: its exact bytes (text is UTF-8 encoded), or an entry object (canonicalised). */
export type EntryInput = string | Uint8Array | AuditEntry | { bytes: string | Uint8Array; name: string };
export interface DigestInput {
  /** The digest file's exact bytes. */
  body: string | Uint8Array;
  /** Its detached DER signature (empty when the .sig file is missing). */
  signature: Uint8Array;
  name?: string;
}
export type Source<T> = Iterable<T> | AsyncIterable<T>;

export interface VerifyOptions {
  /** The tenant the log must belong to; default: the tenant named by the first digest or entry. */
  tenantId?: string;
  /**
   * Every entry must be covered by a signed digest (an export is sealed to its last entry): an
   * unsigned tail is then a problem, not a count. Default false (the live log has an unsigned tail
   * between seals, reported as a warning).
   */
  requireSealed?: boolean;
  /**
   * Sealed heads recorded elsewhere (the export manifest, a report, the dossier): each entry must be
   * present, covered by a valid digest and hash as recorded; each digest must be present as recorded.
   */
  expectedHeads?: readonly ExpectedHead[];
}

const MAX_PROBLEMS = 50;
const decoder = new TextDecoder('utf-8', { fatal: true });

interface TrustedDigest {
  digestSeq: number;
  firstSeq: number;
  lastSeq: number;
  entryHashes: string[];
  /** Hex SHA-256 of the digest file. */
  sha256: string;
}

function toText(bytes: string | Uint8Array): string | undefined {
  if (typeof bytes === 'string') return bytes;
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The bytes of an entry, or why it has none: an entry object that is not canonical JSON (a number jq
 * prints differently, a lone surrogate) is a bad entry to report, not a reason to abort the verification.
 */
function entryBytes(input: EntryInput): { raw: string | Uint8Array; name?: string; unusable?: string } {
  if (typeof input === 'string' || input instanceof Uint8Array) return { raw: input };
  if (typeof input === 'object' && input !== null && 'bytes' in input) {
    const { bytes, name } = input;
    if (typeof bytes === 'string' || bytes instanceof Uint8Array) {
      return typeof name === 'string' ? { raw: bytes, name } : { raw: bytes };
    }
  }
  try {
    return { raw: canonicalJson(input) };
  } catch (error) {
    return { raw: '', unusable: `not canonical JSON (${error instanceof Error ? error.message : 'not a JSON value'})` };
  }
}

function parseDigest(text: string): AuditDigest | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const d = value as Record<string, unknown>;
  const int = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
  if (typeof d.tenantId !== 'string') return 'tenantId is not a string';
  if (!int(d.digestSeq) || !int(d.firstSeq) || !int(d.lastSeq))
    return 'digestSeq/firstSeq/lastSeq are not positive integers';
  // Length only: each hash is compared with a computed hex hash, which rejects any other content.
  if (!Array.isArray(d.entryHashes) || !d.entryHashes.every((h) => typeof h === 'string' && h.length === 64)) {
    return 'entryHashes is not a list of SHA-256';
  }
  if (typeof d.previousDigestSha256 !== 'string' || typeof d.previousDigestSignature !== 'string') {
    return 'previous digest fields are missing';
  }
  if (typeof d.signingKeyFingerprint !== 'string' || typeof d.createdAt !== 'string') return 'fields are missing';
  return d as unknown as AuditDigest;
}

class Findings {
  readonly problems: string[] = [];
  private hidden = 0;
  firstBad: { seq: number; reason: string } | undefined;
  firstBadDigest: { digestSeq: number; reason: string } | undefined;

  problem(text: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(text);
    else this.hidden++;
  }
  bad(seq: number, reason: string): void {
    this.problem(`entry ${seq}: ${reason}`);
    if (!this.firstBad || seq < this.firstBad.seq) this.firstBad = { seq, reason };
  }
  finish(): string[] {
    if (this.hidden > 0) this.problems.push(`… and ${this.hidden} more problem(s)`);
    return this.problems;
  }
}

/** Pulls and checks digests in order; stops trusting at the first bad one. */
class DigestCursor {
  private readonly iterator: AsyncIterator<DigestInput> | Iterator<DigestInput>;
  private previous: { body: Uint8Array; signature: Uint8Array; lastSeq: number } | undefined;
  private broken = false;
  private exhausted = false;
  current: TrustedDigest | undefined;
  read = 0;
  /** lastSeq of the last digest that checked out (0 before any). */
  trustedLastSeq = 0;
  trustedDigestSeq = 0;
  /** The newest digest that checked out, as a sealed head. */
  sealedHead: Omit<SealedHead, 'tenantId'> | undefined;
  /** SHA-256 of the trusted digests a caller watches (sealed heads to compare with), by digestSeq. */
  readonly watchedDigests = new Map<number, string | undefined>();

  constructor(
    source: Source<DigestInput>,
    private readonly key: KeyObject,
    private readonly fingerprint: string,
    private readonly tenant: { id: string | undefined },
    private readonly findings: Findings,
  ) {
    this.iterator =
      Symbol.asyncIterator in source
        ? (source as AsyncIterable<DigestInput>)[Symbol.asyncIterator]()
        : (source as Iterable<DigestInput>)[Symbol.iterator]();
  }

  /** Whether `cover(seq)` must pull more digests first. Checked per entry, so it stays synchronous. */
  needsPull(seq: number): boolean {
    return !this.broken && !this.exhausted && (this.current === undefined || seq > this.current.lastSeq);
  }

  async pullFor(seq: number): Promise<void> {
    while (this.needsPull(seq)) await this.pull();
  }

  /** The trusted digest covering seq, if any (after pullFor). */
  covering(seq: number): TrustedDigest | undefined {
    return this.current !== undefined && seq >= this.current.firstSeq && seq <= this.current.lastSeq
      ? this.current
      : undefined;
  }

  async drain(): Promise<void> {
    while (!this.exhausted) await this.pull();
  }

  private async pull(): Promise<void> {
    const next = await this.iterator.next();
    if (next.done) {
      this.exhausted = true;
      return;
    }
    this.read++;
    if (this.broken) return; // keep counting, but nothing after a bad digest is trusted
    const expectedSeq = this.trustedDigestSeq + 1;
    const reason = this.check(next.value, expectedSeq);
    if (typeof reason === 'string') {
      this.broken = true;
      const label = next.value.name ?? `digest ${expectedSeq}`;
      this.findings.problem(`digest ${expectedSeq} (${label}): ${reason}`);
      this.findings.firstBadDigest = { digestSeq: expectedSeq, reason };
      // Entries from here on are no longer vouched for: the first of them is where trust ends.
      this.findings.bad(this.trustedLastSeq + 1, `not covered by a valid digest: digest ${expectedSeq} ${reason}`);
      this.current = undefined;
      return;
    }
    this.current = reason;
    this.trustedLastSeq = reason.lastSeq;
    this.trustedDigestSeq = reason.digestSeq;
    this.sealedHead = {
      seq: reason.lastSeq,
      entryHash: reason.entryHashes[reason.entryHashes.length - 1] ?? '',
      digestSeq: reason.digestSeq,
      digestSha256: reason.sha256,
    };
    if (this.watchedDigests.has(reason.digestSeq)) this.watchedDigests.set(reason.digestSeq, reason.sha256);
  }

  private check(input: DigestInput, expectedSeq: number): TrustedDigest | string {
    const body = typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body;
    let signed = false;
    try {
      signed = input.signature.length > 0 && verifySignature('sha256', body, this.key, input.signature);
    } catch {
      signed = false;
    }
    if (!signed) return 'signature does not verify with the public key';
    const text = toText(body);
    if (text === undefined) return 'not UTF-8';
    const d = parseDigest(text);
    if (typeof d === 'string') return d;
    if (this.tenant.id === undefined) this.tenant.id = d.tenantId;
    if (d.tenantId !== this.tenant.id) return `belongs to tenant ${d.tenantId}, expected ${this.tenant.id}`;
    if (d.digestSeq !== expectedSeq)
      return `has digestSeq ${d.digestSeq}, expected ${expectedSeq} (missing or reordered digest)`;
    if (d.firstSeq !== this.trustedLastSeq + 1)
      return `starts at entry ${d.firstSeq}, expected ${this.trustedLastSeq + 1}`;
    if (d.lastSeq < d.firstSeq || d.entryHashes.length !== d.lastSeq - d.firstSeq + 1) {
      return 'entryHashes does not match firstSeq..lastSeq';
    }
    if (d.signingKeyFingerprint !== this.fingerprint) return 'was signed by another key (fingerprint differs)';
    const prevSha = this.previous ? sha256Hex(this.previous.body) : ZERO_HASH;
    const prevSig = this.previous ? Buffer.from(this.previous.signature).toString('base64') : '';
    if (d.previousDigestSha256 !== prevSha) return 'previousDigestSha256 does not match the previous digest';
    if (d.previousDigestSignature !== prevSig) return 'previousDigestSignature does not match the previous digest';
    this.previous = { body, signature: input.signature, lastSeq: d.lastSeq };
    return {
      digestSeq: d.digestSeq,
      firstSeq: d.firstSeq,
      lastSeq: d.lastSeq,
      entryHashes: d.entryHashes,
      sha256: sha256Hex(body),
    };
  }
}

/** The per-entry checks, one synchronous step per entry (the hot loop of the benchmark). */
class EntryChain {
  position = 0;
  headSeq = 0;
  headHash = '';
  /** Hashes of the entries a caller watches (sealed heads to compare with), by seq, once read. */
  readonly watched = new Map<number, string | undefined>();
  private prevHash = ZERO_HASH;
  private prevDirectlyBad = false;
  private prevVouched = false;
  // A broken link into `pending` whose blame needs the next entry (see the header comment).
  private pending: number | undefined;

  constructor(
    private readonly findings: Findings,
    private readonly tenant: { id: string | undefined },
  ) {}

  step(input: EntryInput, digest: TrustedDigest | undefined): void {
    const position = this.position;
    const findings = this.findings;
    // Bytes (the usual input) skip the normalising object; entries built from objects pay for it.
    let raw: string | Uint8Array;
    let name: string | undefined;
    let unusable: string | undefined;
    if (input instanceof Uint8Array || typeof input === 'string') raw = input;
    else ({ raw, name, unusable } = entryBytes(input));
    const hash = sha256Hex(raw);
    let directlyBad = false;
    if (name !== undefined && seqOfFileName(name) !== position) {
      directlyBad = true;
      findings.bad(
        position,
        `file ${name} is where ${auditKeys.pad(position)}.json should be (missing, extra or renamed entry)`,
      );
    }
    const text = toText(raw);
    const parsed = unusable ?? (text === undefined ? 'not UTF-8' : parseEntry(text));
    let linkBroken = true;
    if (typeof parsed === 'string') {
      directlyBad = true;
      findings.bad(position, parsed);
      this.headSeq = position;
    } else {
      if (parsed.seq !== position) {
        directlyBad = true;
        findings.bad(
          position,
          parsed.seq > position
            ? `missing (the entry found here is seq ${parsed.seq})`
            : `expected seq ${position}, found seq ${parsed.seq} (duplicate, inserted or reordered entry)`,
        );
      }
      if (this.tenant.id === undefined) this.tenant.id = parsed.tenantId;
      if (parsed.tenantId !== this.tenant.id) {
        directlyBad = true;
        findings.bad(position, `belongs to tenant ${parsed.tenantId}, expected ${this.tenant.id}`);
      }
      linkBroken = parsed.prevHash !== this.prevHash;
      this.headSeq = parsed.seq;
    }
    const vouched = digest !== undefined && digest.entryHashes[position - digest.firstSeq] === hash;
    if (digest !== undefined && !vouched) {
      directlyBad = true;
      findings.bad(position, `its hash differs from the one signed in digest ${digest.digestSeq}`);
    }
    if (this.pending !== undefined) {
      // The entry before was the far end of a broken link: if its own outgoing link also broke,
      // its prevHash (hence its hash) changed; otherwise the one before it changed.
      if (linkBroken) {
        findings.bad(
          this.pending,
          'its prevHash does not match the previous entry, and its hash is not what the next entry records',
        );
      } else {
        findings.bad(this.pending - 1, `entry ${this.pending} records a different hash for it (altered)`);
      }
      this.pending = undefined;
    }
    if (linkBroken && !directlyBad && !this.prevDirectlyBad) {
      if (this.prevVouched || position === 1) findings.bad(position, 'its prevHash does not match the previous entry');
      else this.pending = position;
    }
    if (this.watched.has(position)) this.watched.set(position, hash);
    this.prevHash = hash;
    this.prevDirectlyBad = directlyBad;
    this.prevVouched = vouched;
    this.headHash = hash;
  }

  finish(): void {
    if (this.pending !== undefined) this.findings.bad(this.pending, 'its prevHash does not match the previous entry');
    this.pending = undefined;
  }
}

export async function verifyAuditEntries(
  entries: Source<EntryInput>,
  digests: Source<DigestInput>,
  publicKey: string | KeyObject,
  options: VerifyOptions = {},
): Promise<AuditVerification> {
  const key = typeof publicKey === 'string' ? publicKeyFromPem(publicKey) : publicKey;
  const findings = new Findings();
  const tenant = { id: options.tenantId };
  const cursor = new DigestCursor(digests, key, keyFingerprint(key), tenant, findings);
  const chain = new EntryChain(findings, tenant);
  const expectedHeads = options.expectedHeads ?? [];
  for (const head of expectedHeads) {
    chain.watched.set(head.seq, undefined);
    if (head.digestSeq !== undefined) cursor.watchedDigests.set(head.digestSeq, undefined);
  }

  const visit = async (input: EntryInput) => {
    const position = ++chain.position;
    if (cursor.needsPull(position)) await cursor.pullFor(position);
    chain.step(input, cursor.covering(position));
  };
  if (Symbol.asyncIterator in entries) {
    for await (const input of entries as AsyncIterable<EntryInput>) await visit(input);
  } else {
    // Synchronous sources (in-memory logs) skip a microtask per entry: only digest pulls await.
    for (const input of entries as Iterable<EntryInput>) {
      const position = ++chain.position;
      if (cursor.needsPull(position)) await cursor.pullFor(position);
      chain.step(input, cursor.covering(position));
    }
  }
  chain.finish();
  const position = chain.position;

  await cursor.drain();
  if (position < cursor.trustedLastSeq) {
    findings.bad(
      position + 1,
      `missing: entries ${position + 1}..${cursor.trustedLastSeq} are sealed by digest ${cursor.trustedDigestSeq} but absent (truncated log)`,
    );
  }
  const unsealed = Math.max(0, position - cursor.trustedLastSeq);
  if (options.requireSealed && unsealed > 0) {
    findings.bad(
      cursor.trustedLastSeq + 1,
      `not sealed: entries ${cursor.trustedLastSeq + 1}..${position} are covered by no signed digest, but this copy of the log was sealed to its last entry (entries added or rewritten after sealing, or the newest digest removed)`,
    );
  }
  for (const head of expectedHeads) checkExpectedHead(head, chain, cursor, findings);
  const problems = findings.finish();
  const result: AuditVerification = {
    ok: problems.length === 0,
    entries: position,
    digests: cursor.read,
    headSeq: chain.headSeq,
    headHash: chain.headHash,
    problems,
    unsealed,
  };
  if (cursor.sealedHead) result.sealedHead = cursor.sealedHead;
  if (findings.firstBad) result.firstBad = findings.firstBad;
  if (findings.firstBadDigest) result.firstBadDigest = findings.firstBadDigest;
  return result;
}

/** The sealed head recorded elsewhere must be in this log, sealed, and identical. */
function checkExpectedHead(expected: ExpectedHead, chain: EntryChain, cursor: DigestCursor, findings: Findings): void {
  const where = `the sealed head recorded for this log (entry ${expected.seq}${expected.digestSeq === undefined ? '' : `, digest ${expected.digestSeq}`})`;
  if (cursor.trustedLastSeq < expected.seq) {
    findings.bad(
      Math.min(expected.seq, cursor.trustedLastSeq + 1),
      `${where} is not covered by a valid digest here: the log is sealed only to entry ${cursor.trustedLastSeq} (the newest digest or sealed entries were removed)`,
    );
  } else if (expected.entryHash !== undefined && chain.watched.get(expected.seq) !== expected.entryHash) {
    findings.bad(expected.seq, `its hash differs from ${where}`);
  }
  if (expected.digestSeq !== undefined) {
    if (cursor.trustedDigestSeq < expected.digestSeq) {
      findings.problem(`digest ${expected.digestSeq} named by ${where} is missing or does not verify`);
      findings.firstBadDigest ??= { digestSeq: expected.digestSeq, reason: 'missing (named by the sealed head)' };
    } else if (
      expected.digestSha256 !== undefined &&
      cursor.watchedDigests.get(expected.digestSeq) !== expected.digestSha256
    ) {
      findings.problem(`digest ${expected.digestSeq} differs from the one named by ${where}`);
      findings.firstBadDigest ??= { digestSeq: expected.digestSeq, reason: 'differs from the sealed head' };
    }
  }
}

/** An entry file is ~0.5 KB; a digest lists at most 10,000 hashes (~700 KB). Anything far bigger is not ours. */
export const MAX_ENTRY_FILE_BYTES = 64 * 1024;
export const MAX_DIGEST_FILE_BYTES = 4 * 1024 * 1024;
const READ_AHEAD = 16;

/** Reads a file of at most maxBytes; a bigger one yields a marker the verifier reports instead of the content. */
async function readLimited(path: string, maxBytes: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) return new TextEncoder().encode(`file is ${size} bytes, over the ${maxBytes}-byte limit`);
    const buffer = Buffer.alloc(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(buffer, offset, size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return buffer.subarray(0, offset);
  } finally {
    await handle.close();
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw error;
  }
}

/** Files read in name order with a small read-ahead window, so a 200k-entry directory never sits in memory. */
async function* readAhead<T>(names: readonly string[], read: (name: string) => Promise<T>): AsyncGenerator<T> {
  const window: Promise<T>[] = [];
  let next = 0;
  while (next < names.length || window.length > 0) {
    while (window.length < READ_AHEAD && next < names.length) window.push(read(names[next++] as string));
    yield await (window.shift() as Promise<T>);
  }
}

/**
 * Verifies an exported audit directory (entries/*.json, digests/*.json + .json.sig) offline.
 * Every regular file in entries/ takes part in name order, so an extra or renamed file is reported.
 */
export async function verifyAuditDir(
  dir: string,
  publicKeyPem: string,
  options: VerifyOptions = {},
): Promise<AuditVerification> {
  const key = publicKeyFromPem(publicKeyPem);
  const manifest = await readExportManifest(dir, key);
  const entriesDir = join(dir, 'entries');
  const digestsDir = join(dir, 'digests');
  const entryNames = await listDir(entriesDir);
  const digestFiles = new Set(await listDir(digestsDir));
  if (entryNames.length === 0 && digestFiles.size === 0) {
    throw new ValidationError('NotAnAuditExport', [
      { file: dir, path: '', message: 'expected entries/ and digests/ directories of an audit export' },
    ]);
  }
  const digestNames = [...digestFiles].filter((n) => n.endsWith('.json')).sort();
  const entries = readAhead(entryNames, async (name) => ({
    bytes: await readLimited(join(entriesDir, name), MAX_ENTRY_FILE_BYTES),
    name,
  }));
  const digests = readAhead(digestNames, async (name): Promise<DigestInput> => {
    const body = await readLimited(join(digestsDir, name), MAX_DIGEST_FILE_BYTES);
    const signature = digestFiles.has(`${name}.sig`)
      ? await readLimited(join(digestsDir, `${name}.sig`), 1024)
      : new Uint8Array(0);
    return { body, signature, name };
  });
  const result = await verifyAuditEntries(entries, digests, key, {
    ...options,
    ...(options.tenantId === undefined && typeof manifest !== 'string' ? { tenantId: manifest.tenantId } : {}),
    // An export is sealed to its last entry, and ends exactly at the head its signed manifest names.
    requireSealed: true,
    expectedHeads: [...(options.expectedHeads ?? []), ...(typeof manifest === 'string' ? [] : [manifest.head])],
  });
  if (typeof manifest === 'string') {
    result.problems.unshift(`${EXPORT_MANIFEST}: ${manifest}`);
    result.ok = false;
  } else if (result.headSeq !== manifest.head.seq) {
    result.problems.push(
      `the log ends at entry ${result.headSeq} but the signed export manifest seals it at entry ${manifest.head.seq}`,
    );
    result.ok = false;
    result.firstBad ??= {
      seq: Math.min(result.headSeq, manifest.head.seq) + 1,
      reason: 'beyond the sealed head of the export',
    };
  }
  return result;
}

/**
 * The export's signed manifest, or why it cannot be trusted. Without it an export cannot tell a
 * complete log from one whose newest digest (and the entries after the previous one) were removed.
 */
async function readExportManifest(dir: string, key: KeyObject): Promise<ExportManifest | string> {
  let body: Uint8Array;
  let signature: Uint8Array;
  try {
    body = await readLimited(join(dir, EXPORT_MANIFEST), 64 * 1024);
    signature = await readLimited(join(dir, `${EXPORT_MANIFEST}.sig`), 1024);
  } catch {
    return 'missing: an export carries a signed manifest naming its sealed head (re-export the log)';
  }
  let signed = false;
  try {
    signed = verifySignature('sha256', body, key, signature);
  } catch {
    signed = false;
  }
  if (!signed) return 'its signature does not verify with the public key';
  const text = toText(body);
  if (text === undefined) return 'not UTF-8';
  const parsed = parseExportManifest(text);
  if (typeof parsed !== 'string' && parsed.signingKeyFingerprint !== keyFingerprint(key)) {
    return 'was signed by another key (fingerprint differs)';
  }
  return parsed;
}

/** Verifies the log as the AuditStore holds it (entries and digests items), with only the public key. */
export async function verifyLive(
  deps: Pick<AuditDeps, 'store'>,
  tenantId: string,
  publicKeyPem: string,
  options: Pick<VerifyOptions, 'expectedHeads' | 'requireSealed'> = {},
): Promise<AuditVerification> {
  async function* entries(): AsyncGenerator<EntryInput> {
    for await (const e of deps.store.listEntries(tenantId, 1)) yield e.body;
  }
  async function* digests(): AsyncGenerator<DigestInput> {
    for await (const d of deps.store.listDigests(tenantId)) {
      yield { body: d.body, signature: Buffer.from(d.signature, 'base64'), name: `digest ${d.digestSeq}` };
    }
  }
  return verifyAuditEntries(entries(), digests(), publicKeyPem, { ...options, tenantId });
}
