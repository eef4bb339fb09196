/**
 * Ingests one job report (restic, pgBackRest, generic, ...): parse and validate it completely,
 * THEN store its facts and mark the tenant dirty. A report that fails validation is never
 * half-ingested: nothing is stored, the original goes to `quarantine/<tenant>/…` next to a
 * reason record (core/ingest/quarantine.ts) that says what is wrong, line by line.
 */
import { NotFoundError, type Problem, ValidationError } from '../errors.ts';
import { parseJobReport } from '../ingest/detect.ts';
import { DEFAULT_INGEST_LIMITS } from '../ingest/limits.ts';
import { quarantineKeys, quarantineRecord } from '../ingest/quarantine.ts';
import type { BlobStore, Clock, FactStore, TenantStore } from '../ports.ts';

export interface IngestDeps {
  facts: FactStore;
  tenants: TenantStore;
  blobs: BlobStore;
}

export interface IngestReportInput {
  tenantId: string;
  /** Name the report is known by (shown in problems); its base name is kept in the quarantine key. */
  fileName: string;
  text: string;
  /** Epoch milliseconds. */
  receivedAt: number;
  /** The resource of an `aws backup list-recovery-points-by-resource` output (which does not name it). */
  resourceArn?: string | undefined;
}

export interface IngestedResult {
  status: 'ingested';
  tenantId: string;
  fileName: string;
  format: string;
  jobs: number;
  recoveryPoints: number;
  resources: number;
  /** Records stored (new or newer than held). */
  written: number;
  /** Records already held at the same or a newer state. */
  stale: number;
  /** AWS files: entries without backup facts (CREATED events, vault, plan or restore events). */
  ignored?: number;
  /** For S3 objects: where the report was moved after ingestion. */
  processedKey?: string;
}

export interface RejectedResult {
  status: 'rejected';
  tenantId: string;
  fileName: string;
  code: string;
  problems: Problem[];
  quarantineKey: string;
  reasonKey: string;
}

/** A duplicate S3 notification for an object already processed (or gone): nothing to do. */
export interface SkippedResult {
  status: 'skipped';
  tenantId: string;
  fileName: string;
  reason: 'already-processed' | 'not-found';
}

export type IngestResult = IngestedResult | RejectedResult | SkippedResult;

const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const INBOX_KEY = /^inbox\/([^/]+)\/(.+)$/;

/** The tenant an inbox object belongs to (`inbox/<tenant>/…`), for binding its ingestion to that tenant's ports. */
export function inboxTenantOf(key: string): string | undefined {
  return INBOX_KEY.exec(key)?.[1];
}

export const inboxPrefix = (tenantId: string) => `inbox/${tenantId}/`;
export const processedPrefix = (tenantId: string) => `processed/${tenantId}/`;

function checkTenantId(tenantId: string, file: string): void {
  if (!TENANT_ID.test(tenantId)) {
    throw new ValidationError('InvalidTenantId', [
      { file, path: 'tenantId', message: 'expected a tenant id matching ^[a-z0-9][a-z0-9-]{0,62}$' },
    ]);
  }
}

function baseName(fileName: string): string {
  const name = fileName.split(/[\\/]/).pop() ?? '';
  return name.replace(/[^A-Za-z0-9._-]/g, '_') || 'report';
}

/** Compact, sortable and key-safe: 20260131T020000123Z. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, '');
}

/** Places the original (by `placeOriginal`) and the reason record next to it; returns the rejected result. */
async function quarantine(
  blobs: BlobStore,
  input: { tenantId: string; fileName: string; receivedAt: number; originalKey: string },
  error: ValidationError,
  placeOriginal: (quarantineKey: string) => Promise<void>,
): Promise<RejectedResult> {
  const { reportKey, recordKey } = quarantineKeys(input.tenantId, input.originalKey);
  await placeOriginal(reportKey);
  const record = quarantineRecord({
    tenantId: input.tenantId,
    originalKey: input.originalKey,
    receivedAt: input.receivedAt,
    error,
  });
  await blobs.putText(recordKey, `${JSON.stringify(record, null, 2)}\n`, 'application/json');
  return {
    status: 'rejected',
    tenantId: input.tenantId,
    fileName: input.fileName,
    code: error.code,
    problems: error.problems,
    quarantineKey: reportKey,
    reasonKey: recordKey,
  };
}

type Parsed = ReturnType<typeof parseJobReport>;

/** Parses completely before anything is written; only a ValidationError is turned into a value. */
function tryParse(input: IngestReportInput): Parsed | ValidationError {
  try {
    return parseJobReport(input.text, {
      tenantId: input.tenantId,
      fileName: input.fileName,
      receivedAt: input.receivedAt,
      resourceArn: input.resourceArn,
    });
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
}

/** More distinct accounts than a strategy may declare cannot all be the tenant's: refused without a lookup each. */
const MAX_ACCOUNTS_CHECKED = 1000;

/**
 * AWS records are the tenant's only if they come from an account its strategy declares: the same
 * routing table the backup-event Lambda uses, so a file cannot slip another tenant's jobs in.
 */
async function refusedAccounts(
  tenants: TenantStore,
  input: IngestReportInput,
  parsed: Parsed,
): Promise<ValidationError | undefined> {
  const accounts = parsed.aws?.accounts ?? [];
  const declare = `(declare it in sources.awsBackup.accounts and apply the strategy, or ingest the file for the tenant that owns it)`;
  if (accounts.length > MAX_ACCOUNTS_CHECKED) {
    return new ValidationError('AwsAccountNotDeclared', [
      {
        file: input.fileName,
        path: '',
        message: `the file holds records of ${accounts.length} AWS accounts, more than a strategy may declare (${MAX_ACCOUNTS_CHECKED})`,
      },
    ]);
  }
  const problems: Problem[] = [];
  for (const a of accounts) {
    if ((await tenants.tenantForAwsAccount(a.accountId)) === input.tenantId) continue;
    const p: Problem = {
      file: input.fileName,
      line: a.line,
      path: a.path,
      message: `AWS account ${a.accountId} is not declared in tenant ${input.tenantId}'s strategy: its records are refused ${declare}`,
    };
    if (a.column !== undefined) p.column = a.column;
    problems.push(p);
  }
  return problems.length > 0 ? new ValidationError('AwsAccountNotDeclared', problems) : undefined;
}

/** The report parsed and its AWS accounts checked, or why it is refused: nothing is written before this. */
async function validated(tenants: TenantStore, input: IngestReportInput): Promise<Parsed | ValidationError> {
  const parsed = tryParse(input);
  if (parsed instanceof ValidationError) return parsed;
  return (await refusedAccounts(tenants, input, parsed)) ?? parsed;
}

async function store(deps: IngestDeps, input: IngestReportInput, parsed: Parsed): Promise<IngestedResult> {
  const { format, batch } = parsed;
  const { written, stale } = await deps.facts.putFacts(batch);
  if (written > 0) await deps.tenants.markDirty(input.tenantId, input.receivedAt);
  return {
    status: 'ingested',
    tenantId: input.tenantId,
    fileName: input.fileName,
    format,
    jobs: batch.jobs.length,
    recoveryPoints: batch.recoveryPoints.length,
    resources: batch.resources.length,
    written,
    stale,
    ...(parsed.aws ? { ignored: parsed.aws.ignored } : {}),
  };
}

/**
 * Ingests a report given as text (CLI, tests). A ValidationError from parsing becomes a
 * `rejected` result with the original stored under `quarantine/<tenant>/<time>-<name>`; any
 * other error propagates (storage failures are retried by the caller; the writes are idempotent).
 */
export async function ingestReport(deps: IngestDeps, input: IngestReportInput): Promise<IngestResult> {
  checkTenantId(input.tenantId, input.fileName);
  const parsed = await validated(deps.tenants, input);
  if (parsed instanceof ValidationError) {
    const originalKey = `${stamp(input.receivedAt)}-${baseName(input.fileName)}`;
    return quarantine(deps.blobs, { ...input, originalKey }, parsed, (quarantineKey) =>
      deps.blobs.putText(quarantineKey, input.text),
    );
  }
  return store(deps, input, parsed);
}

/**
 * Ingests an object dropped in `inbox/<tenant>/…`: the tenant comes from the key. Objects over
 * the report size limit are refused from their Content-Length (never read into memory) and
 * quarantined like invalid ones. Afterwards the object is moved to `processed/<tenant>/…`
 * (or `quarantine/<tenant>/…`), so the inbox only holds what is still to do. Safe to run twice
 * for the same key (S3 notifications are at-least-once).
 */
export async function ingestS3Object(
  deps: IngestDeps & { clock: Clock },
  key: string,
  receivedAt: number = deps.clock.now(),
): Promise<IngestResult> {
  const match = INBOX_KEY.exec(key);
  if (!match) {
    throw new ValidationError('NotAnInboxKey', [
      { file: key, path: '', message: 'expected an object key of the form inbox/<tenantId>/<name>' },
    ]);
  }
  const tenantId = match[1] as string;
  const rest = match[2] as string;
  checkTenantId(tenantId, key);
  const processedKey = `${processedPrefix(tenantId)}${rest}`;

  let text: string;
  try {
    text = await deps.blobs.getText(key, DEFAULT_INGEST_LIMITS.maxReportBytes);
  } catch (error) {
    if (error instanceof ValidationError) {
      return quarantine(deps.blobs, { tenantId, fileName: key, receivedAt, originalKey: key }, error, (target) =>
        deps.blobs.move(key, target),
      );
    }
    if (error instanceof NotFoundError) {
      const done = await deps.blobs.exists(processedKey);
      return { status: 'skipped', tenantId, fileName: key, reason: done ? 'already-processed' : 'not-found' };
    }
    throw error;
  }

  const input = { tenantId, fileName: key, text, receivedAt };
  const parsed = await validated(deps.tenants, input);
  if (parsed instanceof ValidationError) {
    return quarantine(deps.blobs, { ...input, originalKey: key }, parsed, (target) => deps.blobs.move(key, target));
  }
  const result = await store(deps, input, parsed);
  await deps.blobs.move(key, processedKey);
  return { ...result, processedKey };
}
