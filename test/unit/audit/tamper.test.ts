/**
 * Property-based tamper tests: whatever an attacker does to the exported log (change a byte,
 * delete, swap, insert an entry, truncate the tail, touch a digest), verification fails and names
 * the first entry that can no longer be trusted. The log: 46 entries, digests over 1..40 (four
 * digests of ten), 41..46 unsealed.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '#core/audit/canonical.ts';
import { exportAudit } from '#core/audit/export.ts';
import { sha256Hex } from '#core/audit/hash.ts';
import type { AuditEntry } from '#core/audit/types.ts';
import { type DigestInput, verifyAuditDir, verifyAuditEntries } from '#core/audit/verify.ts';
import { buildLog, memoryDeps, T0, tempDir } from './support.ts';

const TOTAL = 46;
const SEALED = 40;
const PER_DIGEST = 10;

let entries: Buffer[];
let digests: { body: Buffer; signature: Buffer }[];
let publicKey: string;

beforeAll(async () => {
  const deps = await memoryDeps();
  await buildLog(deps, 'acme', TOTAL, PER_DIGEST);
  entries = (deps.store.entries.get('acme') ?? []).map((e) => Buffer.from(e.body, 'utf8'));
  digests = (deps.store.digests.get('acme') ?? []).map((d) => ({
    body: Buffer.from(d.body, 'utf8'),
    signature: Buffer.from(d.signature, 'base64'),
  }));
  publicKey = await deps.signer!.publicKeyPem();
});

const verify = (es: Buffer[], ds: DigestInput[] = digests) => verifyAuditEntries(es, ds, publicKey);

function withByteChanged(bytes: Buffer, offset: number, delta: number): Buffer {
  const copy = Buffer.from(bytes);
  const at = offset % copy.length;
  copy[at] = ((copy[at] as number) + delta) % 256; // delta in 1..255: always a different byte
  return copy;
}

const byteChange = fc.record({ offset: fc.nat(), delta: fc.integer({ min: 1, max: 255 }) });

describe('tamper detection', () => {
  it('accepts the untouched log', async () => {
    expect(await verify(entries)).toMatchObject({ ok: true, entries: TOTAL, digests: 4, unsealed: 6, headSeq: TOTAL });
  });

  it('detects a changed byte in any entry and names it (sealed, or unsealed with a successor)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: TOTAL - 2 }), byteChange, async (seq, { offset, delta }) => {
        const tampered = entries.map((e, i) => (i === seq - 1 ? withByteChanged(e, offset, delta) : e));
        const result = await verify(tampered);
        expect(result.ok).toBe(false);
        expect(result.firstBad?.seq).toBe(seq);
      }),
      { numRuns: 300 },
    );
  });

  it('detects a changed byte in the last sealed entry and in the head’s prevHash', async () => {
    const lastSealed = await verify(entries.map((e, i) => (i === SEALED - 1 ? withByteChanged(e, 30, 1) : e)));
    const head = entries[TOTAL - 1] as Buffer;
    const at = head.indexOf('"prevHash":"') + 12;
    const headPrev = await verify([...entries.slice(0, -1), withByteChanged(head, at, 1)]);

    expect(lastSealed.firstBad?.seq).toBe(SEALED);
    expect(headPrev.firstBad?.seq).toBe(TOTAL);
  });

  it('detects a deleted entry and names it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: TOTAL - 1 }), async (seq) => {
        const result = await verify(entries.filter((_, i) => i !== seq - 1));
        expect(result.ok).toBe(false);
        expect(result.firstBad?.seq).toBe(seq);
      }),
      { numRuns: 100 },
    );
  });

  it('detects two swapped entries and names the earlier position', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: TOTAL }), fc.integer({ min: 1, max: TOTAL }), async (a, b) => {
        fc.pre(a !== b);
        const swapped = [...entries];
        [swapped[a - 1], swapped[b - 1]] = [entries[b - 1] as Buffer, entries[a - 1] as Buffer];
        const result = await verify(swapped);
        expect(result.ok).toBe(false);
        expect(result.firstBad?.seq).toBe(Math.min(a, b));
      }),
      { numRuns: 200 },
    );
  });

  it('detects an inserted entry, even one correctly chained to its predecessor, and names where it sits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: SEALED }), fc.string({ maxLength: 20 }), async (seq, note) => {
        const predecessor = seq === 1 ? undefined : (entries[seq - 2] as Buffer);
        const forged: AuditEntry = {
          ...(JSON.parse((entries[seq - 1] as Buffer).toString()) as AuditEntry),
          summary: { forged: note },
          prevHash: predecessor ? sha256Hex(predecessor) : '0'.repeat(64),
        };
        const result = await verify([
          ...entries.slice(0, seq - 1),
          Buffer.from(canonicalJson(forged)),
          ...entries.slice(seq - 1),
        ]);
        expect(result.ok).toBe(false);
        expect(result.firstBad?.seq).toBe(seq);
      }),
      { numRuns: 100 },
    );
  });

  it('detects an inserted entry in the unsealed tail (blaming it or the entry it displaced)', async () => {
    const seq = SEALED + 3;
    const forged = {
      ...(JSON.parse((entries[seq - 1] as Buffer).toString()) as AuditEntry),
      summary: { forged: true },
    };
    const result = await verify([
      ...entries.slice(0, seq - 1),
      Buffer.from(canonicalJson(forged)),
      ...entries.slice(seq - 1),
    ]);

    expect(result.ok).toBe(false);
    expect([seq, seq + 1]).toContain(result.firstBad?.seq);
  });

  it('detects a tail truncated into the sealed range and names the first missing entry', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: SEALED - 1 }), async (kept) => {
        const result = await verify(entries.slice(0, kept));
        expect(result.ok).toBe(false);
        expect(result.firstBad?.seq).toBe(kept + 1);
        expect(result.firstBad?.reason).toMatch(/truncated/);
      }),
      { numRuns: 40 },
    );
  });

  it('cannot see unsealed entries cut from the tail: it reports fewer unsealed entries instead', async () => {
    const result = await verify(entries.slice(0, SEALED + 2));

    expect(result).toMatchObject({ ok: true, unsealed: 2, headSeq: SEALED + 2 });
  });

  it('detects a changed byte in any digest or signature and names the first entry it vouched for', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        byteChange,
        async (digestSeq, inSignature, { offset, delta }) => {
          const tampered = digests.map((d, i) => {
            if (i !== digestSeq - 1) return d;
            return inSignature
              ? { body: d.body, signature: withByteChanged(d.signature, offset, delta) }
              : { body: withByteChanged(d.body, offset, delta), signature: d.signature };
          });
          const result = await verify(entries, tampered);
          expect(result.ok).toBe(false);
          expect(result.firstBadDigest?.digestSeq).toBe(digestSeq);
          expect(result.firstBad?.seq).toBe((digestSeq - 1) * PER_DIGEST + 1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('detects a deleted or reordered digest', async () => {
    const deleted = await verify(entries, [digests[0]!, digests[2]!, digests[3]!]);
    const reordered = await verify(entries, [digests[0]!, digests[2]!, digests[1]!, digests[3]!]);

    expect(deleted.firstBadDigest?.digestSeq).toBe(2);
    expect(reordered.firstBadDigest?.digestSeq).toBe(2);
    expect(deleted.firstBad?.seq).toBe(11);
  });

  it('rejects a log signed with another key', async () => {
    const other = await memoryDeps();
    const result = await verifyAuditEntries(entries, digests, await other.signer!.publicKeyPem());

    expect(result.ok).toBe(false);
    expect(result.firstBadDigest).toMatchObject({ digestSeq: 1, reason: expect.stringMatching(/signature/) });
  });
});

describe('tamper detection on an exported directory', () => {
  async function exported(): Promise<string> {
    const deps = await memoryDeps();
    await buildLog(deps, 'acme', 12, 5);
    const out = await tempDir('tamper');
    await exportAudit(deps, 'acme', out, T0);
    return out;
  }
  const pemOf = (dir: string) => readFile(join(dir, 'public-key.pem'), 'utf8');

  it('names an entry file whose bytes were edited', async () => {
    const dir = await exported();
    const file = join(dir, 'entries', '000000000004.json');
    await writeFile(file, (await readFile(file, 'utf8')).replace('verification', 'restore-test'));

    const result = await verifyAuditDir(dir, await pemOf(dir));
    expect(result.firstBad).toMatchObject({ seq: 4, reason: expect.stringMatching(/digest 1/) });
  });

  it('names a deleted entry file, and an extra file slipped between two entries', async () => {
    const dir = await exported();
    await rm(join(dir, 'entries', '000000000007.json'));
    const deleted = await verifyAuditDir(dir, await pemOf(dir));
    await writeFile(
      join(dir, 'entries', '000000000007.json'),
      await readFile(join(dir, 'entries', '000000000006.json')),
    );
    const duplicated = await verifyAuditDir(dir, await pemOf(dir));

    expect(deleted.firstBad?.seq).toBe(7);
    expect(duplicated.firstBad?.seq).toBe(7);
  });

  it('reports a missing signature file', async () => {
    const dir = await exported();
    await rm(join(dir, 'digests', '000000000002.json.sig'));

    const result = await verifyAuditDir(dir, await pemOf(dir));
    expect(result).toMatchObject({ ok: false, firstBadDigest: { digestSeq: 2 }, firstBad: { seq: 6 } });
  });
});
