/**
 * Canonical JSON: object keys sorted by Unicode code point, no whitespace, strings escaped as
 * JSON.stringify does plus U+007F as \u007f. That is byte for byte what `jq -cjS .` (jq 1.6+)
 * prints for the same value, so an auditor can recompute an entry hash with stock tools:
 * `jq -cjS . entry.json | sha256sum` (test/unit/audit/canonical.test.ts checks it against jq).
 *
 * Only JSON values are accepted: numbers in the range both print alike (canonicalNumber), strings without lone surrogates, booleans,
 * null, arrays and plain objects. Anything else is a bug of the caller (InternalError), because
 * a silently dropped field would make two different records hash alike.
 */
import { InternalError } from '../errors.ts';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const NON_ASCII = /[\u0080-\uffff]/;

function compareCodePoints(a: string, b: string): number {
  // Plain `<` compares UTF-16 code units, which orders astral characters before U+E000–U+FFFF;
  // jq compares UTF-8 bytes, i.e. code points. ASCII keys (the usual case) agree either way.
  if (!NON_ASCII.test(a) && !NON_ASCII.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * JavaScript and jq agree on the shortest round-trip digits, but not on when to switch to
 * exponent notation (JS at 1e21 and 1e-7, jq 1.6 at 1e17 and 1e-5): only the range where both
 * print plain decimals is canonical. Summaries needing other numbers carry them as strings.
 */
export function canonicalNumber(value: number): boolean {
  if (Number.isInteger(value)) return Number.isSafeInteger(value);
  const abs = Math.abs(value);
  return Number.isFinite(value) && abs >= 1e-4 && abs < 1e15;
}

function str(value: string): string {
  if (LONE_SURROGATE.test(value)) throw new InternalError('NotCanonicalJson', 'string holds a lone UTF-16 surrogate');
  const json = JSON.stringify(value);
  return json.includes('\x7f') ? json.replaceAll('\x7f', '\\u007f') : json;
}

function write(value: unknown, out: string[]): void {
  if (value === null) {
    out.push('null');
    return;
  }
  switch (typeof value) {
    case 'string':
      out.push(str(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!canonicalNumber(value)) {
        throw new InternalError(
          'NotCanonicalJson',
          'numbers must be safe integers or decimals with 1e-4 <= |x| < 1e15 (put others in strings)',
        );
      }
      // -0 prints as 0 (JSON.stringify), and jq reads our 0 back as 0.
      out.push(JSON.stringify(value));
      return;
    case 'object': {
      if (Array.isArray(value)) {
        out.push('[');
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out.push(',');
          write(value[i], out);
        }
        out.push(']');
        return;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new InternalError('NotCanonicalJson', 'only plain objects can be canonicalised');
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort(compareCodePoints);
      out.push('{');
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        if (i > 0) out.push(',');
        out.push(str(key), ':');
        write(record[key], out);
      }
      out.push('}');
      return;
    }
    default:
      throw new InternalError('NotCanonicalJson', `a ${typeof value} is not a JSON value`);
  }
}

/** Canonical JSON text of a JSON value. Object properties whose value is undefined are omitted (as JSON does). */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, out);
  return out.join('');
}
