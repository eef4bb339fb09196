/**
 * `pgbackrest info --output=json` → facts. The output is the catalogue of every stanza
 * (one PostgreSQL cluster each) with the backups still in the repository: each backup is a
 * job that finished (pgBackRest only lists backups it completed) and a recovery point.
 */
import { z } from 'zod';
import type { BackupJob, FactBatch, RecoveryPoint } from '../model.ts';
import { compact, finaliseBatch, seen } from './batch.ts';
import { idField, messageField } from './fields.ts';
import type { IngestLimits } from './limits.ts';
import { checkRecordCount, DEFAULT_INGEST_LIMITS } from './limits.ts';
import { ProblemList } from './problems.ts';

export interface PgBackRestContext {
  tenantId: string;
  fileName: string;
  receivedAt: number;
}

export const pgbackrestLocator = (stanza: string): string => `pgbackrest:${stanza}`;
export const pgbackrestPointId = (stanza: string, label: string): string => `pgbackrest:${stanza}:${label}`;

function schemas(limits: IngestLimits) {
  const name = idField(limits);
  const epochSeconds = z
    .number({ error: 'expected epoch seconds' })
    .int({ error: 'expected whole epoch seconds' })
    .min(0, { error: 'must be >= 0' })
    .max(32_503_680_000, { error: 'is after year 3000' });
  const bytes = z.number({ error: 'expected a number of bytes' }).int().min(0).max(Number.MAX_SAFE_INTEGER);
  const backup = z.object({
    label: z.string({ error: 'expected a backup label' }).regex(/^\d{8}-\d{6}F(_\d{8}-\d{6}[DI])?$/, {
      error: 'expected a pgBackRest label such as 20260131-020000F or 20260131-020000F_20260201-020000I',
    }),
    type: z.enum(['full', 'diff', 'incr'], { error: 'expected full, diff or incr' }),
    timestamp: z.object({ start: epochSeconds, stop: epochSeconds }, { error: 'expected {start, stop}' }),
    info: z.object({ size: bytes.optional(), delta: bytes.optional() }, { error: 'expected an object' }).optional(),
    error: z.boolean({ error: 'expected true or false' }).optional(),
    database: z.object({ 'repo-key': z.number().int().min(1).max(256).optional() }).optional(),
  });
  const repo = z.object({
    key: z.number({ error: 'expected a repository number' }).int().min(1).max(256),
    cipher: z.string({ error: 'expected a cipher name' }).max(64).optional(),
  });
  const stanza = z.object({
    name,
    backup: z.array(backup, { error: 'expected an array of backups' }),
    cipher: z.string({ error: 'expected a cipher name' }).max(64).optional(),
    repo: z.array(repo, { error: 'expected an array of repositories' }).optional(),
    status: z.object({ code: z.number().int(), message: messageField(limits) }).optional(),
  });
  return z.array(stanza);
}

const cached = schemas(DEFAULT_INGEST_LIMITS);
type Stanza = z.infer<typeof cached>[number];

function factsOfStanza(s: Stanza, ctx: PgBackRestContext): FactBatch {
  const resourceId = pgbackrestLocator(s.name);
  const batch: FactBatch = { jobs: [], recoveryPoints: [], resources: [] };
  let lastSeen: number | undefined;
  for (const b of s.backup) {
    const id = pgbackrestPointId(s.name, b.label);
    const startedAt = b.timestamp.start * 1000;
    const completedAt = b.timestamp.stop * 1000;
    const repoKey = b.database?.['repo-key'] ?? 1;
    const cipher = s.repo?.find((r) => r.key === repoKey)?.cipher ?? s.cipher;
    const encrypted = cipher === undefined ? undefined : cipher !== 'none';
    const location = `repo${repoKey}`;
    // pgBackRest flags a backup with `error: true` when it found problems (e.g. page checksum
    // errors) but still stored it: usable with doubt, which is what PARTIAL means.
    const flagged = b.error === true;
    lastSeen = Math.max(lastSeen ?? completedAt, completedAt);
    batch.jobs.push(
      compact<BackupJob>({
        tenantId: ctx.tenantId,
        source: 'pgbackrest',
        kind: 'backup',
        jobId: id,
        resourceId,
        resourceType: 'PostgreSQL',
        state: flagged ? 'PARTIAL' : 'COMPLETED',
        statusMessage: flagged
          ? `pgBackRest ${b.type} backup ${b.label} is flagged with errors (e.g. page checksums)`
          : undefined,
        startedAt,
        completedAt,
        sizeBytes: b.info?.size,
        recoveryPointId: id,
        location,
        observedAt: completedAt,
      }),
    );
    batch.recoveryPoints.push(
      compact<RecoveryPoint>({
        tenantId: ctx.tenantId,
        source: 'pgbackrest',
        recoveryPointId: id,
        resourceId,
        resourceType: 'PostgreSQL',
        status: flagged ? 'PARTIAL' : 'AVAILABLE',
        createdAt: startedAt,
        sizeBytes: b.info?.size,
        encrypted,
        location,
        observedAt: completedAt,
      }),
    );
  }
  // A stanza without backups is still a resource someone set up: seen now, for drift.
  batch.resources.push(
    seen(
      { tenantId: ctx.tenantId, source: 'pgbackrest', resourceId, resourceType: 'PostgreSQL' },
      lastSeen ?? ctx.receivedAt,
    ),
  );
  return batch;
}

export function parsePgBackRestInfo(
  doc: unknown,
  text: string,
  ctx: PgBackRestContext,
  limits: IngestLimits = DEFAULT_INGEST_LIMITS,
): FactBatch {
  if (Array.isArray(doc)) {
    let total = 0;
    for (const s of doc) {
      const b = typeof s === 'object' && s !== null ? (s as { backup?: unknown }).backup : undefined;
      total += Array.isArray(b) ? b.length : 0;
    }
    checkRecordCount(total, ctx.fileName, '', limits);
  }
  const list = new ProblemList(ctx.fileName, text, 0, limits.maxProblems);
  const parsed = (limits === DEFAULT_INGEST_LIMITS ? cached : schemas(limits)).safeParse(doc);
  if (!parsed.success) {
    for (const i of parsed.error.issues)
      list.add(
        i.path.map((k) => (typeof k === 'number' ? k : String(k))),
        i.message,
      );
    list.throwIfAny();
  }
  const parts = parsed.data!.map((s) => factsOfStanza(s, ctx));
  return finaliseBatch({
    jobs: parts.flatMap((p) => p.jobs),
    recoveryPoints: parts.flatMap((p) => p.recoveryPoints),
    resources: parts.flatMap((p) => p.resources),
  });
}
