/**
 * Finds the line and column of the value at a path inside a JSON text, so that a problem in
 * a 50,000-line report points at the right line. Only called for reports that have problems
 * (at most maxProblems times), so a linear scan per call is fine; it never recurses, so a
 * deeply nested hostile document cannot overflow the stack.
 */
/** One step of a path into a JSON value: an object key or an array index. */
export type PathSegment = string | number;

export interface TextPosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/** Position of the value at `path`, or of its closest existing ancestor; undefined when the text is not JSON. */
export function locateJsonPath(text: string, path: readonly PathSegment[]): TextPosition | undefined {
  const offset = offsetOfPath(text, path);
  return offset === undefined ? undefined : positionOf(text, offset);
}

export function positionOf(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function skipWs(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else break;
  }
  return i;
}

/** Index just after the string literal starting at i (text[i] === '"'). */
function skipString(text: string, i: number): number {
  i++;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 92) i += 2;
    else if (c === 34) return i + 1;
    else i++;
  }
  return i;
}

/** Index just after the value starting at i, skipping nested containers iteratively. */
function skipValue(text: string, i: number): number {
  const first = text[i];
  if (first === '"') return skipString(text, i);
  if (first !== '{' && first !== '[') {
    while (i < text.length && !',]}'.includes(text[i] as string) && !/\s/.test(text[i] as string)) i++;
    return i;
  }
  let depth = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      i = skipString(text, i);
      continue;
    }
    if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return i;
}

function offsetOfPath(text: string, path: readonly PathSegment[]): number | undefined {
  let i = skipWs(text, 0);
  if (i >= text.length) return undefined;
  for (const seg of path) {
    const open = text[i];
    if (typeof seg === 'number' && open === '[') {
      let j = skipWs(text, i + 1);
      let index = 0;
      let found = false;
      while (j < text.length && text[j] !== ']') {
        if (index === seg) {
          found = true;
          break;
        }
        j = skipWs(text, skipValue(text, j));
        if (text[j] === ',') j = skipWs(text, j + 1);
        else break;
        index++;
      }
      if (!found) return i;
      i = j;
    } else if (typeof seg === 'string' && open === '{') {
      let j = skipWs(text, i + 1);
      let found = false;
      while (j < text.length && text[j] === '"') {
        const keyEnd = skipString(text, j);
        let key: unknown;
        try {
          key = JSON.parse(text.slice(j, keyEnd));
        } catch {
          return i;
        }
        j = skipWs(text, keyEnd);
        if (text[j] !== ':') return i;
        j = skipWs(text, j + 1);
        if (key === seg) {
          found = true;
          break;
        }
        j = skipWs(text, skipValue(text, j));
        if (text[j] === ',') j = skipWs(text, j + 1);
        else break;
      }
      // A missing key is reported at its object, which is where it must be added.
      if (!found) return i;
      i = j;
    } else {
      return i;
    }
  }
  return i;
}

/**
 * Where JSON text first nests deeper than `maxDepth` arrays/objects, or undefined. One pass that
 * only tracks strings and brackets, run before JSON.parse: a 50,000-level document costs a scan,
 * not a parse whose consumers may recurse. Text that is not JSON is scanned the same way (a
 * stray quote only shifts what counts as inside a string; the parser rejects such text anyway).
 */
export function findDeepNesting(text: string, maxDepth: number): (TextPosition & { depth: number }) | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      i = skipString(text, i) - 1;
    } else if (c === 123 || c === 91) {
      depth++;
      if (depth > maxDepth) return { ...positionOf(text, i), depth };
    } else if ((c === 125 || c === 93) && depth > 0) {
      depth--;
    }
  }
  return undefined;
}
