/**
 * Hostile text in strategies (issue 8): invalid UTF-8, control characters in ids and names, and
 * nesting deep enough to make the YAML parser recurse. Before: U+FFFD and NUL were stored in
 * tenant names, and a 50,000-level document was refused with a message hundreds to tens of
 * thousands of characters long (the path of every level).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStrategy } from '#core/strategy/parse.ts';
import { decodeUtf8Strict } from '#core/text.ts';
import { problemsOf, VALID } from './helpers.ts';

/** A bound that a one-line message meets and a path of thousands of `[0]` does not. */
const SHORT = 400;

describe('a strategy nested deeper than 64 levels', () => {
  const n = 50_000;
  it.each([
    // VALID has 17 lines: the nesting starts on line 18.
    ['flow sequences', `${VALID}extra: ${'['.repeat(n)}${']'.repeat(n)}\n`, 18],
    ['flow mappings', `${VALID}extra: ${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`, 18],
    ['compact block sequences', `${VALID}extra:\n  ${'- '.repeat(n)}x\n`, 19],
    ['JSON', `{"apiVersion": "reversa/v1", "tenant": ${'{"a": '.repeat(n)}1${'}'.repeat(n)}}`, 1],
    ['an unterminated flow', `tenant: ${'['.repeat(n)}`, 1],
  ])('is refused with one short problem naming the line (%s)', (_kind, text, line) => {
    const problems = problemsOf(text);

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line, message: expect.stringContaining('nested more than 64 levels') });
    expect(JSON.stringify(problems).length).toBeLessThan(SHORT);
  });

  it('is refused when indentation nests it, even with a block scalar in the middle resetting the columns', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `${' '.repeat(i)}k${i}:`);
    const text = `${lines.join('\n')} |\n${' '.repeat(41)}text\n${Array.from({ length: 40 }, (_, i) => `${' '.repeat(39 + i)}m${i}:`).join('\n')} x\n`;

    expect(problemsOf(text)).toEqual([expect.objectContaining({ message: expect.stringContaining('64 levels') })]);
  });

  it('is accepted at the depth real strategies use', () => {
    expect(parseStrategy(VALID, 'acme.yaml').document.tenant.id).toBe('acme');
  });
});

describe('characters a strategy cannot hold', () => {
  it('refuses a raw NUL byte where it stands', () => {
    const text = VALID.replace('name: ACME Industries', 'name: ACME\u0000Industries');

    expect(problemsOf(text)).toEqual([
      expect.objectContaining({ line: 4, column: 13, message: expect.stringContaining('NUL (U+0000)') }),
    ]);
  });

  it('refuses U+FFFD, the mark of a file that was not UTF-8 when it was read', () => {
    const text = VALID.replace('name: ACME Industries', 'name: ACME Indus\ufffdtries');

    expect(problemsOf(text)).toEqual([
      expect.objectContaining({ line: 4, column: 19, message: expect.stringContaining('save the strategy as UTF-8') }),
    ]);
  });

  it('names the byte offset and line of invalid UTF-8 before anything is parsed', () => {
    const bytes = Buffer.concat([Buffer.from(VALID.slice(0, 30)), Buffer.from([0xff]), Buffer.from(VALID.slice(30))]);

    // Offset 30 is the 8th byte of line 2 ("tenant:\n" starts at offset 23).
    expect(decodeUtf8Strict(bytes, 'acme.yaml')).toMatchObject({
      line: 2,
      column: 8,
      message: expect.stringContaining('byte 0xFF at byte offset 30'),
    });
  });

  it.each([
    ['a NUL in the tenant name', 'name: ACME Industries', 'name: "ACME\\0Industries"', 'tenant.name', 'NUL'],
    ['an ESC in a resource name', 'name: Orders database', 'name: "Orders\\e[2J"', 'resources[0].name', 'ESC'],
    ['a tab in a locator', 'locator: arn:aws:rds', 'locator: "arn:aws:\\trds', 'resources[0].locator', 'TAB'],
    ['a line break in a tag value', 'backup: daily', 'backup: "dai\\nly"', 'resources[1].select.tags.backup', 'LF'],
    [
      'a C1 character in an exclusion reason',
      'reason: scratch volume',
      'reason: "scratch\\x85volume"',
      'exclusions[0].reason',
      'NEL',
    ],
  ])('refuses %s written as a YAML escape, naming the field and its line', (_what, from, to, path, name) => {
    const text = VALID.replace(from, to).replace(
      '"arn:aws:\\trds:eu-west-3:111122223333:db:orders',
      '"arn:aws:\\trds:eu-west-3:111122223333:db:orders"',
    );

    const problems = problemsOf(text);

    expect(problems).toContainEqual(
      expect.objectContaining({ path, line: expect.any(Number), message: expect.stringContaining(name) }),
    );
  });

  it('refuses a control character in a key, naming the key', () => {
    const text = VALID.replace('backup: daily', '"back\\aup": daily');

    expect(problemsOf(text)).toContainEqual(
      expect.objectContaining({
        path: 'resources[1].select.tags["back\\u0007up"]',
        message: expect.stringContaining('BEL'),
      }),
    );
  });

  it('accepts tabs and line breaks in an exclusion reason, which is prose', () => {
    const text = VALID.replace('reason: scratch volume', 'reason: "scratch volume,\\n\\trecreated at boot"');

    expect(parseStrategy(text, 'acme.yaml').document.exclusions?.[0]?.reason).toBe(
      'scratch volume,\n\trecreated at boot',
    );
  });
});

describe('strategy errors stay short whatever the input', () => {
  it('bounds the problem about a 100,000-character unknown key', () => {
    const problems = problemsOf(VALID.replace('timezone:', `${'k'.repeat(100_000)}: 1\ntimezone:`));

    for (const p of problems) expect(p.path.length + p.message.length).toBeLessThan(800);
  });

  it('keeps every problem short on random hostile edits of a valid strategy (property)', () => {
    const hostile = fc.string({
      unit: fc.constantFrom('\u0000', '\u001b', '\u0085', '\ufffd', '[', '{', ':', '- ', '\n', ' ', '"', '\\', 'a'),
      maxLength: 400,
    });
    fc.assert(
      fc.property(fc.nat(VALID.length), hostile, (at, bit) => {
        const text = VALID.slice(0, at) + bit + VALID.slice(at);
        try {
          parseStrategy(text, 'fuzz.yaml');
        } catch (error) {
          const problems = (error as { problems?: Array<{ path: string; message: string; line?: number }> }).problems;
          expect(problems?.length).toBeGreaterThan(0);
          for (const p of problems ?? []) {
            expect(p.line).toBeGreaterThanOrEqual(1);
            expect(p.path.length + p.message.length).toBeLessThan(800);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
