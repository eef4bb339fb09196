/**
 * Strict timestamp parsing. `Date.parse` accepts far too much (locale formats, missing
 * zones read as local time), which would make the same report mean different instants on
 * different machines; reports must carry an explicit offset.
 */

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:?\d{2})$/;

/** RFC 3339 timestamp with an explicit zone (restic prints nanoseconds) → epoch ms, or undefined. */
export function parseIsoTime(value: string): number | undefined {
  if (value.length > 40) return undefined;
  const m = ISO_RE.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string | undefined,
    string,
  ];
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  let t = Date.UTC(Number(y), month - 1, day, hour, minute, Math.min(second, 59), ms);
  // Date.UTC rolls 31 February into March: reject instead of guessing.
  if (new Date(t).getUTCDate() !== day) return undefined;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offH = Number(digits.slice(0, 2));
    const offM = Number(digits.slice(2, 4));
    if (offH > 23 || offM > 59) return undefined;
    t -= sign * (offH * 60 + offM) * 60_000;
  }
  return Number.isFinite(t) ? t : undefined;
}

/** AWS Backup sends dates as ISO strings in events and as Date objects from the SDK. */
export function toEpochMs(value: unknown): number | undefined {
  if (value instanceof Date) {
    const t = value.getTime();
    return Number.isFinite(t) ? t : undefined;
  }
  if (typeof value === 'string') return parseIsoTime(value);
  return undefined;
}

/** Epoch seconds (pgBackRest) → ms; undefined for anything that is not a plausible non-negative integer. */
export function epochSecondsToMs(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 32_503_680_000) return undefined;
  return value * 1000;
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
