import { execFileSync, spawnSync } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendEntry, recordSha256 } from '#core/audit/append.ts';
import { canonicalJson } from '#core/audit/canonical.ts';
import { sealDigest } from '#core/audit/digest.ts';
import { exportAudit } from '#core/audit/export.ts';
import { sha256Hex, ZERO_HASH } from '#core/audit/hash.ts';
import { auditKeys } from '#core/audit/keys.ts';
import type { AuditDigest } from '#core/audit/types.ts';
import { verifyAuditDir, verifyLive } from '#core/audit/verify.ts';
import { buildLog, memoryDeps, T0, tempDir } from './support.ts';

describe('appendEntry', () => {
  it('chains each entry to the SHA-256 of the previous entry’s canonical bytes', async () => {
    const deps = await memoryDeps();
    const first = await appendEntry(deps, 'acme', {
      type: 'strategy-change',
      record: { version: 1 },
      summary: { version: 1 },
      time: T0,
    });
    const second = await appendEntry(deps, 'acme', {
      type: 'verification',
      record: { runId: 'r1' },
      summary: { runId: 'r1' },
      time: T0 + 1000,
    });

    expect(first.entry).toMatchObject({ seq: 1, prevHash: ZERO_HASH, time: '2026-09-01T08:00:00.000Z' });
    expect(first.entry.recordSha256).toBe(recordSha256({ version: 1 }));
    expect(second.entry.seq).toBe(2);
    expect(second.entry.prevHash).toBe(sha256Hex(canonicalJson(first.entry)));
    expect(await deps.blobs.getText(auditKeys.entry('acme', 2))).toBe(canonicalJson(second.entry));
  });

  it('retries on a lost conditional write, waiting a jittered backoff through the injected delay', async () => {
    const deps = await memoryDeps();
    const waits: number[] = [];
    const store = deps.store;
    let lost = 0;
    // A store where another writer takes the seq we read, twice, just before our conditional put.
    const racing: typeof store = Object.assign(Object.create(store) as typeof store, {
      putEntry: async (tenantId: string, entry: Parameters<typeof store.putEntry>[1]) => {
        if (lost < 2) {
          lost++;
          await appendEntry({ ...deps, store }, tenantId, {
            type: 'verification',
            record: { lost },
            summary: {},
            time: T0,
          });
        }
        return store.putEntry(tenantId, entry);
      },
    });
    const result = await appendEntry(
      { ...deps, store: racing, retry: { delay: async (ms) => void waits.push(ms), random: () => 0.5 } },
      't1',
      {
        type: 'restore-test',
        record: {},
        summary: {},
        time: T0,
      },
    );

    expect(result.conflicts).toBe(2);
    expect(result.entry.seq).toBe(3);
    expect(waits).toEqual([5, 10]);
  });

  it('refuses a summary over the size limit before writing anything', async () => {
    const deps = await memoryDeps();
    await expect(
      appendEntry(deps, 'acme', { type: 'verification', record: {}, summary: { text: 'x'.repeat(5000) }, time: T0 }),
    ).rejects.toThrow(/at most 4096/);
    expect(await deps.store.headEntry('acme')).toBeUndefined();
  });
});

describe('sealDigest', () => {
  it('waits for 100 entries or an hour unless forced', async () => {
    const deps = await memoryDeps();
    await buildLog(deps, 'acme', 3, 1000);

    expect(await sealDigest(deps, 'acme', T0 + 10 * 60_000)).toMatchObject({
      sealed: false,
      reason: 'not-due',
      unsealed: 3,
    });
    const byAge = await sealDigest(deps, 'acme', T0 + 61 * 60_000);
    expect(byAge).toMatchObject({ sealed: true, digest: { digestSeq: 1, firstSeq: 1, lastSeq: 3 } });
    expect(await sealDigest(deps, 'acme', T0 + 200 * 60_000)).toMatchObject({
      sealed: false,
      reason: 'nothing-unsealed',
    });
    await buildLog({ ...deps }, 'other', 100, 1000);
    expect(await sealDigest(deps, 'other', T0 + 101 * 60_000)).toMatchObject({
      sealed: true,
      digest: { lastSeq: 100 },
    });
  });

  it('lists the entries’ hashes and chains the previous digest’s hash and signature', async () => {
    const deps = await memoryDeps();
    await buildLog(deps, 'acme', 6, 3);
    const [d1, d2] = [...(deps.store.digests.get('acme') ?? [])];
    const digest2 = JSON.parse(d2!.body) as AuditDigest;
    const entries = deps.store.entries.get('acme') ?? [];

    expect(digest2).toMatchObject({ digestSeq: 2, firstSeq: 4, lastSeq: 6, previousDigestSha256: sha256Hex(d1!.body) });
    expect(digest2.previousDigestSignature).toBe(d1!.signature);
    expect(digest2.entryHashes).toEqual(entries.slice(3).map((e) => sha256Hex(e.body)));
  });

  it('copies a sealed entry that a crashed append never wrote to the BlobStore', async () => {
    const deps = await memoryDeps();
    await buildLog(deps, 'acme', 4, 1000);
    await deps.blobs.delete(auditKeys.entry('acme', 2));

    await sealDigest(deps, 'acme', T0, { force: true });

    expect(await deps.blobs.exists(auditKeys.entry('acme', 2))).toBe(true);
  });
});

describe('exportAudit and verifyAuditDir', () => {
  it('seals the tail, then exports a log that verifies offline, with digests openssl accepts and entry hashes jq reproduces', async () => {
    const deps = await memoryDeps();
    await buildLog(deps, 'acme', 25, 10);
    const out = await tempDir('export');

    const exported = await exportAudit(deps, 'acme', out, T0);
    const pem = await readFile(join(out, 'public-key.pem'), 'utf8');
    const result = await verifyAuditDir(out, pem);

    // 25 entries sealed every 10: two digests, and the export seals the last five in a third.
    expect(exported).toMatchObject({ entries: 25, digests: 3, filledFromStore: 0 });
    expect(result).toMatchObject({ ok: true, entries: 25, digests: 3, headSeq: 25, unsealed: 0, problems: [] });
    expect(result.headHash).toBe(sha256Hex(await readFile(join(out, 'entries', '000000000025.json'))));
    expect((await readdir(join(out, 'digests'))).sort()).toEqual([
      '000000000001.json',
      '000000000001.json.sig',
      '000000000002.json',
      '000000000002.json.sig',
      '000000000003.json',
      '000000000003.json.sig',
    ]);
    for (const n of ['000000000001', '000000000002', '000000000003']) {
      const verified = execFileSync(
        'openssl',
        ['dgst', '-sha256', '-verify', 'public-key.pem', '-signature', `digests/${n}.json.sig`, `digests/${n}.json`],
        { cwd: out, encoding: 'utf8' },
      );
      expect(verified.trim()).toBe('Verified OK');
    }
    const viaJq = execFileSync('sh', ['-c', 'jq -cjS . entries/000000000007.json | sha256sum'], {
      cwd: out,
      encoding: 'utf8',
    });
    const digest1 = JSON.parse(await readFile(join(out, 'digests', '000000000001.json'), 'utf8')) as AuditDigest;
    expect(viaJq.split(' ')[0]).toBe(digest1.entryHashes[6]);
    expect(await readFile(join(out, 'README.txt'), 'utf8')).toContain('openssl dgst -sha256 -verify public-key.pem');
  });

  it('openssl rejects a digest altered after signing', async () => {
    const deps = await memoryDeps();
    await buildLog(deps, 'acme', 3, 3);
    const out = await tempDir('export');
    await exportAudit(deps, 'acme', out, T0);
    const file = join(out, 'digests', '000000000001.json');
    await writeFile(file, (await readFile(file, 'utf8')).replace('"lastSeq":3', '"lastSeq":2'));

    const run = spawnSync(
      'openssl',
      ['dgst', '-sha256', '-verify', 'public-key.pem', '-signature', `${file}.sig`, file],
      {
        cwd: out,
        encoding: 'utf8',
      },
    );

    expect(run.status).not.toBe(0);
    expect(run.stdout).toContain('Verification failure');
  });

  it('fills entries missing from the BlobStore copy from the store', async () => {
    const deps = await memoryDeps();
    // Sealed already: the export's own seal has nothing to copy, so the gap is the export's to fill.
    await buildLog(deps, 'acme', 5, 5);
    await deps.blobs.delete(auditKeys.entry('acme', 3));
    const out = await tempDir('export');

    const exported = await exportAudit(deps, 'acme', out, T0);

    expect(exported).toMatchObject({ entries: 5, filledFromStore: 1 });
    expect((await verifyAuditDir(out, await deps.signer!.publicKeyPem())).ok).toBe(true);
  });

  it('creates the local signing key once, readable only by its owner', async () => {
    const deps = await memoryDeps();
    await buildLog(deps, 'acme', 1, 1);
    const signer = deps.signer as import('#adapters/local/file-signer.ts').FileSigner;

    expect((await stat(signer.keyPath)).mode & 0o777).toBe(0o600);
  });

  it('verifies the live store with the public key alone', async () => {
    const deps = await memoryDeps();
    await buildLog(deps, 'acme', 12, 5);

    const result = await verifyLive(deps, 'acme', await deps.signer!.publicKeyPem());

    expect(result).toMatchObject({ ok: true, entries: 12, digests: 2, unsealed: 2 });
  });
});
