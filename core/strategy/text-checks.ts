/**
 * Hostile text in a strategy, found before (or right after) YAML parsing:
 *
 * - characters YAML does not allow in a document (C0 controls but tab/LF/CR, DEL, C1) and U+FFFD,
 *   the mark of text that was not UTF-8 when it was read: refused where they stand;
 * - nesting deeper than MAX_NESTING_DEPTH: measured on the YAML lexer's tokens, before the parser
 *   (which recurses) builds anything, and refused with one short message naming the line;
 * - control characters that reach values through escapes (`"\0"`, `"\e"`): refused in every key
 *   and value, tabs and line breaks allowed only in free-text fields such as `reason`.
 */
import { CST, Lexer } from 'yaml';
import {
  controlCharacterMessage,
  describeCharacter,
  findControlCharacter,
  isControl,
  isTextWhitespace,
  MAX_NESTING_DEPTH,
} from '../text.ts';
import type { PathSegment, Place } from './yaml-locate.ts';

/** Fields that hold sentences for people (shown in checklists and reports): they may span lines. */
const PROSE_KEYS: ReadonlySet<string> = new Set(['reason']);

/** Past this many, more problems about characters only repeat the first ones. */
const MAX_CHARACTER_PROBLEMS = 20;

export interface TextFinding {
  offset: number;
  message: string;
}

/** Line and column of an offset, for findings made before the parser's LineCounter exists. */
export function placeOfOffset(text: string, offset: number): Place {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** Characters a strategy cannot contain, each where it stands (at most MAX_CHARACTER_PROBLEMS). */
export function forbiddenCharacters(text: string): TextFinding[] {
  const found: TextFinding[] = [];
  for (let i = 0; i < text.length && found.length < MAX_CHARACTER_PROBLEMS; i++) {
    const code = text.charCodeAt(i);
    if (code === 0xfffd) {
      found.push({
        offset: i,
        message:
          'U+FFFD (replacement character): the file was not valid UTF-8 where it was read, or a converter replaced what it could not read; save the strategy as UTF-8',
      });
    } else if (isControl(code) && !isTextWhitespace(code)) {
      found.push({
        offset: i,
        message: `the control character ${describeCharacter(code)} is not allowed in a strategy (YAML holds printable text, tabs and line breaks)`,
      });
    }
  }
  return found;
}

/** Markers the lexer emits that are not source text. */
const MARKERS: ReadonlySet<string | null> = new Set(['doc-mode', 'flow-error-end', 'scalar']);

/**
 * Where the document first nests deeper than `maxDepth` (block and flow collections together),
 * from the lexer's token stream alone: block depth is the number of open indentation levels
 * (`-`, `?` and keys open one at their column), flow depth the open `[`/`{`.
 */
export function deepNesting(text: string, maxDepth = MAX_NESTING_DEPTH): { offset: number; depth: number } | undefined {
  const columns: number[] = [];
  let flow = 0;
  let offset = 0;
  let lineStart = 0;
  let line = 1;
  let firstOnLine = true;
  let scalarNext = false;
  let blockScalar = false;
  let lastNode = { column: -1, line: 0 };
  const open = (column: number): void => {
    while (columns.length > 0 && (columns[columns.length - 1] as number) > column) columns.pop();
    if (columns[columns.length - 1] !== column) columns.push(column);
  };
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    if (MARKERS.has(type)) {
      if (type === 'scalar') scalarNext = true;
      continue;
    }
    const start = offset;
    const column = start - lineStart;
    offset += token.length;
    if (scalarNext && blockScalar) {
      // The lines of a `|` or `>` scalar: the value of the node its header started, not a node.
      scalarNext = false;
      blockScalar = false;
    } else if (scalarNext || type === 'single-quoted-scalar' || type === 'double-quoted-scalar' || type === 'alias') {
      // A scalar's text, whatever it looks like ("-", "[", "#"): content, never an indicator.
      scalarNext = false;
      if (flow === 0 && firstOnLine) open(column);
      lastNode = { column, line };
      firstOnLine = false;
    } else if (type === 'block-scalar-header') {
      blockScalar = true;
      firstOnLine = false;
    } else if (type === 'newline') {
      firstOnLine = true;
    } else if (type === 'seq-item-ind' || type === 'explicit-key-ind') {
      if (flow === 0) open(column);
      firstOnLine = false;
    } else if (type === 'map-value-ind') {
      // The key it follows opens a mapping at the key's column.
      if (flow === 0 && lastNode.line === line) open(lastNode.column);
      firstOnLine = false;
    } else if (type === 'flow-seq-start' || type === 'flow-map-start') {
      if (flow === 0 && firstOnLine) open(column);
      flow++;
      lastNode = { column, line };
      firstOnLine = false;
    } else if (type === 'flow-seq-end' || type === 'flow-map-end') {
      flow = Math.max(0, flow - 1);
    } else if (type === 'anchor' || type === 'tag') {
      if (flow === 0 && firstOnLine) open(column);
      firstOnLine = false;
    }
    if (columns.length + flow > maxDepth) return { offset: start, depth: columns.length + flow };
    for (let i = token.indexOf('\n'); i !== -1; i = token.indexOf('\n', i + 1)) {
      line++;
      lineStart = start + i + 1;
    }
  }
  return undefined;
}

export interface ValueFinding {
  path: PathSegment[];
  /** The problem is in the key at the end of `path`, not in its value. */
  inKey: boolean;
  message: string;
}

/** Control characters in the parsed data's keys and strings (they come in through YAML escapes). */
export function controlCharactersInData(data: unknown): ValueFinding[] {
  const found: ValueFinding[] = [];
  // Iterative: the depth was capped before parsing, but a walk needs no stack anyway.
  const stack: Array<{ value: unknown; path: PathSegment[] }> = [{ value: data, path: [] }];
  while (stack.length > 0 && found.length < MAX_CHARACTER_PROBLEMS) {
    const { value, path } = stack.pop() as { value: unknown; path: PathSegment[] };
    if (typeof value === 'string') {
      const last = path[path.length - 1];
      const prose = typeof last === 'string' && PROSE_KEYS.has(last);
      const c = findControlCharacter(value, prose);
      if (c) found.push({ path, inKey: false, message: controlCharacterMessage(c, prose) });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i] });
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value).reverse()) {
        const c = findControlCharacter(key);
        if (c) found.push({ path: [...path, key], inKey: true, message: `key ${controlCharacterMessage(c)}` });
        else stack.push({ value: child, path: [...path, key] });
      }
    }
  }
  return found;
}
