/**
 * Makes a FactBatch canonical: one record per id, sorted by id, so the same facts in any
 * order or repeated produce an identical batch (idempotent ingestion, stable hashes, stable
 * tests). When a report lists the same job twice, the later observation wins, then the more
 * advanced state; the final tie-break on the serialised record keeps it deterministic. Two
 * observations of one recovery point are merged (mergePointObservations): no fact is lost.
 */
import type { BackupJob, FactBatch, RecoveryPoint, SeenResource } from '../model.ts';
import { jobStateRank, mergePointObservations } from '../model.ts';

export function emptyBatch(): FactBatch {
  return { jobs: [], recoveryPoints: [], resources: [] };
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pick<T>(a: T, b: T, rank: (x: T) => [number, number]): T {
  const [ao, ar] = rank(a);
  const [bo, br] = rank(b);
  if (ao !== bo) return ao > bo ? a : b;
  if (ar !== br) return ar > br ? a : b;
  return compareStrings(JSON.stringify(a), JSON.stringify(b)) >= 0 ? a : b;
}

function mergeResources(a: SeenResource, b: SeenResource): SeenResource {
  const out: SeenResource = {
    tenantId: a.tenantId,
    source: a.source,
    resourceId: a.resourceId,
    firstSeenAt: Math.min(a.firstSeenAt, b.firstSeenAt),
    lastSeenAt: Math.max(a.lastSeenAt, b.lastSeenAt),
  };
  const type = a.resourceType ?? b.resourceType;
  if (type !== undefined)
    out.resourceType = a.resourceType && b.resourceType ? [a.resourceType, b.resourceType].sort()[1]! : type;
  if (a.tags || b.tags) {
    // The most recently seen tags describe the resource now; equal times merge deterministically.
    const older = a.lastSeenAt < b.lastSeenAt ? a : b;
    const newer = older === a ? b : a;
    const merged: Record<string, string> = { ...(older.tags ?? {}), ...(newer.tags ?? {}) };
    out.tags = Object.fromEntries(Object.entries(merged).sort(([x], [y]) => compareStrings(x, y)));
  }
  return out;
}

export function finaliseBatch(batch: FactBatch): FactBatch {
  const jobs = new Map<string, BackupJob>();
  for (const j of batch.jobs) {
    const key = `${j.source}\u0000${j.jobId}`;
    const prev = jobs.get(key);
    jobs.set(key, prev ? pick(prev, j, (x) => [x.observedAt, jobStateRank(x.state)]) : j);
  }
  const points = new Map<string, RecoveryPoint>();
  for (const p of batch.recoveryPoints) {
    const key = `${p.source}\u0000${p.recoveryPointId}`;
    const prev = points.get(key);
    points.set(key, prev ? mergePointObservations(prev, p) : p);
  }
  const resources = new Map<string, SeenResource>();
  for (const r of batch.resources) {
    const key = `${r.source}\u0000${r.resourceId}`;
    const prev = resources.get(key);
    resources.set(key, prev ? mergeResources(prev, r) : r);
  }
  const byKey = <T>(m: Map<string, T>): T[] =>
    [...m.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, v]) => v);
  return { jobs: byKey(jobs), recoveryPoints: byKey(points), resources: byKey(resources) };
}

/** A SeenResource for one observation; finaliseBatch merges repeated sightings. */
export function seen(
  r: Pick<SeenResource, 'tenantId' | 'source' | 'resourceId'> & {
    resourceType?: string | undefined;
    tags?: Record<string, string> | undefined;
  },
  at: number,
): SeenResource {
  const out: SeenResource = {
    tenantId: r.tenantId,
    source: r.source,
    resourceId: r.resourceId,
    firstSeenAt: at,
    lastSeenAt: at,
  };
  if (r.resourceType !== undefined) out.resourceType = r.resourceType;
  if (r.tags !== undefined && Object.keys(r.tags).length > 0) out.tags = r.tags;
  return out;
}

/** Drops undefined-valued keys: with exactOptionalPropertyTypes an absent field and `undefined` differ, and stores should not see the latter. */
export function compact<T extends object>(o: Loose<T>): T {
  const out = o as T;
  for (const k of Object.keys(out) as (keyof T)[]) if (out[k] === undefined) delete out[k];
  return out;
}

/** T whose optional fields also accept `undefined` (filled from possibly-missing input, then compacted). */
export type Loose<T> = { [K in keyof T]: Record<never, never> extends Pick<T, K> ? T[K] | undefined : T[K] };
