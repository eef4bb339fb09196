/**
 * Audit-log verification benchmark: a 250,000-entry chain with a signed digest every 100 entries
 * (the default sealing size), built in memory, then verified by verifyAuditEntries as from an
 * export (entry bytes → parse, hash, chain and digest checks; every digest's ECDSA signature).
 * Target: ≥ 200k entries/s. Named baseline, same bytes, same run: a bare SHA-256 of each entry,
 * the floor any verifier must pay — the ratio shows what parsing and checking cost on top.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { canonicalJson } from '#core/audit/canonical.ts';
import { nextEntry, storedEntry } from '#core/audit/entry.ts';
import { sha256Hex, ZERO_HASH } from '#core/audit/hash.ts';
import { keyFingerprint } from '#core/audit/keyinfo.ts';
import type { AuditDigest, StoredAuditEntry } from '#core/audit/types.ts';
import { type DigestInput, verifyAuditEntries } from '#core/audit/verify.ts';
import type { BenchResult } from './types.ts';

const ENTRIES = 250_000;
const PER_DIGEST = 100;
const TARGET_PER_SECOND = 200_000;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

function buildLog() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const fingerprint = keyFingerprint(publicKey);
  const entries: Buffer[] = [];
  const digests: DigestInput[] = [];
  let head: StoredAuditEntry | undefined;
  let hashes: string[] = [];
  let previous: { sha: string; sig: string } = { sha: ZERO_HASH, sig: '' };
  for (let i = 1; i <= ENTRIES; i++) {
    const entry = nextEntry(head, 'bench-tenant', {
      time: new Date(T0 + i * 60_000).toISOString(),
      type: i % 4 === 0 ? 'restore-test' : 'verification',
      recordSha256: sha256Hex(String(i)),
      summary: { runId: `run-${i}`, outcome: 'PASSED', resources: 40, findings: i % 7 },
    });
    head = storedEntry(entry);
    entries.push(Buffer.from(head.body, 'utf8'));
    hashes.push(head.entryHash);
    if (i % PER_DIGEST === 0) {
      const digest: AuditDigest = {
        tenantId: 'bench-tenant',
        digestSeq: i / PER_DIGEST,
        firstSeq: i - PER_DIGEST + 1,
        lastSeq: i,
        entryHashes: hashes,
        previousDigestSha256: previous.sha,
        previousDigestSignature: previous.sig,
        createdAt: entry.time,
        signingKeyFingerprint: fingerprint,
      };
      const body = Buffer.from(canonicalJson(digest), 'utf8');
      const signature = sign('sha256', body, privateKey);
      digests.push({ body, signature });
      previous = { sha: sha256Hex(body), sig: signature.toString('base64') };
      hashes = [];
    }
  }
  return { entries, digests, publicKey };
}

export async function benchAudit(): Promise<BenchResult> {
  const { entries, digests, publicKey } = buildLog();
  const bytes = entries.reduce((n, e) => n + e.length, 0);

  let t = performance.now();
  let sink = 0;
  for (const e of entries) sink ^= sha256Hex(e).charCodeAt(0);
  const baselineSeconds = (performance.now() - t) / 1000;

  t = performance.now();
  const result = await verifyAuditEntries(entries, digests, publicKey);
  const verifySeconds = (performance.now() - t) / 1000;

  const perSecond = ENTRIES / verifySeconds;
  const baselinePerSecond = ENTRIES / baselineSeconds;
  const ok = result.ok && result.entries === ENTRIES && perSecond >= TARGET_PER_SECOND;
  return {
    name: 'audit-log verification',
    ok,
    lines: [
      `${ENTRIES.toLocaleString('en')} entries (${(bytes / ENTRIES).toFixed(0)} B avg), ${digests.length} signed digests, result ok=${result.ok} (sink ${sink & 1})`,
      `verifyAuditEntries: ${Math.round(perSecond).toLocaleString('en')} entries/s (${verifySeconds.toFixed(3)} s), target ≥ ${TARGET_PER_SECOND.toLocaleString('en')}/s`,
      `baseline, bare sha256 of the same bytes: ${Math.round(baselinePerSecond).toLocaleString('en')} entries/s (${baselineSeconds.toFixed(3)} s)`,
      `ratio verify / baseline: ${(perSecond / baselinePerSecond).toFixed(2)}×`,
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchAudit();
  console.log(`== ${result.name} ${result.ok ? '(target met)' : '(TARGET MISSED)'}`);
  for (const line of result.lines) console.log(`   ${line}`);
  process.exitCode = result.ok ? 0 : 1;
}
