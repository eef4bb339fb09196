/**
 * Robust outlier test shared by SizeAnomaly and DurationAnomaly: median and MAD of the resource's
 * own history, robust z = (x − median) / (1.4826 · MAD). Median and MAD resist the outliers we are
 * looking for, where mean and standard deviation would be dragged towards them.
 *
 * The history is copied into one module-level scratch buffer grown on demand and selected in
 * place (quickselect), so a sweep over thousands of resources allocates nothing per record.
 */
import type { BackupJob } from '../model.ts';
import type { AnomalySensitivity } from '../strategy/policy.ts';
import { firstJobFrom, iso, jobsEndAt, lookbackStart } from './support.ts';
import type { RuleInput, Verdict } from './types.ts';

/** |robust z| above which a value is an anomaly, per declared sensitivity. */
export const Z_THRESHOLDS: Readonly<Record<Exclude<AnomalySensitivity, 'off'>, number>> = {
  low: 6,
  medium: 4,
  high: 3.5,
};

let scratch = new Float64Array(1024);

function ensureScratch(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  return scratch;
}

/** Rearranges a[0..n) so a[k] is the k-th smallest, smaller ones before it (Hoare quickselect). */
function select(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}

/** Median of a[0..n), n ≥ 1. Reorders a. */
export function medianInPlace(a: Float64Array, n: number): number {
  const mid = n >>> 1;
  const upper = select(a, n, mid);
  if (n % 2 === 1) return upper;
  let lower = a[0]!;
  for (let i = 1; i < mid; i++) if (a[i]! > lower) lower = a[i]!;
  return (lower + upper) / 2;
}

export interface AnomalySpec {
  ruleLabel: string;
  unit: string;
  /** The measured value of a completed backup job, or undefined when the source did not report it. */
  value(job: BackupJob): number | undefined;
  /** Smallest scale, as a share of the median and in absolute units, so a flat history does not flag noise. */
  minScaleRatio: number;
  minScaleAbs: number;
  /** Zero is always an anomaly (a zero-byte backup saved nothing). */
  zeroIsAnomaly: boolean;
  /** Flag a value below this share of the median whatever z says (0 disables). */
  dropRatio: number;
  format(value: number): string;
}

export function evaluateAnomaly(input: RuleInput, spec: AnomalySpec): Verdict {
  const { resource, facts, at } = input;
  const { sensitivity, minHistory } = resource.policy.anomaly;
  if (sensitivity === 'off') return { status: 'NOT_APPLICABLE', summary: 'anomaly detection is off' };
  const jobs = facts.jobs;
  const end = jobsEndAt(jobs, at);
  let latestIndex = -1;
  let latest = 0;
  for (let i = end - 1; i >= 0; i--) {
    const j = jobs[i]!;
    if (j.kind !== 'backup' || j.state !== 'COMPLETED') continue;
    const v = spec.value(j);
    if (v === undefined) continue;
    latestIndex = i;
    latest = v;
    break;
  }
  if (latestIndex < 0) {
    return {
      status: 'NOT_APPLICABLE',
      summary: `no completed backup job reports its ${spec.unit === 'bytes' ? 'size' : 'duration'}`,
    };
  }
  const job = jobs[latestIndex]!;
  if (spec.zeroIsAnomaly && latest === 0) {
    return {
      status: 'NON_COMPLIANT',
      severity: 'high',
      summary: `latest backup job ${job.jobId} saved 0 ${spec.unit}`,
      evidence: { jobId: job.jobId, startedAt: iso(job.startedAt), value: 0, unit: spec.unit },
    };
  }

  const buf = ensureScratch(latestIndex + 1);
  let n = 0;
  for (let i = firstJobFrom(jobs, lookbackStart(input)); i < latestIndex; i++) {
    const j = jobs[i]!;
    if (j.kind !== 'backup' || j.state !== 'COMPLETED') continue;
    const v = spec.value(j);
    if (v !== undefined) buf[n++] = v;
  }
  if (n < minHistory || n === 0) {
    return {
      status: 'NOT_APPLICABLE',
      summary: `${n} earlier completed jobs in the last ${resource.policy.lookback.text}, ${minHistory} needed to judge`,
    };
  }
  const median = medianInPlace(buf, n);
  for (let i = 0; i < n; i++) buf[i] = Math.abs(buf[i]! - median);
  const mad = medianInPlace(buf, n);
  const scale = Math.max(1.4826 * mad, spec.minScaleRatio * Math.abs(median), spec.minScaleAbs);
  const z = (latest - median) / scale;
  const threshold = Z_THRESHOLDS[sensitivity];
  const dropped = spec.dropRatio > 0 && latest < spec.dropRatio * median;
  const evidence = {
    jobId: job.jobId,
    startedAt: iso(job.startedAt),
    value: latest,
    unit: spec.unit,
    median,
    mad,
    robustZ: Math.round(z * 100) / 100,
    threshold,
    history: n,
  };
  if (dropped) {
    return {
      status: 'NON_COMPLIANT',
      severity: 'high',
      summary: `latest ${spec.ruleLabel} ${spec.format(latest)} is ${Math.round((1 - latest / median) * 100)}% below the median ${spec.format(median)} of ${n} jobs`,
      evidence,
    };
  }
  if (Math.abs(z) > threshold) {
    return {
      status: 'NON_COMPLIANT',
      severity: 'medium',
      summary: `latest ${spec.ruleLabel} ${spec.format(latest)} is atypical: robust z ${evidence.robustZ} vs threshold ${threshold} (median ${spec.format(median)} of ${n} jobs)`,
      evidence,
    };
  }
  return {
    status: 'COMPLIANT',
    summary: `latest ${spec.ruleLabel} ${spec.format(latest)} is typical (robust z ${evidence.robustZ}, median ${spec.format(median)})`,
  };
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
