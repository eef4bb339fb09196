/**
 * Fuzzing the restore manifest reader: the manifest is as untrusted as the archive it describes, so
 * any text either parses or fails with a ValidationError naming the manifest and the offending line —
 * and valid manifests (sha256sum lines, #size lines, JSON lines) always read back what was written.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#core/errors.ts';
import { safeRelativePath } from '#core/restore/archive-entry.ts';
import { MAX_MANIFEST_LINE_BYTES, type ManifestEntry, manifestLines, readManifest } from '#core/restore/manifest.ts';
import { asyncSource, chunking, chunksOf, RUN_TIMEOUT_MS } from './support.ts';

const FILE = 'runs/acme/r1/manifest.sha256';

async function read(text: string | Buffer, sizes: readonly number[] = [1 << 20]): Promise<Map<string, ManifestEntry>> {
  return readManifest(asyncSource(chunksOf(Buffer.from(text), sizes)), FILE);
}

/** Reads, or returns the ValidationError; anything else thrown fails the property. */
async function readOrProblems(
  text: string | Buffer,
  sizes?: readonly number[],
): Promise<Map<string, ManifestEntry> | ValidationError> {
  try {
    return await read(text, sizes);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    expect(error.code).toBe('InvalidManifest');
    expect(error.problems.length).toBeGreaterThan(0);
    for (const p of error.problems) {
      expect(p.file).toBe(FILE);
      expect(p.line).toBeGreaterThanOrEqual(1);
      expect(p.message.length).toBeGreaterThan(0);
    }
    return error;
  }
}

const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
const segment = fc.oneof(
  fc.constantFrom(
    'a',
    'b.txt',
    'name with spaces',
    'back\\slash',
    'new\nline',
    'cr\rhere',
    'é',
    '日本',
    '#hash',
    '{x}',
  ),
  fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !s.includes('/') && !s.includes('\u0000')),
);
/** Paths the restore can use: safe, and already in the normalised form readManifest returns. */
const safePath = fc
  .array(segment, { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join('/'))
  .filter((p) => safeRelativePath(p) === p);
const entry = fc.record({ sha256: hex64, size: fc.option(fc.nat({ max: 2 ** 40 }), { nil: undefined }) });
const manifestEntries = fc.uniqueArray(fc.tuple(safePath, entry), {
  minLength: 1,
  maxLength: 12,
  selector: ([p]) => p,
});

function renderLines(entries: [string, { sha256: string; size: number | undefined }][], json: boolean[]): string[] {
  return entries.map(([path, e], i) => {
    const manifestEntry: ManifestEntry =
      e.size === undefined ? { sha256: e.sha256 } : { sha256: e.sha256, size: e.size };
    return json[i % json.length]
      ? `${JSON.stringify({ path, ...manifestEntry })}\n`
      : manifestLines(path, manifestEntry);
  });
}

function lineCount(text: string): number {
  return text.split('\n').length;
}

describe('readManifest under fuzzing', () => {
  it('parses random text or names the manifest and a line within it', async () => {
    const alphabet = fc.constantFrom(
      '#size ',
      '  ',
      ' *',
      '\\',
      '\n',
      '\r\n',
      '{',
      '"path"',
      ':',
      '0',
      'f',
      'a/b',
      '../',
      '/',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.array(alphabet, { maxLength: 80 }).map((parts) => parts.join('')),
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
        ),
        chunking,
        async (text, sizes) => {
          const outcome = await readOrProblems(text, sizes);
          if (outcome instanceof ValidationError) {
            for (const p of outcome.problems) expect(p.line).toBeLessThanOrEqual(lineCount(text));
          }
        },
      ),
      { numRuns: 300, timeout: RUN_TIMEOUT_MS },
    );
  });

  it('reads back every entry written, in sha256sum or JSON lines, however the bytes are chunked', async () => {
    await fc.assert(
      fc.asyncProperty(
        manifestEntries,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
        chunking,
        async (entries, json, sizes) => {
          const text = renderLines(entries, json).join('');

          const parsed = await read(text, sizes);

          expect([...parsed.keys()]).toEqual(entries.map(([p]) => p));
          for (const [path, e] of entries) {
            expect(parsed.get(path)).toEqual(
              e.size === undefined ? { sha256: e.sha256 } : { sha256: e.sha256, size: e.size },
            );
          }
        },
      ),
      { numRuns: 200, timeout: RUN_TIMEOUT_MS },
    );
  });

  it('names the line of a duplicated path', async () => {
    await fc.assert(
      fc.asyncProperty(manifestEntries, fc.nat(), hex64, async (entries, pick, otherHash) => {
        const [path] = entries[pick % entries.length]!;
        const text = `${renderLines(entries, [false]).join('')}${manifestLines(path, { sha256: otherHash })}`;
        const duplicateLine = lineCount(text) - 1;

        const outcome = await readOrProblems(text);

        expect(outcome).toBeInstanceOf(ValidationError);
        const problems = (outcome as ValidationError).problems;
        expect(problems).toEqual([
          expect.objectContaining({ line: duplicateLine, message: expect.stringContaining('duplicate') }),
        ]);
      }),
      { numRuns: 100, timeout: RUN_TIMEOUT_MS },
    );
  });

  it('names the line of a hash with a non-hex digit or the wrong length', async () => {
    const damage = fc.oneof(
      fc.record({
        kind: fc.constant('replace' as const),
        at: fc.nat(63),
        with: fc.constantFrom('g', 'z', ' ', '-', 'é', 'G'),
      }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(63) }),
    );
    await fc.assert(
      fc.asyncProperty(manifestEntries, fc.nat(), fc.boolean(), damage, async (entries, pick, json, d) => {
        const lines = renderLines(entries, [json]);
        const target = pick % lines.length;
        const hash = entries[target]![1].sha256;
        const bad = d.kind === 'replace' ? hash.slice(0, d.at) + d.with + hash.slice(d.at + 1) : hash.slice(0, d.at);
        lines[target] = lines[target]!.replace(hash, bad);
        const text = lines.join('');
        // The hash line is the entry's last line (a #size line may come before it).
        const badLine = lineCount(lines.slice(0, target + 1).join(''));
        const outcome = await readOrProblems(text);

        expect(outcome).toBeInstanceOf(ValidationError);
        expect((outcome as ValidationError).problems.map((p) => p.line)).toContain(badLine - 1);
      }),
      { numRuns: 150, timeout: RUN_TIMEOUT_MS },
    );
  });

  it('refuses unsafe paths naming their line', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('../etc/passwd', '/etc/passwd', 'a/../../b', '..', './', 'a\u0000b'),
        fc.boolean(),
        async (path, json) => {
          const sha256 = createHash('sha256').update(path).digest('hex');
          const line = json ? `${JSON.stringify({ path, sha256 })}\n` : manifestLines(path, { sha256 });

          const outcome = await readOrProblems(`${manifestLines('ok.txt', { sha256 })}${line}`);

          expect(outcome).toBeInstanceOf(ValidationError);
          expect((outcome as ValidationError).problems.map((p) => p.line)).toEqual([2]);
        },
      ),
      { numRuns: 30, timeout: RUN_TIMEOUT_MS },
    );
  });

  it('refuses a line over the limit, naming it, whether or not its newline arrives in the same chunk', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(3),
        fc.integer({ min: 1, max: 4096 }),
        fc.constantFrom(1 << 20, 4096, 65_536, 700),
        fc.boolean(),
        async (before, extra, chunkSize, newline) => {
          const sha256 = 'ab'.repeat(32);
          const head = Array.from({ length: before }, (_, i) => manifestLines(`f${i}`, { sha256 })).join('');
          const longLine = `${sha256}  ${'p'.repeat(MAX_MANIFEST_LINE_BYTES + extra)}`;
          const text = `${head}${longLine}${newline ? '\nlast.txt' : ''}`;

          const outcome = await readOrProblems(text, [chunkSize]);

          expect(outcome).toBeInstanceOf(ValidationError);
          const problems = (outcome as ValidationError).problems;
          expect(problems).toEqual([
            expect.objectContaining({
              line: before + 1,
              message: expect.stringContaining(`longer than ${MAX_MANIFEST_LINE_BYTES}`),
            }),
          ]);
        },
      ),
      { numRuns: 40, timeout: RUN_TIMEOUT_MS },
    );
  });

  it('reads a line just under the limit delivered one byte at a time', async () => {
    const text = `${'ab'.repeat(32)}  ${'p'.repeat(MAX_MANIFEST_LINE_BYTES - 100)}\r\n`;

    const parsed = await read(text, [1]);

    expect([...parsed.keys()]).toEqual(['p'.repeat(MAX_MANIFEST_LINE_BYTES - 100)]);
  });
});
