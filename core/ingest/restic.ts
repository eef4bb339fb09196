/**
 * restic reports: `restic snapshots --json` (the catalogue: every snapshot with host, paths,
 * time) and `restic backup --json` (one run: progress lines, then a summary).
 *
 * Identity across both: the job id is the snapshot's short id (its first 8 hex digits),
 * because restic 0.14 prints only the short id in the backup summary; a snapshot listed
 * later then updates the same job instead of counting a second backup. The recovery point id
 * is the snapshot id as restic prints it (full in `snapshots`).
 */
import { z } from 'zod';
import { InternalError } from '../errors.ts';
import type { BackupJob, FactBatch, RecoveryPoint } from '../model.ts';
import { printable } from '../text.ts';
import { compact, finaliseBatch, seen } from './batch.ts';
import { idField } from './fields.ts';
import type { IngestLimits } from './limits.ts';
import { checkRecordCount, DEFAULT_INGEST_LIMITS } from './limits.ts';
import type { PathSegment } from './problems.ts';
import { ProblemList } from './problems.ts';
import { parseIsoTime } from './time.ts';

export interface ResticContext {
  tenantId: string;
  fileName: string;
  receivedAt: number;
  /** Repository (URL or name) the report comes from, e.g. from `reversa ingest --repository`. Becomes `location`. */
  repository?: string | undefined;
}

/** The locator convention: `restic:<hostname>:<paths sorted, joined by ,>`. */
export function resticLocator(hostname: string, paths: readonly string[]): string {
  return `restic:${hostname}:${[...paths].sort().join(',')}`;
}

/** restic tags are plain strings; `key=value` tags become key/value, bare tags map to "". */
export function resticTags(tags: readonly string[] | null | undefined): Record<string, string> | undefined {
  if (!tags || tags.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const t of [...tags].sort()) {
    const eq = t.indexOf('=');
    if (eq > 0) out[t.slice(0, eq)] = t.slice(eq + 1);
    else out[t] = '';
  }
  return out;
}

const shortId = (id: string): string => id.slice(0, 8);

function schemas(limits: IngestLimits) {
  const text = idField(limits, false);
  const time = z
    .string({ error: 'expected an RFC 3339 timestamp' })
    .refine((s) => parseIsoTime(s) !== undefined, { error: 'expected an RFC 3339 timestamp' });
  const count = z.number({ error: 'expected a number' }).min(0, { error: 'must be >= 0' }).max(Number.MAX_SAFE_INTEGER);
  const snapshotId = z.string({ error: 'expected a snapshot id' }).regex(/^[0-9a-f]{8,64}$/, {
    error: 'expected a hexadecimal snapshot id',
  });
  // restic adds fields across versions: unknown keys are accepted (and ignored), not rejected.
  const snapshot = z.object({
    id: snapshotId,
    time,
    hostname: text.min(1, { error: 'must not be empty' }),
    paths: z
      .array(text.min(1), { error: 'expected an array of paths' })
      .min(1, { error: 'expected at least one path' }),
    tags: z.array(text, { error: 'expected an array of tags' }).max(limits.maxTags).nullable().optional(),
    summary: z
      .object({
        backup_start: time.optional(),
        backup_end: time.optional(),
        total_bytes_processed: count.optional(),
      })
      .optional(),
  });
  const summary = z.object({
    message_type: z.literal('summary'),
    total_bytes_processed: count,
    total_duration: count,
    snapshot_id: snapshotId,
    backup_start: time.optional(),
    backup_end: time.optional(),
  });
  const context = z.strictObject({
    host: text.min(1, { error: 'must not be empty' }),
    paths: z
      .array(text.min(1), { error: 'expected an array of paths' })
      .min(1, { error: 'expected at least one path' }),
    repository: text.optional(),
    startedAt: time.optional(),
  });
  return { snapshots: z.array(snapshot), summary, context };
}

const cached = schemas(DEFAULT_INGEST_LIMITS);
const schemasFor = (limits: IngestLimits) => (limits === DEFAULT_INGEST_LIMITS ? cached : schemas(limits));

type Snapshot = z.infer<typeof cached.snapshots>[number];
export type ResticBackupContext = z.infer<typeof cached.context>;

function addIssues(
  list: ProblemList,
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  prefix: PathSegment[] = [],
): void {
  for (const i of issues)
    list.add([...prefix, ...i.path.map((k) => (typeof k === 'number' ? k : String(k)))], i.message);
}

function factsOfSnapshot(s: Snapshot, ctx: ResticContext): FactBatch {
  const resourceId = resticLocator(s.hostname, s.paths);
  const time = parseIsoTime(s.time)!;
  const start = s.summary?.backup_start ? parseIsoTime(s.summary.backup_start)! : time;
  const end = s.summary?.backup_end ? parseIsoTime(s.summary.backup_end)! : time;
  const size = s.summary?.total_bytes_processed;
  const job = compact<BackupJob>({
    tenantId: ctx.tenantId,
    source: 'restic',
    kind: 'backup',
    jobId: shortId(s.id),
    resourceId,
    state: 'COMPLETED',
    startedAt: start,
    completedAt: end,
    sizeBytes: size,
    recoveryPointId: s.id,
    location: ctx.repository,
    observedAt: Math.max(time, end),
  });
  const point = compact<RecoveryPoint>({
    tenantId: ctx.tenantId,
    source: 'restic',
    recoveryPointId: s.id,
    resourceId,
    status: 'AVAILABLE',
    createdAt: time,
    sizeBytes: size,
    // restic encrypts every repository (AES-256-CTR + Poly1305); there is no unencrypted mode.
    encrypted: true,
    location: ctx.repository,
    observedAt: Math.max(time, end),
  });
  return {
    jobs: [job],
    recoveryPoints: [point],
    resources: [seen({ tenantId: ctx.tenantId, source: 'restic', resourceId, tags: resticTags(s.tags) }, time)],
  };
}

/** `restic snapshots --json` (a JSON array) → one COMPLETED job and one AVAILABLE point per snapshot. */
export function parseResticSnapshots(
  doc: unknown,
  text: string,
  ctx: ResticContext,
  limits: IngestLimits = DEFAULT_INGEST_LIMITS,
): FactBatch {
  if (Array.isArray(doc)) checkRecordCount(doc.length, ctx.fileName, '', limits);
  const list = new ProblemList(ctx.fileName, text, 0, limits.maxProblems);
  const parsed = schemasFor(limits).snapshots.safeParse(doc);
  if (!parsed.success) {
    addIssues(list, parsed.error.issues);
    list.throwIfAny();
  }
  const parts = parsed.data!.map((s) => factsOfSnapshot(s, ctx));
  return finaliseBatch({
    jobs: parts.flatMap((p) => p.jobs),
    recoveryPoints: parts.flatMap((p) => p.recoveryPoints),
    resources: parts.flatMap((p) => p.resources),
  });
}

export const RESTIC_CONTEXT_MESSAGE_TYPE = 'reversa_context';

/**
 * `restic backup --json` output (NDJSON). The summary names neither host nor paths, so the
 * report must say them: either a first line `{"message_type":"reversa_context","host":…,"paths":[…]}`
 * or the wrapper object (see parseResticBackupWrapper). Without a summary line the backup did
 * not finish: that is a FAILED job, which is exactly what the failure-streak rule needs.
 */
export function parseResticBackupOutput(
  lines: readonly string[],
  ctx: ResticContext,
  given?: ResticBackupContext,
  limits: IngestLimits = DEFAULT_INGEST_LIMITS,
): FactBatch {
  const s = schemasFor(limits);
  const list = new ProblemList(ctx.fileName, undefined, 0, limits.maxProblems);
  let context = given;
  let summary: z.infer<typeof s.summary> | undefined;
  let errors = 0;
  let firstError: string | undefined;
  lines.forEach((line, index) => {
    const trimmed = line.trim();
    // Progress lines are most of the output and carry nothing we keep: skip them unparsed.
    if (trimmed === '' || trimmed.startsWith('{"message_type":"status"')) return;
    const lineList = new ProblemList(ctx.fileName, trimmed, index, limits.maxProblems);
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      list.add([], 'line is not valid JSON (expected restic --json output, one JSON object per line)', {
        line: index + 1,
        column: 1,
      });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      list.add([], 'expected a JSON object with message_type', { line: index + 1, column: 1 });
      return;
    }
    const type = (value as { message_type?: unknown }).message_type;
    if (type === RESTIC_CONTEXT_MESSAGE_TYPE) {
      const { message_type: _ignored, ...rest } = value as Record<string, unknown>;
      const c = s.context.safeParse(rest);
      if (!c.success) addIssues(lineList, c.error.issues);
      else if (context === undefined) context = c.data;
    } else if (type === 'summary') {
      const r = s.summary.safeParse(value);
      if (!r.success) addIssues(lineList, r.error.issues);
      else summary = r.data;
    } else if (type === 'error') {
      errors++;
      const e = (value as { error?: { message?: unknown } }).error;
      if (firstError === undefined && typeof e?.message === 'string') firstError = printable(e.message.slice(0, 200));
    }
    list.problems.push(...lineList.problems.slice(0, Math.max(0, limits.maxProblems - list.problems.length)));
  });
  if (!context) {
    list.add(
      [],
      'restic backup output names no host and paths: add a first line {"message_type":"reversa_context","host":"<host>","paths":["<path>",...]} or send the wrapper {"reversaJobReport":1,"tool":"restic-backup",...} (see docs/job-reports.md)',
    );
  }
  list.throwIfAny();
  const c = context!;
  const resourceId = resticLocator(c.host, c.paths);
  const repository = c.repository ?? ctx.repository;
  const declaredStart = c.startedAt ? parseIsoTime(c.startedAt) : undefined;
  if (!summary) {
    // A run that never reached its summary: no snapshot was written.
    const startedAt = declaredStart ?? ctx.receivedAt;
    return finaliseBatch({
      jobs: [
        compact<BackupJob>({
          tenantId: ctx.tenantId,
          source: 'restic',
          kind: 'backup',
          jobId: `failed-${startedAt}`,
          resourceId,
          state: 'FAILED',
          statusMessage: firstError
            ? `restic backup did not complete: ${firstError}`
            : 'restic backup output has no summary: the backup did not complete',
          startedAt,
          location: repository,
          observedAt: startedAt,
        }),
      ],
      recoveryPoints: [],
      resources: [seen({ tenantId: ctx.tenantId, source: 'restic', resourceId }, startedAt)],
    });
  }
  const durationMs = Math.round(summary.total_duration * 1000);
  // Newer restic prints backup_start/backup_end; 0.14 does not, so the context's start time,
  // else the time we received the report (the run ended no later than that).
  const end = summary.backup_end ? parseIsoTime(summary.backup_end)! : undefined;
  const start = summary.backup_start ? parseIsoTime(summary.backup_start)! : declaredStart;
  const startedAt = start ?? (end ?? ctx.receivedAt) - durationMs;
  const completedAt = end ?? startedAt + durationMs;
  const job = compact<BackupJob>({
    tenantId: ctx.tenantId,
    source: 'restic',
    kind: 'backup',
    jobId: shortId(summary.snapshot_id),
    resourceId,
    // restic exits 3 and still writes a snapshot when some files could not be read: completed with issues.
    state: 'COMPLETED',
    statusMessage:
      errors > 0 ? `${errors} error(s) while reading files${firstError ? `, first: ${firstError}` : ''}` : undefined,
    startedAt,
    completedAt,
    sizeBytes: summary.total_bytes_processed,
    recoveryPointId: summary.snapshot_id,
    location: repository,
    observedAt: completedAt,
  });
  const point = compact<RecoveryPoint>({
    tenantId: ctx.tenantId,
    source: 'restic',
    recoveryPointId: summary.snapshot_id,
    resourceId,
    status: errors > 0 ? 'PARTIAL' : 'AVAILABLE',
    createdAt: startedAt,
    sizeBytes: summary.total_bytes_processed,
    encrypted: true,
    location: repository,
    observedAt: completedAt,
  });
  return finaliseBatch({
    jobs: [job],
    recoveryPoints: [point],
    resources: [seen({ tenantId: ctx.tenantId, source: 'restic', resourceId }, startedAt)],
  });
}

/** `{"reversaJobReport":1,"tool":"restic-backup","host":…,"paths":[…],"repository"?,"startedAt"?,"output":"<restic --json stdout>"}`. */
export function parseResticBackupWrapper(
  doc: Record<string, unknown>,
  text: string,
  ctx: ResticContext,
  limits: IngestLimits = DEFAULT_INGEST_LIMITS,
): FactBatch {
  const list = new ProblemList(ctx.fileName, text, 0, limits.maxProblems);
  const { reversaJobReport, tool: _tool, output, ...rest } = doc;
  if (reversaJobReport !== 1) list.add(['reversaJobReport'], 'expected 1');
  if (typeof output !== 'string') list.add(['output'], 'expected the restic backup --json output as one string');
  const c = schemasFor(limits).context.safeParse(rest);
  if (!c.success) addIssues(list, c.error.issues);
  list.throwIfAny();
  if (typeof output !== 'string' || !c.success)
    throw new InternalError('UnreachableState', 'wrapper problems were not thrown');
  return parseResticBackupOutput(output.split('\n'), ctx, c.data, limits);
}
