/**
 * Fuzzing verifyDossierZip with mutated real bags (written by writeBag with a test signer): the
 * successor runs it on whatever arrived, so it must always answer with checks — never throw, never
 * hang — and must never call a dossier whose payload or tag bytes changed valid, nor one whose local
 * headers say something else than its central directory.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { type DossierVerification, verifyDossierZip } from '#core/dossier/bag/verify.ts';
import { testSigner, writeSampleBag } from '../dossier/bag/support.ts';
import {
  byteMutation,
  localHeaderMutation,
  mutateBytes,
  mutateLocalHeader,
  RUN_TIMEOUT_MS,
  unchanged,
} from './support.ts';

let dir = '';
let original: Buffer;
/** Byte ranges [start, end) of each entry's stored data in the original zip: what the hashes cover. */
interface DataRange {
  name: string;
  start: number;
  end: number;
  method: number;
}
let dataRanges: DataRange[] = [];
let counter = 0;

async function entryDataRanges(zipPath: string, bytes: Buffer): Promise<DataRange[]> {
  const zip = await yauzl.openPromise(zipPath, { lazyEntries: true, autoClose: false });
  const ranges: DataRange[] = [];
  try {
    for await (const entry of zip.eachEntry()) {
      const header = entry.relativeOffsetOfLocalHeader;
      const start = header + 30 + bytes.readUInt16LE(header + 26) + bytes.readUInt16LE(header + 28);
      if (entry.compressedSize > 0) {
        ranges.push({
          name: entry.fileName,
          start,
          end: start + entry.compressedSize,
          method: entry.compressionMethod,
        });
      }
    }
  } finally {
    zip.close();
  }
  return ranges;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reversa-fuzz-bag-'));
  // No sidecar files: a .sha256 next to the zip would fail every mutation by itself and hide the checks under test.
  const written = await writeSampleBag(testSigner(), { dir, withSidecars: false });
  original = await readFile(written.zipPath);
  dataRanges = await entryDataRanges(written.zipPath, original);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes the bytes to a fresh file and verifies it; a throw fails the property with the input shown. */
async function verifyBytes(bytes: Buffer): Promise<DossierVerification> {
  const path = join(dir, `mutated-${counter++}.zip`);
  await writeFile(path, bytes);
  try {
    const verification = await verifyDossierZip(path);
    expect(verification.checks.length).toBeGreaterThan(0);
    expect(verification.ok).toBe(verification.checks.every((c) => c.ok));
    for (const c of verification.checks) expect(c.detail.length).toBeGreaterThan(0);
    return verification;
  } finally {
    await rm(path, { force: true });
  }
}

/** An entry's content decoded from (possibly mutated) archive bytes; undefined when it no longer inflates. */
function decoded(bytes: Buffer, r: DataRange): Buffer | undefined {
  const stored = bytes.subarray(r.start, r.end);
  if (r.method === 0) return stored;
  try {
    return inflateRawSync(stored);
  } catch {
    return undefined;
  }
}

function failing(v: DossierVerification): string[] {
  return v.checks.filter((c) => !c.ok).map((c) => c.name);
}

describe('verifyDossierZip under fuzzing', { timeout: 20_000 }, () => {
  it('passes the untouched bag (so a failure below is the mutation’s doing)', async () => {
    const verification = await verifyBytes(original);

    expect(failing(verification)).toEqual([]);
    expect(dataRanges.some((r) => r.name.includes('/data/'))).toBe(true);
  });

  it('always answers with checks, never a throw, for any truncation, flip, splice or junk', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(byteMutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        const bytes = mutateBytes(original, mutations);
        const verification = await verifyBytes(bytes);
        if (verification.ok) {
          // Accepted only when every stored file's bytes are still there: the change hit unhashed zip
          // metadata (or, for deflated files, encoding details that do not change the content).
          for (const r of dataRanges.filter((d) => d.method === 0)) {
            expect(bytes.includes(original.subarray(r.start, r.end))).toBe(true);
          }
        }
      }),
      { numRuns: 150, timeout: RUN_TIMEOUT_MS },
    );
  });

  it('never passes a bag whose payload or tag-file content changed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }), async (which, offset, xor) => {
        const range = dataRanges[which % dataRanges.length]!;
        const at = range.start + (offset % (range.end - range.start));
        const bytes = Buffer.from(original);
        bytes[at] = bytes[at]! ^ xor;

        const verification = await verifyBytes(bytes);

        // A flip in deflate framing (a stored block's padding bits) can leave the content as it was;
        // any change to the content itself must fail the bag.
        const content = decoded(bytes, range);
        if (content === undefined || !content.equals(decoded(original, range)!)) {
          expect(verification.ok).toBe(false);
          expect(failing(verification).length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 120, timeout: RUN_TIMEOUT_MS },
    );
  });

  it('never passes a bag whose local header or data descriptor disagrees with its central directory', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), localHeaderMutation, async (which, mutation) => {
        const bytes = mutateLocalHeader(original, which, mutation);

        const verification = await verifyBytes(bytes);

        // The central directory is untouched, so everything before the header comparison still passes.
        expect(verification.ok).toBe(false);
        expect(failing(verification)).toEqual(['local headers match central directory']);
      }),
      { numRuns: 150, timeout: RUN_TIMEOUT_MS },
    );
  });

  it('never passes a bag cut short', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), async (cut) => {
        const bytes = original.subarray(0, cut % original.length);

        const verification = await verifyBytes(bytes);

        expect(verification.ok).toBe(false);
        expect(failing(verification)).toContain('zip readable');
      }),
      { numRuns: 60, timeout: RUN_TIMEOUT_MS },
    );
  });

  it('answers with checks for junk appended to the archive', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 4096 }), async (junk) => {
        const bytes = Buffer.concat([original, junk]);
        expect(unchanged(original, bytes)).toBe(false);

        const verification = await verifyBytes(bytes);

        // The hashed content is intact, so passing is allowed; the answer must simply be a verdict, not a throw.
        expect(typeof verification.ok).toBe('boolean');
      }),
      { numRuns: 40, timeout: RUN_TIMEOUT_MS },
    );
  });
});
