/**
 * Half-open time intervals [from, to) in epoch ms, as sorted disjoint lists. The SLA measures time
 * (protected resource-time, stale time) and removes what exclusions cover; with half-open intervals
 * consecutive windows tile time exactly, so an exclusion removes exactly what it covers.
 */

export interface Interval {
  from: number;
  to: number;
}

/** Sorted, merged, without empty intervals. */
export function normalise(list: readonly Interval[]): Interval[] {
  const sorted = list.filter((i) => i.to > i.from).sort((a, b) => a.from - b.from || a.to - b.to);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.from <= last.to) last.to = Math.max(last.to, i.to);
    else out.push({ from: i.from, to: i.to });
  }
  return out;
}

export function totalLength(list: readonly Interval[]): number {
  let sum = 0;
  for (const i of list) sum += i.to - i.from;
  return sum;
}

/** `a` minus `b`; both normalised. */
export function subtract(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  if (b.length === 0) return a.map((i) => ({ ...i }));
  const out: Interval[] = [];
  let k = 0;
  for (const i of a) {
    let from = i.from;
    while (k < b.length && b[k]!.to <= from) k++;
    let j = k;
    while (j < b.length && b[j]!.from < i.to) {
      if (b[j]!.from > from) out.push({ from, to: b[j]!.from });
      from = Math.max(from, b[j]!.to);
      j++;
    }
    if (from < i.to) out.push({ from, to: i.to });
  }
  return out;
}

/** `a` ∩ `b`; both normalised. */
export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const from = Math.max(a[i]!.from, b[j]!.from);
    const to = Math.min(a[i]!.to, b[j]!.to);
    if (to > from) out.push({ from, to });
    if (a[i]!.to < b[j]!.to) i++;
    else j++;
  }
  return out;
}

export function contains(list: readonly Interval[], at: number): boolean {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const i = list[mid]!;
    if (at < i.from) hi = mid - 1;
    else if (at >= i.to) lo = mid + 1;
    else return true;
  }
  return false;
}

/**
 * Adds the length of [from, to) falling in each bucket to `sums` (bucket k is [bounds[k], bounds[k+1])).
 * Used for the per-day series of the charts.
 */
export function addToBuckets(bounds: readonly number[], sums: number[], from: number, to: number): void {
  if (to <= from) return;
  let k = bucketOf(bounds, from);
  while (k < bounds.length - 1 && bounds[k]! < to) {
    const a = Math.max(from, bounds[k]!);
    const b = Math.min(to, bounds[k + 1]!);
    if (b > a) sums[k] = (sums[k] ?? 0) + (b - a);
    k++;
  }
}

/** Index of the bucket holding `at` (clamped to the first and last bucket). */
export function bucketOf(bounds: readonly number[], at: number): number {
  let lo = 0;
  let hi = bounds.length - 2;
  if (hi < 0) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bounds[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
