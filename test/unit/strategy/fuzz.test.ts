import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#core/errors.ts';
import { parseStrategy } from '#core/strategy/parse.ts';

const EXAMPLE = readFileSync('examples/acme.strategy.yaml', 'utf8');

/** Accepts or rejects: anything thrown must be a ValidationError whose every problem is located. */
function parsesOrExplains(text: string): void {
  try {
    parseStrategy(text, 'fuzz.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    const problems = (error as ValidationError).problems;
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) {
      expect(p.file).toBe('fuzz.yaml');
      expect(p.line).toBeGreaterThanOrEqual(1);
      expect(p.column).toBeGreaterThanOrEqual(1);
      expect(p.message.length).toBeGreaterThan(0);
    }
  }
}

const lines = EXAMPLE.split('\n');
const YAML_BITS = [
  ':',
  '- ',
  '  ',
  '\t',
  '&a ',
  '*a',
  '{',
  '}',
  '[',
  ']',
  '"',
  "'",
  '#',
  '---',
  '? ',
  '!!str ',
  '\n',
  '0',
  'x',
];

/** One edit of the example: the kinds of mistakes people (and corrupted uploads) make. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete-line' as const), at: fc.nat(lines.length - 1) }),
  fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat(lines.length - 1) }),
  fc.record({ kind: fc.constant('swap-lines' as const), at: fc.nat(lines.length - 2) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(EXAMPLE.length),
    bit: fc.oneof(fc.constantFrom(...YAML_BITS), fc.string({ maxLength: 8 })),
  }),
  fc.record({
    kind: fc.constant('delete-chars' as const),
    at: fc.nat(EXAMPLE.length),
    count: fc.integer({ min: 1, max: 6 }),
  }),
);

type Mutation =
  | { kind: 'delete-line' | 'duplicate-line' | 'swap-lines'; at: number }
  | { kind: 'insert'; at: number; bit: string }
  | { kind: 'delete-chars'; at: number; count: number };

function apply(text: string, mutations: Mutation[]): string {
  return mutations.reduce(applyOne, text);
}

function applyOne(text: string, m: Mutation): string {
  const ls = text.split('\n');
  const at = Math.min(m.at, Math.max(ls.length - 2, 0));
  switch (m.kind) {
    case 'delete-line':
      ls.splice(at, 1);
      return ls.join('\n');
    case 'duplicate-line':
      ls.splice(at, 0, ls[at] ?? '');
      return ls.join('\n');
    case 'swap-lines':
      [ls[at], ls[at + 1]] = [ls[at + 1] ?? '', ls[at] ?? ''];
      return ls.join('\n');
    case 'insert':
      return text.slice(0, m.at) + m.bit + text.slice(m.at);
    case 'delete-chars':
      return text.slice(0, m.at) + text.slice(m.at + m.count);
  }
}

describe('parseStrategy under fuzzing', () => {
  it('never throws anything but a located ValidationError on random text', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 200 })),
        parsesOrExplains,
      ),
      { numRuns: 500 },
    );
  });

  it('never throws anything but a located ValidationError on random YAML-looking text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...YAML_BITS, 'rpo', 'resources', 'apiVersion'), { maxLength: 60 }),
        (bits) => parsesOrExplains(bits.join('')),
      ),
      { numRuns: 500 },
    );
  });

  it('never throws anything but a located ValidationError on random JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => parsesOrExplains(JSON.stringify(value))),
      {
        numRuns: 300,
      },
    );
  });

  it('never throws anything but a located ValidationError on random edits of the example', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) =>
        parsesOrExplains(apply(EXAMPLE, mutations)),
      ),
      { numRuns: 400 },
    );
    // 400 parses of the full example: CPU-bound, seconds on a busy 2-core machine.
  }, 30_000);
});
