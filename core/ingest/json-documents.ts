/**
 * Several JSON documents in one file: NDJSON (one per line), pages of `aws … --output json`
 * appended with `>>` (pretty-printed, back to back), and Firehose deliveries (`}{` with nothing
 * between). One linear, non-recursive scan finds where each top-level object or array starts and
 * ends; each is then parsed on its own, so a problem names the line its document starts on.
 */
import { positionOf, type TextPosition } from './json-locate.ts';

export interface JsonDocumentRange extends TextPosition {
  /** Offsets in the text: [start, end). */
  start: number;
  end: number;
}

export type JsonSplit =
  /** `more`: the scan stopped at `maxDocuments`, more documents follow. */
  | { ranges: JsonDocumentRange[]; more: boolean; unexpected?: undefined }
  | { unexpected: TextPosition; ranges?: undefined; more?: undefined };

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/** Index just after the container starting at `i`, or the text's end when it never closes. */
function containerEnd(text: string, i: number): number {
  let depth = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // Skip the string literal, escapes included.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

/**
 * Top-level documents of `text`, each an object or an array. Anything else at the top level
 * (a timestamp prefix, a bare number) is `unexpected` at its position; the scan stops after
 * `maxDocuments` (`more`), before anything is parsed.
 */
export function splitJsonDocuments(text: string, maxDocuments: number): JsonSplit {
  const spans: Array<[number, number]> = [];
  let more = false;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c !== 123 && c !== 91) return { unexpected: positionOf(text, i) };
    if (spans.length >= maxDocuments) {
      more = true;
      break;
    }
    const end = containerEnd(text, i);
    spans.push([i, end]);
    i = end;
  }
  // Lines in one more pass: positionOf per document would be quadratic on a 100,000-line file.
  const ranges: JsonDocumentRange[] = [];
  let line = 1;
  let lineStart = 0;
  let at = 0;
  for (const [start, end] of spans) {
    for (; at < start; at++) {
      if (text.charCodeAt(at) === 10) {
        line++;
        lineStart = at + 1;
      }
    }
    ranges.push({ start, end, line, column: start - lineStart + 1 });
  }
  return { ranges, more };
}
