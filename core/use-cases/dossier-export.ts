/**
 * The steps of the reversibility export (statemachines/reversibility-export.asl.json) as plain
 * functions over ports: each Lambda handler calls one, the local ASL runner calls the same ones.
 *
 *   Prepare → Gather (parallel parts) → Checklist → Assemble (zip streamed into a multipart upload)
 *   → Sign (sidecars) → Publish (immutable version row) → Audit (log entry) → Notify (event)
 *   any failure → Abort (upload aborted, unpublished objects and staging deleted) → Fail
 *
 * Payloads carry keys and small numbers, never data or secrets: generated documents and the escrow
 * CIPHERTEXT are staged under runs/<tenant>/<exportId>/staging/ at their payload path; provider
 * files are streamed from their own prefixes straight into the zip.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { sealDigest } from '../audit/digest.ts';
import { auditReadme } from '../audit/export.ts';
import { auditKeys, seqOfFileName } from '../audit/keys.ts';
import { assembleDossier } from '../dossier/assemble.ts';
import {
  currentInputs,
  durationMs,
  listSecretRefs,
  loadInventory,
  loadTenantStrategy,
} from '../dossier/assemble-inputs.ts';
import { exportKeys, payloadSources, presenceOf } from '../dossier/assemble-sources.ts';
import { sidecars } from '../dossier/bag/sidecars.ts';
import {
  evaluateChecklist,
  renderChecklistJson,
  renderChecklistMarkdown,
  requireComplete,
} from '../dossier/checklist.ts';
import { type TextSink, writeCatalogue } from '../dossier/contents/catalogue.ts';
import { renderContactsJson, renderContactsMarkdown } from '../dossier/contents/contacts.ts';
import { renderInventoryCsv, renderInventoryJson } from '../dossier/contents/inventory.ts';
import { PAYLOAD_PATHS } from '../dossier/contents/layout.ts';
import {
  renderProceduresIndex,
  renderRestoreProcedure,
  renderStrategyMarkdown,
  restorePoliciesFor,
  restoreProcedurePath,
  validateRunbooks,
} from '../dossier/contents/procedures.ts';
import { sealEscrow } from '../dossier/escrow/seal.ts';
import type { DossierVersion } from '../dossier/ports.ts';
import { diffSummary, type InputsFingerprint, manifestIndexOf, type SecretRef } from '../dossier/readiness.ts';
import { InternalError, NotFoundError, ValidationError } from '../errors.ts';
import { resolveResources } from '../strategy/resolve.ts';
import { TENANT_ID_PATTERN } from '../strategy/schema.ts';
import { recordInAuditLog } from './audit-trail.ts';
import type { DossierDeps } from './dossier-deps.ts';

/** The execution input (CLI `reversa dossier export`, a schedule, the API). Recipients are public keys. */
export interface ExportInput {
  tenantId: string;
  /** ISO-8601; the execution name is derived from its minute. Default: now. */
  requestedAt?: string;
  requestedBy?: string;
  /** Override the strategy's successor recipients (age1…). */
  recipients?: string[];
  breakGlass?: string;
  custodians?: { recipients: string[]; threshold: number };
  /** Override the strategy's embedData. */
  embedData?: boolean;
  /** bag-info Source-Organization: the provider. Default "Reversa". */
  sourceOrganization?: string;
}

export interface PrepareInput {
  input: ExportInput;
  /** `$$.Execution.Name`: the exportId. */
  executionName?: string;
}

/** What flows between the steps: keys and numbers only. */
export interface ExportContext {
  tenantId: string;
  exportId: string;
  version: number;
  planKey: string;
}

export const GATHER_PARTS = ['inventory', 'catalogue', 'evidence', 'escrow', 'contacts'] as const;
export type GatherPart = (typeof GATHER_PARTS)[number];

export interface GatherInput extends ExportContext {
  part: GatherPart;
}

export interface GatherOutput {
  part: GatherPart;
  files: number;
  bytes: number;
}

export interface AssembleOutput extends ExportContext {
  zipKey: string;
}

/** The detail of the 'Reversa Dossier Published' event, and the execution's output. */
export interface DossierPublishedDetail {
  tenantId: string;
  version: number;
  exportId: string;
  zipKey: string;
  zipSha256: string;
  zipBytes: number;
  signerFingerprint: string;
  recipientFingerprints: string[];
  changeSummary: string;
  createdAt: string;
  createdBy: string;
  auditSeq: number;
}

export interface AuditOutput extends ExportContext {
  detail: DossierPublishedDetail;
}

export interface AbortInput {
  tenantId: string;
  exportId: string;
}

export interface AbortOutput {
  tenantId: string;
  exportId: string;
  /** Objects deleted (staging and unpublished dossier objects). */
  deleted: number;
  /** True when the version had already been published: its objects were kept. */
  published: boolean;
}

/** What Prepare writes to runs/<tenant>/<exportId>/plan.json. */
export interface ExportPlan {
  planVersion: 1;
  tenantId: string;
  exportId: string;
  version: number;
  requestedAt: string;
  requestedBy: string;
  strategyVersion: number;
  recipients: string[];
  breakGlass?: string;
  custodians?: { recipients: string[]; threshold: number };
  embedData: boolean;
  sourceOrganization: string;
  fingerprint: InputsFingerprint;
}

interface EscrowMeta {
  recipientFingerprints: string[];
  secretRefs: SecretRef[];
}

interface AssembledRecord {
  zipKey: string;
  zipName: string;
  zipSha256: string;
  zipBytes: number;
  payloadOxum: string;
  signerFingerprint: string;
  manifestKey: string;
  embedded: number;
  fetched: number;
}

const MAX_PLAN_BYTES = 1024 * 1024;
const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;
const DAY = 86_400_000;
const EXPORT_ID = /^[A-Za-z0-9_-]{1,80}$/;
const COPY_CONCURRENCY = 8;

function badInput(path: string, message: string): ValidationError {
  return new ValidationError('InvalidExportInput', [{ file: '<export input>', path, message }]);
}

function checkContext(ctx: { tenantId: string; exportId: string }): void {
  if (typeof ctx.tenantId !== 'string' || !TENANT_ID_PATTERN.test(ctx.tenantId)) {
    throw badInput('tenantId', 'expected lowercase letters, digits and dashes (at most 63)');
  }
  if (typeof ctx.exportId !== 'string' || !EXPORT_ID.test(ctx.exportId)) {
    throw badInput('exportId', 'expected 1-80 letters, digits, "-" or "_"');
  }
}

/** `20260310T1205Z`: the minute slot of a request. */
function minuteSlot(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace(/[-:]/g, '').concat('Z');
}

/**
 * The execution name (and exportId): deterministic from tenant and the requested minute, so a
 * request delivered twice starts one execution. Step Functions names are at most 80 characters.
 */
export function exportExecutionName(tenantId: string, requestedAt: number): string {
  return `dossier-${tenantId}-${minuteSlot(requestedAt)}`.slice(0, 80);
}

async function readJson<T>(deps: DossierDeps, key: string): Promise<T> {
  return JSON.parse((await deps.objects.getBytes(key, MAX_PLAN_BYTES)).toString('utf8')) as T;
}

async function readPlan(deps: DossierDeps, ctx: { tenantId: string; exportId: string }): Promise<ExportPlan> {
  checkContext(ctx);
  return readJson<ExportPlan>(deps, exportKeys.plan(ctx.tenantId, ctx.exportId));
}

async function stage(deps: DossierDeps, ctx: ExportContext, path: string, body: string | Uint8Array): Promise<number> {
  const contentType = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream';
  await deps.objects.put(exportKeys.staged(ctx.tenantId, ctx.exportId, path), body, contentType);
  return typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
}

/** A TextSink over a streaming upload, honouring backpressure. */
function textSink(stream: Writable, counter: { bytes: number }): TextSink {
  return {
    async write(chunk: string) {
      counter.bytes += Buffer.byteLength(chunk);
      if (!stream.write(chunk)) await once(stream, 'drain');
    },
  };
}

async function forEachLimit<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(COPY_CONCURRENCY, items.length) }, worker));
}

/* --------------------------------------------------------------------------------- Prepare */

/** Loads the strategy, claims the next version number and writes the plan every other step reads. */
export async function prepareExport(deps: DossierDeps, event: PrepareInput): Promise<ExportContext> {
  const input = event.input;
  const now = deps.clock.now();
  const requestedAt = input.requestedAt === undefined ? now : Date.parse(input.requestedAt);
  if (!Number.isFinite(requestedAt)) throw badInput('requestedAt', 'expected an ISO-8601 time');
  const exportId = event.executionName ?? exportExecutionName(input.tenantId, requestedAt);
  checkContext({ tenantId: input.tenantId, exportId });
  const tenantId = input.tenantId;
  const planKey = exportKeys.plan(tenantId, exportId);

  // A retried Prepare reuses its plan (and its claim): the version number never moves mid-run.
  const existing = await deps.objects
    .getBytes(planKey, MAX_PLAN_BYTES)
    .then((b) => JSON.parse(b.toString('utf8')) as ExportPlan)
    .catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
  if (existing) return { tenantId, exportId, version: existing.version, planKey };

  const inputs = await currentInputs(deps, tenantId);
  const latest = await deps.dossiers.getLatest(tenantId);
  const version = (latest?.version ?? 0) + 1;
  const staleBefore = now - (deps.tuning?.staleReservationMs ?? DAY);
  if (!(await deps.dossiers.reserve(tenantId, version, exportId, now, staleBefore))) {
    throw new ValidationError('DossierExportInProgress', [
      {
        file: '<export input>',
        path: 'tenantId',
        message: `another export of ${tenantId} is building v${version}: wait for it to finish`,
      },
    ]);
  }
  const settings = inputs.strategy.settings;
  const plan: ExportPlan = {
    planVersion: 1,
    tenantId,
    exportId,
    version,
    requestedAt: new Date(requestedAt).toISOString(),
    requestedBy: input.requestedBy ?? 'unknown',
    strategyVersion: inputs.strategy.stored.version,
    recipients: input.recipients ?? settings.successorRecipients,
    embedData: input.embedData ?? settings.embedData,
    sourceOrganization: input.sourceOrganization ?? 'Reversa',
    fingerprint: inputs.fingerprint,
  };
  const breakGlass = input.breakGlass ?? settings.breakGlassRecipient;
  if (breakGlass !== undefined) plan.breakGlass = breakGlass;
  const custodians = input.custodians ?? settings.custodians;
  if (custodians !== undefined) plan.custodians = custodians;
  await deps.objects.put(planKey, JSON.stringify(plan), 'application/json');
  return { tenantId, exportId, version, planKey };
}

/* ---------------------------------------------------------------------------------- Gather */

async function gatherInventory(deps: DossierDeps, ctx: ExportContext): Promise<GatherOutput> {
  const { document } = await loadTenantStrategy(deps.strategies, ctx.tenantId);
  const inventory = await loadInventory(deps, ctx.tenantId, document);
  if (inventory === undefined) return { part: 'inventory', files: 0, bytes: 0 };
  const bytes =
    (await stage(deps, ctx, PAYLOAD_PATHS.inventoryJson, renderInventoryJson(inventory))) +
    (await stage(deps, ctx, PAYLOAD_PATHS.inventoryCsv, [...renderInventoryCsv(inventory)].join('')));
  return { part: 'inventory', files: 2, bytes };
}

async function gatherCatalogue(deps: DossierDeps, ctx: ExportContext, plan: ExportPlan): Promise<GatherOutput> {
  const { document, settings } = await loadTenantStrategy(deps.strategies, ctx.tenantId);
  const seen = await deps.facts.listSeenResources(ctx.tenantId);
  const declared = resolveResources(document, seen).declared;
  const generatedAt = Date.parse(plan.requestedAt);
  const longest = Math.max(35 * DAY, ...declared.map((d) => durationMs(d.policy.retention)));
  const counter = { bytes: 0 };
  let files = 0;
  const generated: { path: string; title: string }[] = [];

  const jsonSink = deps.objects.createSink(exportKeys.staged(ctx.tenantId, ctx.exportId, PAYLOAD_PATHS.catalogueJson));
  const mdSink = deps.objects.createSink(
    exportKeys.staged(ctx.tenantId, ctx.exportId, PAYLOAD_PATHS.catalogueMarkdown),
  );
  try {
    await writeCatalogue(
      {
        tenantId: ctx.tenantId,
        resources: declared,
        facts: deps.facts as never,
        since: generatedAt - longest,
        generatedAt,
        onEntry: async (entry) => {
          const resource = declared.find((d) => d.resourceId === entry.resourceId);
          const tests = resource ? restorePoliciesFor(document, resource) : [];
          const path = restoreProcedurePath(entry.resourceId);
          counter.bytes += await stage(deps, ctx, path, renderRestoreProcedure(entry, tests));
          generated.push({ path, title: `Restore procedure: ${entry.name}` });
          files++;
        },
      },
      { json: textSink(jsonSink, counter), markdown: textSink(mdSink, counter) },
    );
    jsonSink.end();
    mdSink.end();
    await Promise.all([finished(jsonSink), finished(mdSink)]);
  } catch (error) {
    // Destroying aborts the uploads: no half-written catalogue is staged.
    jsonSink.destroy(error as Error);
    mdSink.destroy(error as Error);
    throw error;
  }
  files += 2;

  counter.bytes += await stage(deps, ctx, PAYLOAD_PATHS.strategyMarkdown, renderStrategyMarkdown(document, declared));
  files++;
  generated.unshift({ path: PAYLOAD_PATHS.strategyMarkdown, title: 'The declared backup strategy' });
  const runbookInputs = [];
  for await (const o of deps.objects.list(settings.prefixes.procedures)) {
    runbookInputs.push({ key: o.key, size: o.size, open: () => deps.objects.open(o.key) });
  }
  const { accepted } = validateRunbooks(runbookInputs, settings.prefixes.procedures);
  counter.bytes += await stage(deps, ctx, 'procedures/README.md', renderProceduresIndex(generated, accepted));
  files++;
  return { part: 'catalogue', files, bytes: counter.bytes };
}

async function gatherEvidence(deps: DossierDeps, ctx: ExportContext, plan: ExportPlan): Promise<GatherOutput> {
  const { settings } = await loadTenantStrategy(deps.strategies, ctx.tenantId);
  const to = plan.requestedAt;
  const from = new Date(Date.parse(to) - durationMs(settings.retrievalPeriod)).toISOString();
  const tests = await deps.restoreTests.list(ctx.tenantId, { from, to });
  // The audit log alone is not restore evidence: without a test in the period the item stays missing.
  if (tests.length === 0) return { part: 'evidence', files: 0, bytes: 0 };
  let files = 0;
  let bytes = 0;
  const put = async (path: string, body: string | Uint8Array) => {
    bytes += await stage(deps, ctx, `restore-evidence/${path}`, body);
    files++;
  };
  await put('restore-tests.json', `${JSON.stringify({ tenantId: ctx.tenantId, from, to, tests }, null, 2)}\n`);
  await forEachLimit(tests, async (t) => {
    const text = await deps.blobs.getText(t.evidenceKey, 16 * 1024 * 1024);
    await put(`tests/${t.testId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`, text);
  });

  // The audit-log segment, as `reversa audit export` writes it, so the successor can verify the history.
  // Sealed first: every entry up to now is covered by a signed digest, not just hash-chained.
  const audit = deps.audit;
  await sealDigest(audit, ctx.tenantId, deps.clock.now(), { force: true });
  const entriesPrefix = auditKeys.entriesPrefix(ctx.tenantId);
  const entryKeys = (await audit.blobs.list(entriesPrefix))
    .map((key) => ({ key, seq: seqOfFileName(key.slice(entriesPrefix.length)) }))
    .filter((k): k is { key: string; seq: number } => k.seq !== undefined);
  const copied = new Set(entryKeys.map((k) => k.seq));
  await forEachLimit(entryKeys, async ({ key, seq }) => {
    await put(`audit-log/entries/${auditKeys.pad(seq)}.json`, await audit.blobs.getText(key, 4 * 1024 * 1024));
  });
  const head = await audit.store.headEntry(ctx.tenantId);
  if (head !== undefined && copied.size < head.seq) {
    for await (const entry of audit.store.listEntries(ctx.tenantId, 1, head.seq)) {
      if (!copied.has(entry.seq)) await put(`audit-log/entries/${auditKeys.pad(entry.seq)}.json`, entry.body);
    }
  }
  const digestsPrefix = auditKeys.digestsPrefix(ctx.tenantId);
  await forEachLimit(await audit.blobs.list(digestsPrefix), async (key) => {
    const name = key.slice(digestsPrefix.length);
    if (name.endsWith('.json')) await put(`audit-log/digests/${name}`, await audit.blobs.getText(key, 4 * 1024 * 1024));
    else if (name.endsWith('.json.sig.b64')) {
      const der = Buffer.from((await audit.blobs.getText(key, 64 * 1024)).trim(), 'base64');
      await put(`audit-log/digests/${name.slice(0, -'.b64'.length)}`, der);
    }
  });
  const pem = (await audit.blobs.exists(auditKeys.publicKey(ctx.tenantId)))
    ? await audit.blobs.getText(auditKeys.publicKey(ctx.tenantId))
    : await audit.signer?.publicKeyPem();
  if (pem !== undefined) await put('audit-log/public-key.pem', pem);
  await put('audit-log/README.txt', auditReadme(ctx.tenantId));
  return { part: 'evidence', files, bytes };
}

async function gatherEscrow(deps: DossierDeps, ctx: ExportContext, plan: ExportPlan): Promise<GatherOutput> {
  const refs = await listSecretRefs(deps.secrets, ctx.tenantId);
  const meta: EscrowMeta = { recipientFingerprints: [], secretRefs: [] };
  const noRecipient = plan.recipients.length === 0 && plan.breakGlass === undefined && plan.custodians === undefined;
  // Nothing to escrow, or nobody to escrow it to: the checklist decides whether that is acceptable.
  if (refs.length === 0 || noRecipient) {
    await deps.objects.put(exportKeys.escrowMeta(ctx.tenantId, ctx.exportId), JSON.stringify(meta), 'application/json');
    return { part: 'escrow', files: 0, bytes: 0 };
  }
  const sealed = await sealEscrow({
    source: deps.secrets,
    tenantId: ctx.tenantId,
    recipients: plan.recipients,
    ...(plan.breakGlass === undefined ? {} : { breakGlass: plan.breakGlass }),
    ...(plan.custodians === undefined ? {} : { custodians: plan.custodians }),
    now: new Date(plan.requestedAt),
  });
  let bytes = 0;
  for (const f of sealed.files) bytes += await stage(deps, ctx, `credentials/${f.path}`, f.body);
  meta.recipientFingerprints = sealed.recipientFingerprints;
  meta.secretRefs = sealed.manifest.secrets.map((s) => ({
    name: s.name,
    version: s.version ?? '',
    lastChangedAt: s.lastChangedAt === undefined ? 0 : Date.parse(s.lastChangedAt) || 0,
  }));
  await deps.objects.put(exportKeys.escrowMeta(ctx.tenantId, ctx.exportId), JSON.stringify(meta), 'application/json');
  return { part: 'escrow', files: sealed.files.length, bytes };
}

async function gatherContacts(deps: DossierDeps, ctx: ExportContext): Promise<GatherOutput> {
  const { document, settings } = await loadTenantStrategy(deps.strategies, ctx.tenantId);
  if (settings.contacts.length === 0) return { part: 'contacts', files: 0, bytes: 0 };
  const bytes =
    (await stage(deps, ctx, PAYLOAD_PATHS.contactsJson, renderContactsJson(ctx.tenantId, settings.contacts))) +
    (await stage(
      deps,
      ctx,
      PAYLOAD_PATHS.contactsMarkdown,
      renderContactsMarkdown(document.tenant.name, settings.contacts),
    ));
  return { part: 'contacts', files: 2, bytes };
}

/** One branch of the Gather Parallel state: stages one part's documents, returns counts. */
export async function gatherPart(deps: DossierDeps, input: GatherInput): Promise<GatherOutput> {
  const plan = await readPlan(deps, input);
  const ctx: ExportContext = {
    tenantId: input.tenantId,
    exportId: input.exportId,
    version: plan.version,
    planKey: input.planKey,
  };
  switch (input.part) {
    case 'inventory':
      return gatherInventory(deps, ctx);
    case 'catalogue':
      return gatherCatalogue(deps, ctx, plan);
    case 'evidence':
      return gatherEvidence(deps, ctx, plan);
    case 'escrow':
      return gatherEscrow(deps, ctx, plan);
    case 'contacts':
      return gatherContacts(deps, ctx);
    default:
      throw badInput('part', `expected one of ${GATHER_PARTS.join(', ')}`);
  }
}

/* ------------------------------------------------------------------------------- Checklist */

/** Judges completeness from what is staged and what the source prefixes hold; stages checklist.md/json. */
export async function checkDossier(deps: DossierDeps, ctx: ExportContext): Promise<ExportContext> {
  await readPlan(deps, ctx);
  const { settings, document } = await loadTenantStrategy(deps.strategies, ctx.tenantId);
  const { files, problems } = await payloadSources(deps.objects, settings, ctx.tenantId, ctx.exportId);
  if (problems.length > 0) throw new ValidationError('DossierInputRefused', problems);
  const result = evaluateChecklist(document.reversibility, presenceOf(files));
  requireComplete(result, `strategy of ${ctx.tenantId}`);
  await stage(deps, ctx, PAYLOAD_PATHS.checklistJson, renderChecklistJson(result));
  await stage(deps, ctx, PAYLOAD_PATHS.checklistMarkdown, renderChecklistMarkdown(result));
  return { tenantId: ctx.tenantId, exportId: ctx.exportId, version: ctx.version, planKey: ctx.planKey };
}

/* -------------------------------------------------------------------------------- Assemble */

/** Streams the bag into a multipart upload to the dossier bucket; on any error the upload is aborted. */
export async function assembleAndUpload(deps: DossierDeps, ctx: ExportContext): Promise<AssembleOutput> {
  const plan = await readPlan(deps, ctx);
  const { settings } = await loadTenantStrategy(deps.strategies, ctx.tenantId);
  const { files, problems } = await payloadSources(deps.objects, settings, ctx.tenantId, ctx.exportId);
  if (problems.length > 0) throw new ValidationError('DossierInputRefused', problems);
  const zipKey = exportKeys.zip(ctx.tenantId, plan.version);
  const assembled = await assembleDossier({
    objects: deps.objects,
    files,
    bagName: exportKeys.bagName(ctx.tenantId, plan.version),
    bagInfo: {
      'Source-Organization': plan.sourceOrganization,
      'External-Identifier': `${ctx.tenantId} v${plan.version}`,
      'Reversa-Tenant': ctx.tenantId,
      'Reversa-Dossier-Version': String(plan.version),
      'Reversa-Export-Id': ctx.exportId,
      'Reversa-Strategy-Version': String(plan.strategyVersion),
    },
    signer: deps.dossierSigner,
    sink: deps.dossierObjects.createSink(zipKey, 'application/zip'),
    now: new Date(plan.requestedAt),
    embedData: plan.embedData,
    ...(deps.tuning?.largeFileBytes === undefined ? {} : { largeFileBytes: deps.tuning.largeFileBytes }),
    ...(deps.tuning?.partBytes === undefined ? {} : { partBytes: deps.tuning.partBytes }),
  });
  const manifestKey = exportKeys.manifest(ctx.tenantId, ctx.exportId);
  await deps.objects.put(manifestKey, assembled.manifestText, 'text/plain; charset=utf-8');
  const record: AssembledRecord = {
    zipKey,
    zipName: assembled.bag.zipName,
    zipSha256: assembled.bag.zipSha256,
    zipBytes: assembled.bag.zipBytes,
    payloadOxum: assembled.bag.payloadOxum,
    signerFingerprint: assembled.bag.signerFingerprint,
    manifestKey,
    embedded: assembled.embedded,
    fetched: assembled.fetched,
  };
  await deps.objects.put(exportKeys.assembled(ctx.tenantId, ctx.exportId), JSON.stringify(record), 'application/json');
  return { ...ctx, zipKey };
}

/* ------------------------------------------------------------------------------------ Sign */

/** Writes `<zip>.sha256`, its signature and this version's manifest index beside the archive. */
export async function signDossier(deps: DossierDeps, ctx: ExportContext): Promise<ExportContext> {
  const plan = await readPlan(deps, ctx);
  const record = await readJson<AssembledRecord>(deps, exportKeys.assembled(ctx.tenantId, ctx.exportId));
  const files = await sidecars(record, deps.dossierSigner);
  const prefix = exportKeys.versionPrefix(ctx.tenantId, plan.version);
  await deps.dossierObjects.put(`${prefix}${files.checksum.name}`, files.checksum.bytes, 'text/plain; charset=utf-8');
  await deps.dossierObjects.put(`${prefix}${files.signature.name}`, files.signature.bytes, 'application/octet-stream');
  const manifest = await deps.objects.getBytes(record.manifestKey, MAX_MANIFEST_BYTES);
  await deps.dossierObjects.put(
    exportKeys.manifestIndex(ctx.tenantId, plan.version),
    manifest,
    'text/plain; charset=utf-8',
  );
  return { tenantId: ctx.tenantId, exportId: ctx.exportId, version: ctx.version, planKey: ctx.planKey };
}

/* --------------------------------------------------------------------------------- Publish */

/** Publishes the immutable version row, with what changed since the previous version. */
export async function publishDossier(deps: DossierDeps, ctx: ExportContext): Promise<ExportContext> {
  const plan = await readPlan(deps, ctx);
  const already = await deps.dossiers.getVersion(ctx.tenantId, plan.version);
  if (already?.exportId === ctx.exportId) return ctx; // a retried Publish
  const record = await readJson<AssembledRecord>(deps, exportKeys.assembled(ctx.tenantId, ctx.exportId));
  const escrow = await readJson<EscrowMeta>(deps, exportKeys.escrowMeta(ctx.tenantId, ctx.exportId));
  const manifestText = (await deps.objects.getBytes(record.manifestKey, MAX_MANIFEST_BYTES)).toString('utf8');
  const previous = plan.version > 1 ? await deps.dossiers.getVersion(ctx.tenantId, plan.version - 1) : undefined;
  let changeSummary = `v${plan.version}: first version (${record.embedded + record.fetched} files)`;
  if (previous) {
    const before = (await deps.dossierObjects.getBytes(previous.manifestIndexKey, MAX_MANIFEST_BYTES)).toString('utf8');
    const diff = diffSummary(manifestIndexOf(before), manifestIndexOf(manifestText), {
      previous: previous.secretRefs ?? [],
      current: escrow.secretRefs,
    });
    changeSummary = `v${plan.version}: ${diff.summary}`;
  }
  const version: DossierVersion = {
    tenantId: ctx.tenantId,
    version: plan.version,
    exportId: ctx.exportId,
    zipKey: record.zipKey,
    zipSha256: record.zipSha256,
    zipBytes: record.zipBytes,
    signerFingerprint: record.signerFingerprint,
    recipientFingerprints: escrow.recipientFingerprints,
    inputsFingerprint: plan.fingerprint,
    secretRefs: escrow.secretRefs,
    manifestIndexKey: exportKeys.manifestIndex(ctx.tenantId, plan.version),
    changeSummary,
    createdAt: new Date(deps.clock.now()).toISOString(),
    createdBy: plan.requestedBy,
  };
  if (!(await deps.dossiers.putVersion(version))) {
    throw new InternalError(
      'DossierVersionTaken',
      `v${plan.version} of ${ctx.tenantId} was published by another export`,
    );
  }
  return { tenantId: ctx.tenantId, exportId: ctx.exportId, version: ctx.version, planKey: ctx.planKey };
}

/* ----------------------------------------------------------------------------------- Audit */

function detailOf(v: DossierVersion, auditSeq: number): DossierPublishedDetail {
  return {
    tenantId: v.tenantId,
    version: v.version,
    exportId: v.exportId,
    zipKey: v.zipKey,
    zipSha256: v.zipSha256,
    zipBytes: v.zipBytes,
    signerFingerprint: v.signerFingerprint,
    recipientFingerprints: v.recipientFingerprints,
    changeSummary: v.changeSummary,
    createdAt: v.createdAt,
    createdBy: v.createdBy,
    auditSeq,
  };
}

/** Records the 'dossier-export' entry (once, even when retried), then drops the run's staging. */
export async function auditDossier(deps: DossierDeps, ctx: ExportContext): Promise<AuditOutput> {
  checkContext(ctx);
  const v = await deps.dossiers.getVersion(ctx.tenantId, ctx.version);
  if (!v || v.exportId !== ctx.exportId) {
    throw new InternalError('DossierNotPublished', `v${ctx.version} of ${ctx.tenantId} is not this export's`);
  }
  let auditSeq = v.auditSeq;
  if (auditSeq === undefined) {
    const { auditSeq: _none, ...record } = v;
    const logged = await recordInAuditLog(deps.audit, ctx.tenantId, {
      type: 'dossier-export',
      record,
      time: deps.clock.now(),
      summary: {
        who: v.createdBy,
        when: v.createdAt,
        version: v.version,
        exportId: v.exportId,
        zipKey: v.zipKey,
        archiveSha256: v.zipSha256,
        signerFingerprint: v.signerFingerprint,
        recipientFingerprints: v.recipientFingerprints,
        changeSummary: v.changeSummary,
      },
    });
    auditSeq = logged.seq;
    await deps.dossiers.markAudited(ctx.tenantId, v.version, auditSeq);
  }
  await deleteStaging(deps, ctx.tenantId, ctx.exportId);
  await deps.dossiers.release(ctx.tenantId, v.version, ctx.exportId);
  return { ...ctx, detail: detailOf(v, auditSeq) };
}

/* ----------------------------------------------------------------------------------- Abort */

async function deleteStaging(deps: DossierDeps, tenantId: string, exportId: string): Promise<number> {
  const keys: string[] = [];
  for await (const o of deps.objects.list(exportKeys.runPrefix(tenantId, exportId))) keys.push(o.key);
  await forEachLimit(keys, (key) => deps.objects.delete(key));
  return keys.length;
}

/**
 * Undoes an unpublished export: aborts a multipart upload a crashed Assemble left, deletes the
 * archive, sidecars and manifest index of the claimed version (only when this export holds the
 * claim and the version is not published), releases the claim, and deletes the run's staging.
 */
export async function abortExport(deps: DossierDeps, input: AbortInput): Promise<AbortOutput> {
  checkContext(input);
  const plan = await readPlan(deps, input).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  let deleted = 0;
  let published = false;
  if (plan) {
    const v = await deps.dossiers.getVersion(input.tenantId, plan.version);
    published = v?.exportId === input.exportId;
    const ours = (await deps.dossiers.reservedBy(input.tenantId, plan.version)) === input.exportId;
    if (!published && ours && v === undefined) {
      const zipKey = exportKeys.zip(input.tenantId, plan.version);
      await deps.dossierObjects.abortUploads(zipKey);
      for await (const o of deps.dossierObjects.list(exportKeys.versionPrefix(input.tenantId, plan.version))) {
        await deps.dossierObjects.delete(o.key);
        deleted++;
      }
      await deps.dossiers.release(input.tenantId, plan.version, input.exportId);
    }
  }
  deleted += await deleteStaging(deps, input.tenantId, input.exportId);
  return { tenantId: input.tenantId, exportId: input.exportId, deleted, published };
}
