/**
 * Reversa's generic job report: what any backup tool (or a 20-line wrapper script around it)
 * writes so its jobs are judged like AWS Backup's. Reference: docs/job-reports.md.
 * One JSON document, or NDJSON (a header line, then one job per line) for tools that stream.
 */
import { z } from 'zod';
import type { BackupJob, FactBatch, JobState, RecoveryPoint, RecoveryPointStatus } from '../model.ts';
import { JOB_STATES, RECOVERY_POINT_STATUSES } from '../model.ts';
import { compact, finaliseBatch, seen } from './batch.ts';
import { idField, messageField } from './fields.ts';
import type { IngestLimits } from './limits.ts';
import { checkRecordCount, DEFAULT_INGEST_LIMITS } from './limits.ts';
import type { PathSegment, SchemaIssue } from './problems.ts';
import { ProblemList } from './problems.ts';
import { parseIsoTime } from './time.ts';

export const GENERIC_REPORT_VERSION = 1;

function schemas(limits: IngestLimits) {
  const id = idField(limits);
  const time = z
    .string({ error: 'expected an ISO-8601 timestamp with a zone, e.g. 2026-01-31T02:00:00Z' })
    .refine((s) => parseIsoTime(s) !== undefined, {
      error: 'expected an ISO-8601 timestamp with a zone, e.g. 2026-01-31T02:00:00Z',
    });
  const bytes = z
    .number({ error: 'expected a number of bytes' })
    .int({ error: 'expected a whole number of bytes' })
    .min(0, { error: 'must be >= 0' })
    .max(Number.MAX_SAFE_INTEGER, { error: 'is too large' });
  const recoveryPoint = z.strictObject({
    id,
    createdAt: time.optional(),
    status: z
      .enum(RECOVERY_POINT_STATUSES, { error: `expected one of ${RECOVERY_POINT_STATUSES.join('|')}` })
      .optional(),
    encrypted: z.boolean({ error: 'expected true or false' }).optional(),
    keyId: id.optional(),
    location: id.optional(),
    region: id.optional(),
    account: id.optional(),
    offsite: z.boolean({ error: 'expected true or false' }).optional(),
    copyOf: id.optional(),
    deleteAt: time.optional(),
    immutableUntil: time.optional(),
    lockMode: z.enum(['vault-lock', 'object-lock'], { error: 'expected vault-lock or object-lock' }).optional(),
  });
  const job = z.strictObject({
    id,
    resource: id,
    resourceType: id.optional(),
    kind: z.enum(['backup', 'copy'], { error: 'expected backup or copy' }).optional(),
    state: z.enum(JOB_STATES, { error: `expected one of ${JOB_STATES.join('|')}` }),
    startedAt: time,
    completedAt: time.optional(),
    sizeBytes: bytes.optional(),
    message: messageField(limits).optional(),
    recoveryPoint: recoveryPoint.optional(),
    tags: z
      .record(id, idField(limits, false), {
        // A bad key says what is wrong with it (empty, too long, a control character).
        error: (issue) =>
          issue.code === 'invalid_key'
            ? `tag key ${issue.issues[0]?.message ?? 'is invalid'}`
            : 'expected an object of string tags',
      })
      .refine((t) => Object.keys(t).length <= limits.maxTags, { error: `at most ${limits.maxTags} tags` })
      .optional(),
  });
  const header = {
    reversaJobReport: z.literal(GENERIC_REPORT_VERSION, { error: `expected ${GENERIC_REPORT_VERSION}` }),
    tool: id,
    generatedAt: time.optional(),
  };
  return {
    job,
    report: z.strictObject({ ...header, jobs: z.array(job, { error: 'expected an array of jobs' }) }),
    header: z.strictObject(header),
  };
}

const cachedSchemas = schemas(DEFAULT_INGEST_LIMITS);

export type GenericJob = z.infer<typeof cachedSchemas.job>;
export type GenericReport = z.infer<typeof cachedSchemas.report>;
type GenericHeader = z.infer<typeof cachedSchemas.header>;

/** zod says `Unrecognized key: "x"` at the object; we point at the key itself. */
function issuesOf(error: z.ZodError): SchemaIssue[] {
  const out: SchemaIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...issue.path, key], message: 'unknown field' });
    } else {
      out.push({ path: issue.path, message: issue.message });
    }
  }
  return out;
}

function addIssues(list: ProblemList, error: z.ZodError, prefix: readonly PathSegment[] = []): void {
  for (const issue of issuesOf(error)) {
    list.add([...prefix, ...issue.path.map((k) => (typeof k === 'number' ? k : String(k)))], issue.message);
  }
}

function defaultPointStatus(state: JobState): RecoveryPointStatus {
  switch (state) {
    case 'COMPLETED':
      return 'AVAILABLE';
    case 'PARTIAL':
      return 'PARTIAL';
    case 'CREATED':
    case 'PENDING':
    case 'RUNNING':
    case 'ABORTING':
      return 'CREATING';
    default:
      return 'ERROR';
  }
}

const ms = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : parseIsoTime(iso));

function factsOfJob(tenantId: string, header: GenericHeader, j: GenericJob): FactBatch {
  const startedAt = ms(j.startedAt)!;
  const completedAt = ms(j.completedAt);
  // The report's own time is the observation; without one, the job's latest known time.
  const observedAt = ms(header.generatedAt) ?? completedAt ?? startedAt;
  const kind = j.kind ?? 'backup';
  const rp = j.recoveryPoint;
  const job = compact<BackupJob>({
    tenantId,
    source: 'generic',
    kind,
    jobId: j.id,
    resourceId: j.resource,
    resourceType: j.resourceType,
    state: j.state,
    statusMessage: j.message ? j.message : undefined,
    startedAt,
    completedAt,
    sizeBytes: j.sizeBytes,
    recoveryPointId: rp?.id,
    sourceRecoveryPointId: kind === 'copy' ? rp?.copyOf : undefined,
    location: rp?.location,
    region: rp?.region,
    accountId: rp?.account,
    observedAt,
  });
  const batch: FactBatch = {
    jobs: [job],
    recoveryPoints: [],
    resources: [
      seen(
        { tenantId, source: 'generic', resourceId: j.resource, resourceType: j.resourceType, tags: j.tags },
        observedAt,
      ),
    ],
  };
  if (rp) {
    batch.recoveryPoints.push(
      compact<RecoveryPoint>({
        tenantId,
        source: 'generic',
        recoveryPointId: rp.id,
        resourceId: j.resource,
        resourceType: j.resourceType,
        status: rp.status ?? defaultPointStatus(j.state),
        // The data is as old as the start of the backup: dating the point there never flatters the RPO.
        createdAt: ms(rp.createdAt) ?? startedAt,
        sizeBytes: j.sizeBytes,
        encrypted: rp.encrypted,
        encryptionKeyId: rp.keyId,
        location: rp.location,
        region: rp.region,
        accountId: rp.account,
        offsite: rp.offsite,
        copyOf: rp.copyOf,
        deleteAt: ms(rp.deleteAt),
        immutableUntil: ms(rp.immutableUntil),
        lockMode: rp.lockMode,
        observedAt,
      }),
    );
  }
  return batch;
}

function checkTimes(list: ProblemList, j: GenericJob, path: PathSegment[]): void {
  const started = ms(j.startedAt)!;
  const completed = ms(j.completedAt);
  if (completed !== undefined && completed < started) {
    list.add([...path, 'completedAt'], 'must not be before startedAt');
  }
}

function toBatch(tenantId: string, header: GenericHeader, jobs: readonly GenericJob[]): FactBatch {
  const parts = jobs.map((j) => factsOfJob(tenantId, header, j));
  return finaliseBatch({
    jobs: parts.flatMap((p) => p.jobs),
    recoveryPoints: parts.flatMap((p) => p.recoveryPoints),
    resources: parts.flatMap((p) => p.resources),
  });
}

export interface ParseContext {
  tenantId: string;
  fileName: string;
}

/** A parsed JSON document that has `reversaJobReport` → facts, or ValidationError('InvalidJobReport'). */
export function parseGenericReport(
  doc: unknown,
  text: string,
  ctx: ParseContext,
  limits: IngestLimits = DEFAULT_INGEST_LIMITS,
): FactBatch {
  if (typeof doc === 'object' && doc !== null && Array.isArray((doc as { jobs?: unknown }).jobs)) {
    checkRecordCount((doc as { jobs: unknown[] }).jobs.length, ctx.fileName, 'jobs', limits);
  }
  const s = limits === DEFAULT_INGEST_LIMITS ? cachedSchemas : schemas(limits);
  const list = new ProblemList(ctx.fileName, text, 0, limits.maxProblems);
  const parsed = s.report.safeParse(doc);
  if (!parsed.success) {
    addIssues(list, parsed.error);
    list.throwIfAny();
  }
  const report = parsed.data!;
  report.jobs.forEach((j, i) => {
    checkTimes(list, j, ['jobs', i]);
  });
  list.throwIfAny();
  return toBatch(ctx.tenantId, report, report.jobs);
}

/**
 * NDJSON form: line 1 is the header (`{"reversaJobReport":1,"tool":...}`), every further
 * non-blank line one job. Problems name the line; paths are relative to that line's job.
 */
export function parseGenericNdjson(
  lines: readonly string[],
  ctx: ParseContext,
  limits: IngestLimits = DEFAULT_INGEST_LIMITS,
): FactBatch {
  const s = limits === DEFAULT_INGEST_LIMITS ? cachedSchemas : schemas(limits);
  const list = new ProblemList(ctx.fileName, undefined, 0, limits.maxProblems);
  let header: GenericHeader | undefined;
  const jobs: GenericJob[] = [];
  let jobCount = 0;
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const lineNo = index + 1;
    const lineList = new ProblemList(ctx.fileName, line, index, limits.maxProblems);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      list.add([], 'line is not valid JSON (expected one JSON object per line)', { line: lineNo, column: 1 });
      return;
    }
    if (header === undefined && jobCount === 0) {
      const h = s.header.safeParse(value);
      if (!h.success) {
        for (const issue of issuesOf(h.error)) {
          const path = issue.path.map((k) => (typeof k === 'number' ? k : String(k)));
          lineList.add(path, `${issue.message} (line 1 must be the report header)`);
        }
        list.problems.push(...lineList.problems);
        header = { reversaJobReport: 1, tool: '?' };
        return;
      }
      header = h.data;
      return;
    }
    jobCount++;
    const j = s.job.safeParse(value);
    if (!j.success) {
      for (const issue of issuesOf(j.error)) {
        lineList.add(
          issue.path.map((k) => (typeof k === 'number' ? k : String(k))),
          issue.message,
        );
      }
      list.problems.push(...lineList.problems.slice(0, Math.max(0, limits.maxProblems - list.problems.length)));
      return;
    }
    checkTimes(lineList, j.data, []);
    list.problems.push(...lineList.problems.slice(0, Math.max(0, limits.maxProblems - list.problems.length)));
    jobs.push(j.data);
  });
  checkRecordCount(jobCount, ctx.fileName, '', limits);
  list.throwIfAny();
  return toBatch(ctx.tenantId, header ?? { reversaJobReport: 1, tool: '?' }, jobs);
}
