import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '#core/audit/canonical.ts';

/** Runs jq once over many values (one per line) and returns its lines. */
function jqCanonical(values: unknown[]): string[] {
  const input = values.map((v) => JSON.stringify(v)).join('\n');
  return execFileSync('jq', ['-cS', '.'], { input, encoding: 'utf8' }).split('\n').slice(0, values.length);
}

describe('canonicalJson', () => {
  it('sorts keys and drops whitespace', () => {
    expect(canonicalJson({ b: [1, { d: true, c: null }], a: 'x' })).toBe('{"a":"x","b":[1,{"c":null,"d":true}]}');
  });

  it('orders keys by code point like jq, not by UTF-16 unit', () => {
    // U+1F600 (astral) sorts after U+FF21 by code point, before it by UTF-16 unit.
    expect(canonicalJson({ '\u{1F600}': 1, '\uFF21': 2 })).toBe('{"\uFF21":2,"\u{1F600}":1}');
  });

  it('refuses values JSON cannot carry exactly', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/safe integers/);
    expect(() => canonicalJson({ a: 1e21 })).toThrow(/safe integers/);
    expect(() => canonicalJson({ a: 1e-7 })).toThrow(/safe integers/);
    expect(() => canonicalJson({ a: new Date(0) })).toThrow(/plain objects/);
    expect(() => canonicalJson({ a: '\uD800' })).toThrow(/surrogate/);
  });

  it('prints decimals in the accepted range exactly as jq does', () => {
    const numbers = fc.sample(
      fc.oneof(
        fc.double({ min: 1e-4, max: 1e15 - 1, noNaN: true }),
        fc.double({ min: -1e15 + 1, max: -1e-4, noNaN: true }),
        fc.maxSafeInteger(),
      ),
      { numRuns: 2000, seed: 11 },
    );
    const viaJq = jqCanonical(numbers);
    numbers.forEach((n, i) => {
      expect(canonicalJson(n)).toBe(viaJq[i]);
    });
  });

  it('prints exactly what `jq -cS .` prints for any JSON value it accepts', () => {
    const samples = fc.sample(
      fc.jsonValue({ maxDepth: 3, noUnicodeString: false }).filter((v) => {
        try {
          canonicalJson(v);
          return true;
        } catch {
          return false; // lone surrogates and out-of-range numbers: refused by design
        }
      }),
      { numRuns: 400, seed: 7 },
    );
    const viaJq = jqCanonical(samples);
    samples.forEach((value, i) => {
      expect(canonicalJson(value), JSON.stringify(value)).toBe(viaJq[i]);
    });
  });
});
