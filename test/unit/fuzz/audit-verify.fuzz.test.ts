/**
 * Fuzzing verifyAuditEntries with random entries and digests around a real signed log: an auditor's
 * verification must always end in a verdict with problems listed — never a throw — whatever the
 * export or the store hands it. (test/unit/audit/tamper.test.ts covers targeted tampering.)
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditVerification } from '#core/audit/types.ts';
import { type DigestInput, type EntryInput, verifyAuditEntries } from '#core/audit/verify.ts';
import { buildLog, memoryDeps } from '../audit/support.ts';
import { byteMutation, mutateBytes, RUN_TIMEOUT_MS } from './support.ts';

let entries: Buffer[] = [];
let digests: DigestInput[] = [];
let publicKey = '';

beforeAll(async () => {
  const deps = await memoryDeps();
  await buildLog(deps, 'acme', 12, 5);
  entries = (deps.store.entries.get('acme') ?? []).map((e) => Buffer.from(e.body, 'utf8'));
  digests = (deps.store.digests.get('acme') ?? []).map((d) => ({
    body: Buffer.from(d.body, 'utf8'),
    signature: Buffer.from(d.signature, 'base64'),
  }));
  publicKey = await deps.signer!.publicKeyPem();
});

function expectFailedVerdict(v: AuditVerification): void {
  expect(v.ok).toBe(false);
  expect(v.problems.length).toBeGreaterThan(0);
  expect(v.problems.every((p) => typeof p === 'string' && p.length > 0)).toBe(true);
}

/** An entry as the verifier may receive it: text, bytes, an object, or a named file's bytes. */
const randomEntry: fc.Arbitrary<EntryInput> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.string({ maxLength: 120 }),
  fc.uint8Array({ maxLength: 120 }),
  // Objects handed in as entries are canonicalised: numbers jq would print differently are not canonical.
  fc.jsonValue({ maxDepth: 3 }).map((v) => v as unknown as EntryInput),
  fc
    .dictionary(
      fc.constantFrom('tenantId', 'seq', 'time', 'type', 'prevHash', 'summary', 'recordSha256'),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .map((v) => v as unknown as EntryInput),
  fc.record({ bytes: fc.uint8Array({ maxLength: 80 }), name: fc.string({ maxLength: 20 }) }),
);

const randomDigest: fc.Arbitrary<DigestInput> = fc.record({
  body: fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.uint8Array({ maxLength: 200 }),
    fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
  ),
  signature: fc.uint8Array({ maxLength: 80 }),
});

describe('verifyAuditEntries under fuzzing', { timeout: 20_000 }, () => {
  it('passes the real log (so the failures below are the inputs’ doing)', async () => {
    const v = await verifyAuditEntries(entries, digests, publicKey);

    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
  });

  it('answers ok:false with problems, never a throw, for random entries against real digests', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(randomEntry, { minLength: 1, maxLength: 15 }), async (random) => {
        expectFailedVerdict(await verifyAuditEntries(random, digests, publicKey));
      }),
      { numRuns: 300, timeout: RUN_TIMEOUT_MS },
    );
  });

  it('answers ok:false with problems, never a throw, for random entries with no digest at all', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(randomEntry, { minLength: 1, maxLength: 10 }), async (random) => {
        expectFailedVerdict(await verifyAuditEntries(random, [], publicKey));
      }),
      { numRuns: 300, timeout: RUN_TIMEOUT_MS },
    );
  });

  it('answers ok:false with problems for random entries spliced into the real log', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), randomEntry, fc.boolean(), async (at, entry, replace) => {
        const spliced: EntryInput[] = [...entries];
        spliced.splice(at % spliced.length, replace ? 1 : 0, entry);

        expectFailedVerdict(await verifyAuditEntries(spliced, digests, publicKey));
      }),
      { numRuns: 200, timeout: RUN_TIMEOUT_MS },
    );
  });

  it('answers ok:false with problems for random or byte-corrupted digests', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.array(randomDigest, { minLength: 1, maxLength: 4 }),
          fc
            .tuple(fc.nat(), fc.array(byteMutation, { minLength: 1, maxLength: 3 }), fc.boolean())
            .map(([which, mutations, sig]) =>
              digests.map((d, i) => {
                if (i !== which % digests.length) return d;
                return sig
                  ? { ...d, signature: mutateBytes(d.signature, mutations) }
                  : { ...d, body: mutateBytes(d.body as Uint8Array, mutations) };
              }),
            ),
        ),
        async (ds) => {
          const changed =
            ds.length !== digests.length ||
            ds.some(
              (d, i) =>
                Buffer.compare(Buffer.from(d.body), Buffer.from(digests[i]!.body)) !== 0 ||
                Buffer.compare(Buffer.from(d.signature), Buffer.from(digests[i]!.signature)) !== 0,
            );
          fc.pre(changed);

          expectFailedVerdict(await verifyAuditEntries(entries, ds, publicKey));
        },
      ),
      { numRuns: 200, timeout: RUN_TIMEOUT_MS },
    );
  });
});
