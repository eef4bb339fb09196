/** Short human texts for report values. Pure and locale-free, so a report renders the same everywhere. */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A duration to the two most significant units: `850 ms`, `42 s`, `12 min 5 s`, `3 h 20 min`,
 * `2 d 4 h`. RTOs of restore tests range from seconds to days, so one fixed unit would not do.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < SECOND) return `${sign}${Math.round(abs)} ms`;
  if (abs < MINUTE) {
    const s = abs / SECOND;
    return `${sign}${s < 10 ? Math.round(s * 10) / 10 : Math.round(s)} s`;
  }
  const units: [number, string][] = [
    [DAY, 'd'],
    [HOUR, 'h'],
    [MINUTE, 'min'],
    [SECOND, 's'],
  ];
  let rest = Math.round(abs / SECOND) * SECOND;
  const parts: string[] = [];
  for (const [size, name] of units) {
    if (parts.length === 2) break;
    const n = Math.floor(rest / size);
    if (n > 0 || parts.length > 0) {
      if (n > 0) parts.push(`${n} ${name}`);
      else break;
    }
    rest -= n * size;
  }
  return sign + parts.join(' ');
}

/** A share as a percentage with one decimal, or undefined when there is nothing to divide. */
export function percent(part: number, whole: number): number | undefined {
  if (whole === 0) return undefined;
  return Math.round((part / whole) * 1000) / 10;
}
