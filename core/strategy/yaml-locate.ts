/**
 * Maps document paths (as zod reports them) to places in the YAML text, and places back to paths,
 * so that every problem in a strategy can say file:line:column.
 */
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import { quotedKey } from '../text.ts';

export type PathSegment = string | number;

export interface Place {
  line: number;
  column: number;
}

/** `resources[3].select.tags.backup`; keys that are not plain identifiers are quoted: `tags["cost center"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = String(seg);
      if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) out += out ? `.${key}` : key;
      else out += `[${quotedKey(key)}]`;
    }
  }
  return out;
}

export interface Located {
  /** The node at the path, or the deepest existing ancestor when the path goes further than the document. */
  node: Node | undefined;
  /** The key node of the last mapping entry walked through (to point at a key rather than its value). */
  keyNode: Node | undefined;
  /** How many segments of the path exist in the document. */
  depth: number;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  if (key === null || typeof key !== 'object') return String(key);
  return undefined;
}

function deref(doc: Document, node: unknown): Node | undefined {
  // A bounded loop: an alias to an alias is legal, but never more than a few levels deep.
  let current = node;
  for (let i = 0; i < 16 && isAlias(current); i++) current = current.resolve(doc);
  return current === null || current === undefined ? undefined : (current as Node);
}

export function locate(doc: Document, path: readonly PropertyKey[]): Located {
  let node = deref(doc, doc.contents);
  let keyNode: Node | undefined;
  let depth = 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(seg));
      if (!pair) break;
      keyNode = (pair.key ?? undefined) as Node | undefined;
      node = deref(doc, pair.value) ?? keyNode;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = deref(doc, node.items[seg]);
      if (!item) break;
      node = item;
      keyNode = undefined;
    } else {
      break;
    }
    depth++;
  }
  return { node, keyNode, depth };
}

/** The key node of entry `key` in the mapping at `node`, if there is one. */
export function keyNodeOf(node: Node | undefined, key: string): Node | undefined {
  if (!isMap(node)) return undefined;
  const pair = node.items.find((p) => keyText(p.key) === key);
  return (pair?.key ?? undefined) as Node | undefined;
}

export function placeOf(lineCounter: LineCounter, node: Node | undefined): Place {
  const offset = node?.range?.[0];
  return placeAt(lineCounter, offset ?? 0);
}

export function placeAt(lineCounter: LineCounter, offset: number): Place {
  const pos = lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

function contains(node: unknown, offset: number): boolean {
  const range = (node as Node | null | undefined)?.range;
  return range !== undefined && range !== null && range[0] <= offset && offset < Math.max(range[2], range[0] + 1);
}

/** The path of the deepest node around a text offset: gives YAML syntax errors a document path too. */
export function pathAtOffset(doc: Document, offset: number): PathSegment[] {
  const path: PathSegment[] = [];
  let node: unknown = doc.contents;
  for (let guard = 0; guard < 256; guard++) {
    if (isMap(node)) {
      const pair = node.items.find((p) => contains(p.key, offset) || contains(p.value, offset));
      const key = pair ? keyText(pair.key) : undefined;
      if (!pair || key === undefined) break;
      path.push(key);
      if (!contains(pair.value, offset)) break;
      node = pair.value;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => contains(item, offset));
      if (index < 0) break;
      path.push(index);
      node = node.items[index];
    } else {
      break;
    }
  }
  return path;
}
