/**
 * Gather, evidence part: the period's restore-test records and the audit-log segment that holds
 * them, laid out as `reversa audit export` writes it so the successor can verify the history offline.
 */
import { sealDigest } from '../../audit/digest.ts';
import { auditReadme } from '../../audit/export.ts';
import { auditKeys, seqOfFileName } from '../../audit/keys.ts';
import { durationMs, loadTenantStrategy } from '../../dossier/assemble-inputs.ts';
import type { RestoreTestSummary } from '../../restore/ports.ts';
import type { DossierDeps } from '../dossier-deps.ts';
import { forEachLimit, stage } from './run-io.ts';
import type { ExportContext, ExportPlan, GatherOutput } from './shapes.ts';

/** Stages one evidence file at restore-evidence/<path>. */
type Put = (path: string, body: string | Uint8Array) => Promise<void>;

/** The period's test index and each test's full evidence record (names made safe for a zip path). */
async function stageRestoreTests(
  deps: DossierDeps,
  put: Put,
  index: { tenantId: string; from: string; to: string; tests: RestoreTestSummary[] },
): Promise<void> {
  await put('restore-tests.json', `${JSON.stringify(index, null, 2)}\n`);
  await forEachLimit(index.tests, async (t) => {
    const text = await deps.blobs.getText(t.evidenceKey, 16 * 1024 * 1024);
    await put(`tests/${t.testId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`, text);
  });
}

/**
 * The audit-log segment, as `reversa audit export` writes it, so the successor can verify the history.
 * Sealed first: every entry up to now is covered by a signed digest, not just hash-chained.
 */
async function stageAuditSegment(deps: DossierDeps, tenantId: string, put: Put): Promise<void> {
  const audit = deps.audit;
  await sealDigest(audit, tenantId, deps.clock.now(), { force: true });
  const entriesPrefix = auditKeys.entriesPrefix(tenantId);
  const entryKeys = (await audit.blobs.list(entriesPrefix))
    .map((key) => ({ key, seq: seqOfFileName(key.slice(entriesPrefix.length)) }))
    .filter((k): k is { key: string; seq: number } => k.seq !== undefined);
  const copied = new Set(entryKeys.map((k) => k.seq));
  await forEachLimit(entryKeys, async ({ key, seq }) => {
    await put(`audit-log/entries/${auditKeys.pad(seq)}.json`, await audit.blobs.getText(key, 4 * 1024 * 1024));
  });
  // Entries the store holds but the blob listing missed (not yet mirrored) come from the store itself.
  const head = await audit.store.headEntry(tenantId);
  if (head !== undefined && copied.size < head.seq) {
    for await (const entry of audit.store.listEntries(tenantId, 1, head.seq)) {
      if (!copied.has(entry.seq)) await put(`audit-log/entries/${auditKeys.pad(entry.seq)}.json`, entry.body);
    }
  }
  const digestsPrefix = auditKeys.digestsPrefix(tenantId);
  await forEachLimit(await audit.blobs.list(digestsPrefix), async (key) => {
    const name = key.slice(digestsPrefix.length);
    if (name.endsWith('.json')) await put(`audit-log/digests/${name}`, await audit.blobs.getText(key, 4 * 1024 * 1024));
    else if (name.endsWith('.json.sig.b64')) {
      const der = Buffer.from((await audit.blobs.getText(key, 64 * 1024)).trim(), 'base64');
      await put(`audit-log/digests/${name.slice(0, -'.b64'.length)}`, der);
    }
  });
  const pem = (await audit.blobs.exists(auditKeys.publicKey(tenantId)))
    ? await audit.blobs.getText(auditKeys.publicKey(tenantId))
    : await audit.signer?.publicKeyPem();
  if (pem !== undefined) await put('audit-log/public-key.pem', pem);
  await put('audit-log/README.txt', auditReadme(tenantId));
}

export async function gatherEvidence(deps: DossierDeps, ctx: ExportContext, plan: ExportPlan): Promise<GatherOutput> {
  const { settings } = await loadTenantStrategy(deps.strategies, ctx.tenantId);
  const to = plan.requestedAt;
  const from = new Date(Date.parse(to) - durationMs(settings.retrievalPeriod)).toISOString();
  const tests = await deps.restoreTests.list(ctx.tenantId, { from, to });
  // The audit log alone is not restore evidence: without a test in the period the item stays missing.
  if (tests.length === 0) return { part: 'evidence', files: 0, bytes: 0 };
  let files = 0;
  let bytes = 0;
  const put: Put = async (path, body) => {
    bytes += await stage(deps, ctx, `restore-evidence/${path}`, body);
    files++;
  };
  await stageRestoreTests(deps, put, { tenantId: ctx.tenantId, from, to, tests });
  await stageAuditSegment(deps, ctx.tenantId, put);
  return { part: 'evidence', files, bytes };
}
