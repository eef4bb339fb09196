/**
 * The tail of an exported log cannot be forged. Before the export carried its sealed head, deleting
 * the newest digest (and rewriting or appending entries after the previous one) left a shorter log
 * that still verified. Each attack below is what an insider with write access to the export (but
 * not the signing key) can do with a text editor; each must now fail, naming what is wrong.
 */
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { appendEntry } from '#core/audit/append.ts';
import { canonicalJson } from '#core/audit/canonical.ts';
import { exportAudit } from '#core/audit/export.ts';
import { sha256Hex } from '#core/audit/hash.ts';
import { EXPORT_MANIFEST, parseExpectedHead } from '#core/audit/sealed-head.ts';
import type { AuditEntry } from '#core/audit/types.ts';
import { verifyAuditDir, verifyLive } from '#core/audit/verify.ts';
import { buildLog, memoryDeps, T0, tempDir } from './support.ts';

// 12 entries sealed every 5 (digests 1 and 2), the export seals 11..12 as digest 3.
let pristine: string;
let olderExport: string;
let pem: string;

beforeAll(async () => {
  const deps = await memoryDeps();
  await buildLog(deps, 'acme', 10, 5);
  olderExport = await tempDir('older');
  await exportAudit(deps, 'acme', olderExport, T0 + 10 * 60_000);
  for (let i = 11; i <= 12; i++) {
    await appendEntry(deps, 'acme', {
      type: 'verification',
      record: { run: i },
      summary: { run: `run-${i}`, compliancePercent: 0 },
      time: T0 + i * 60_000,
    });
  }
  pristine = await tempDir('pristine');
  await exportAudit(deps, 'acme', pristine, T0 + 13 * 60_000);
  pem = await deps.signer!.publicKeyPem();
});

async function copyOfExport(): Promise<string> {
  const dir = await tempDir('forged');
  await cp(pristine, dir, { recursive: true });
  return dir;
}

const entryFile = (dir: string, seq: number) => join(dir, 'entries', `${String(seq).padStart(12, '0')}.json`);
const digestFile = (dir: string, n: number) => join(dir, 'digests', `${String(n).padStart(12, '0')}.json`);

async function readEntry(dir: string, seq: number): Promise<AuditEntry> {
  return JSON.parse(await readFile(entryFile(dir, seq), 'utf8')) as AuditEntry;
}

/** Writes entries from `fromSeq` on, re-chaining each prevHash: a consistent rewrite, as an attacker would do. */
async function rewriteChained(dir: string, fromSeq: number, edit: (e: AuditEntry) => AuditEntry, toSeq: number) {
  let prevHash = sha256Hex(await readFile(entryFile(dir, fromSeq - 1)));
  for (let seq = fromSeq; seq <= toSeq; seq++) {
    const entry = { ...edit(await readEntry(dir, seq)), prevHash };
    const body = canonicalJson(entry);
    await writeFile(entryFile(dir, seq), body);
    prevHash = sha256Hex(body);
  }
}

async function dropNewestDigest(dir: string): Promise<void> {
  await rm(digestFile(dir, 3));
  await rm(`${digestFile(dir, 3)}.sig`);
}

describe('an exported audit log whose tail is forged', () => {
  it('verifies untouched: every entry signed, ending at the head its signed manifest names', async () => {
    const result = await verifyAuditDir(pristine, pem);

    expect(result).toMatchObject({ ok: true, entries: 12, digests: 3, unsealed: 0, headSeq: 12 });
    expect(result.sealedHead).toMatchObject({ seq: 12, digestSeq: 3, entryHash: result.headHash });
  });

  it('fails when only the newest digest is deleted', async () => {
    const dir = await copyOfExport();
    await dropNewestDigest(dir);

    const result = await verifyAuditDir(dir, pem);

    expect(result.ok).toBe(false);
    expect(result.firstBad?.seq).toBe(11);
    expect(result.problems.join('\n')).toMatch(/not sealed: entries 11\.\.12/);
    expect(result.problems.join('\n')).toMatch(/digest 3 named by the sealed head .* is missing/);
  });

  it('fails when the newest digest is deleted and the entries after the previous one are rewritten (0 % → 100 %)', async () => {
    const dir = await copyOfExport();
    await dropNewestDigest(dir);
    await rewriteChained(dir, 11, (e) => ({ ...e, summary: { ...e.summary, compliancePercent: 100 } }), 12);

    const result = await verifyAuditDir(dir, pem);

    expect(result.ok).toBe(false);
    expect(result.firstBad?.seq).toBe(11);
    expect(result.problems.join('\n')).toMatch(/sealed head .* is not covered by a valid digest/);
  });

  it('fails when a correctly chained entry is appended', async () => {
    const dir = await copyOfExport();
    const last = await readFile(entryFile(dir, 12));
    const extra: AuditEntry = { ...(await readEntry(dir, 12)), seq: 13, prevHash: sha256Hex(last) };
    await writeFile(entryFile(dir, 13), canonicalJson(extra));

    const result = await verifyAuditDir(dir, pem);

    expect(result.ok).toBe(false);
    expect(result.firstBad?.seq).toBe(13);
    expect(result.problems.join('\n')).toMatch(/signed export manifest seals it at entry 12/);
  });

  it('fails when the manifest is deleted, or edited to name an earlier head', async () => {
    const deleted = await copyOfExport();
    await rm(join(deleted, EXPORT_MANIFEST));
    const edited = await copyOfExport();
    const manifestPath = join(edited, EXPORT_MANIFEST);
    await writeFile(manifestPath, (await readFile(manifestPath, 'utf8')).replace('"seq":12', '"seq":10'));

    const withoutManifest = await verifyAuditDir(deleted, pem);
    const withEditedManifest = await verifyAuditDir(edited, pem);

    expect(withoutManifest.ok).toBe(false);
    expect(withoutManifest.problems[0]).toMatch(/export-manifest\.json: missing/);
    expect(withEditedManifest.ok).toBe(false);
    expect(withEditedManifest.problems[0]).toMatch(/export-manifest\.json: its signature does not verify/);
  });

  it('passes off a shorter log only as the older export it is, which the head from a later report exposes', async () => {
    // Truncate to the older export's state and put its genuine manifest in: a consistent older copy.
    const dir = await copyOfExport();
    await dropNewestDigest(dir);
    for (const seq of [11, 12]) await rm(entryFile(dir, seq));
    for (const name of [EXPORT_MANIFEST, `${EXPORT_MANIFEST}.sig`]) await cp(join(olderExport, name), join(dir, name));
    const current = await verifyAuditDir(pristine, pem);
    const headFromReport = parseExpectedHead(`${current.headSeq}:${current.headHash}`);

    const alone = await verifyAuditDir(dir, pem);
    const againstReport = await verifyAuditDir(dir, pem, { expectedHeads: [headFromReport] });

    expect(alone).toMatchObject({ ok: true, headSeq: 10 });
    expect(againstReport.ok).toBe(false);
    expect(againstReport.problems.join('\n')).toMatch(
      /entry 12.* is not covered by a valid digest here: the log is sealed only to entry 10/,
    );
  });
});

describe('the live log', () => {
  it('reports its unsigned tail as a count, and refuses it when a sealed log is required', async () => {
    const deps = await memoryDeps();
    await buildLog(deps, 'acme', 7, 5);
    const key = await deps.signer!.publicKeyPem();

    const live = await verifyLive(deps, 'acme', key);
    const sealed = await verifyLive(deps, 'acme', key, { requireSealed: true });

    expect(live).toMatchObject({ ok: true, unsealed: 2, sealedHead: { seq: 5, digestSeq: 1 } });
    expect(sealed.ok).toBe(false);
    expect(sealed.firstBad?.seq).toBe(6);
  });
});

describe('--sealed-head', () => {
  it('takes <seq> or <seq>:<sha256> and refuses anything else, naming the flag', () => {
    expect(parseExpectedHead('42')).toEqual({ seq: 42 });
    expect(parseExpectedHead(`7:${'ab'.repeat(32)}`)).toEqual({ seq: 7, entryHash: 'ab'.repeat(32) });
    expect(() => parseExpectedHead('head')).toThrow(/--sealed-head.*expected <seq> or <seq>:<sha256/);
  });
});
