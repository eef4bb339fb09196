/** The audit log on the real local cloud: dynalite for the conditional writes, s3rver for the copy. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuditStore } from '#adapters/aws/dynamo-audit-store.ts';
import { FileSigner } from '#adapters/local/file-signer.ts';
import { localDynamoClient } from '#adapters/local/local-clients.ts';
import { appendEntry } from '#core/audit/append.ts';
import { sealDigest } from '#core/audit/digest.ts';
import { exportAudit } from '#core/audit/export.ts';
import type { AuditDeps } from '#core/audit/ports.ts';
import { verifyAuditDir, verifyLive } from '#core/audit/verify.ts';
import { type CloudFixture, startTestCloud, uniqueTenant } from '../../support/local-cloud.ts';
import { T0, tempDir } from './support.ts';

let fixture: CloudFixture;
let deps: AuditDeps;

beforeAll(async () => {
  fixture = await startTestCloud();
  deps = {
    store: new DynamoAuditStore({
      tableName: fixture.cloud.tableName,
      client: localDynamoClient(fixture.cloud.endpoints),
    }),
    blobs: fixture.adapters.blobs,
    signer: new FileSigner(await tempDir('key')),
    // Real backoff would only slow the test; the jitter still spreads retries across attempts.
    retry: { delay: async () => {}, random: Math.random },
  };
});
afterAll(() => fixture.stop());

const append = (tenantId: string, i: number) =>
  appendEntry(deps, tenantId, { type: 'verification', record: { i }, summary: { i }, time: T0 + i });

describe('DynamoAuditStore', () => {
  it('serialises 20 concurrent appends into seq 1..20 with one valid chain, no fork', async () => {
    const tenant = uniqueTenant('concurrent');

    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => append(tenant, i)));
    const verification = await verifyLive(deps, tenant, await deps.signer!.publicKeyPem());

    expect(results.map((r) => r.entry.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(results.some((r) => r.conflicts > 0)).toBe(true);
    expect(verification).toMatchObject({ ok: true, entries: 20, headSeq: 20, unsealed: 20 });
  });

  it('refuses a second entry or digest with a seq already taken', async () => {
    const tenant = uniqueTenant('claim');
    const first = await deps.store.putEntry(tenant, { seq: 1, entryHash: 'a'.repeat(64), body: '{}' });
    const again = await deps.store.putEntry(tenant, { seq: 1, entryHash: 'b'.repeat(64), body: '{"x":1}' });
    const digest = { digestSeq: 1, firstSeq: 1, lastSeq: 1, body: '{}', signature: '', digestSha256: 'c'.repeat(64) };

    expect([first, again]).toEqual([true, false]);
    expect(await deps.store.putDigest(tenant, digest)).toBe(true);
    expect(await deps.store.putDigest(tenant, { ...digest, body: '{"y":2}' })).toBe(false);
    expect((await deps.store.headEntry(tenant))?.entryHash).toBe('a'.repeat(64));
  });

  it('lists more entries than one page, in seq order', async () => {
    const tenant = uniqueTenant('pages');
    // Items written directly (the chain is not the point here), 40 at a time to keep the test quick.
    for (let start = 1; start <= 520; start += 40) {
      const seqs = Array.from({ length: Math.min(40, 521 - start) }, (_, i) => start + i);
      await Promise.all(seqs.map((seq) => deps.store.putEntry(tenant, { seq, entryHash: 'a'.repeat(64), body: '{}' })));
    }
    const seqs: number[] = [];
    for await (const e of deps.store.listEntries(tenant, 5, 515)) seqs.push(e.seq);

    expect(seqs).toEqual(Array.from({ length: 511 }, (_, i) => i + 5));
  });

  it('seals concurrently without forking the digest chain, and the S3 export verifies offline', async () => {
    const tenant = uniqueTenant('export');
    await Promise.all(Array.from({ length: 12 }, (_, i) => append(tenant, i)));

    const seals = await Promise.all([1, 2, 3].map(() => sealDigest(deps, tenant, T0, { force: true })));
    for (let i = 12; i < 15; i++) await append(tenant, i);
    const out = await tempDir('dynamo-export');
    const exported = await exportAudit(deps, tenant, out, T0);
    const result = await verifyAuditDir(out, await readFile(join(out, 'public-key.pem'), 'utf8'));

    expect(seals.filter((s) => s.sealed)).toHaveLength(1);
    // The export seals the three entries appended after the race in a second digest.
    expect(exported).toMatchObject({ entries: 15, digests: 2, filledFromStore: 0 });
    expect(result).toMatchObject({ ok: true, entries: 15, digests: 2, unsealed: 0, headSeq: 15 });
  });
});
