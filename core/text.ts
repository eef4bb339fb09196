/**
 * Rules for untrusted text shared by strategies and job reports: strict UTF-8 decoding (a wrong
 * encoding is an error naming the byte, never a silent U+FFFD), control characters refused in ids
 * and names (they break keys, logs and terminals: NUL truncates C strings, ESC drives the terminal,
 * CR rewrites a log line), and bounded error text (an error about a hostile input must not be as
 * large as the input).
 */
import { isUtf8 } from 'node:buffer';
import type { Problem } from './errors.ts';

/** Nesting deeper than this in a strategy or report is refused before parsing: real documents stay under 10. */
export const MAX_NESTING_DEPTH = 64;

/** Longest path or message a problem carries; longer ones are shortened in the middle. */
export const MAX_PROBLEM_TEXT = 240;

/**
 * Offset of the first byte that does not belong to a well-formed UTF-8 sequence (Unicode 15 §3.9,
 * table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF), or undefined when all are.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      // Only the second byte has a narrowed range; later ones are plain continuation bytes.
      const [min, max] = k === 1 ? [lo, hi] : [0x80, 0xbf];
      if (c === undefined || c < min || c > max) return i;
    }
    i += need + 1;
  }
  return undefined;
}

const FATAL_DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Bytes → text, refusing anything that is not UTF-8 with one problem naming the byte offset, line
 * and column (bytes since the line start, 1-based). A BOM is kept, as `readFile(…, 'utf8')` keeps it.
 */
export function decodeUtf8Strict(bytes: Uint8Array, fileName: string): string | Problem {
  if (isUtf8(bytes)) return FATAL_DECODER.decode(bytes);
  const offset = firstInvalidUtf8(bytes) ?? 0;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const byte = (bytes[offset] ?? 0).toString(16).toUpperCase().padStart(2, '0');
  return {
    file: fileName,
    line,
    column: offset - lineStart + 1,
    path: '',
    message: `not valid UTF-8: byte 0x${byte} at byte offset ${offset} does not start or continue a UTF-8 character; save the file as UTF-8 (for example with iconv -f WINDOWS-1252 -t UTF-8)`,
  };
}

const NAMES: Record<number, string> = {
  0: 'NUL',
  7: 'BEL',
  8: 'BS',
  9: 'TAB',
  10: 'LF',
  11: 'VT',
  12: 'FF',
  13: 'CR',
  27: 'ESC',
  127: 'DEL',
  133: 'NEL',
};

/** `NUL (U+0000)`, `ESC (U+001B)`, `U+0091`. */
export function describeCharacter(code: number): string {
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  const name = NAMES[code];
  return name ? `${name} (${hex})` : hex;
}

export function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/** Tab, line feed and carriage return: allowed in free text (messages, reasons), never in ids or names. */
export function isTextWhitespace(code: number): boolean {
  return code === 0x09 || code === 0x0a || code === 0x0d;
}

/**
 * Index and code of the first control character (C0, DEL, C1) of `value`, or undefined. With
 * `prose`, tab, LF and CR are allowed (free text may span lines); NUL never is.
 */
export function findControlCharacter(value: string, prose = false): { index: number; code: number } | undefined {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (isControl(code) && !(prose && isTextWhitespace(code))) return { index: i, code };
  }
  return undefined;
}

/** The sentence a problem carries for a control character found by findControlCharacter. */
export function controlCharacterMessage(found: { index: number; code: number }, prose = false): string {
  const what = `contains the control character ${describeCharacter(found.code)} at character ${found.index + 1}`;
  return prose
    ? `${what}: free text may hold tabs and line breaks but no other control characters`
    : `${what}: ids and names must be printable text (no control characters, tabs or line breaks)`;
}

/**
 * Free text copied from a tool's output (restic's first error names the file it could not read)
 * with every control character but tab and LF written as a visible `\u001B`: kept for the reader,
 * harmless on a terminal.
 */
export function printable(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    out +=
      isControl(code) && code !== 0x09 && code !== 0x0a ? `\\u${code.toString(16).toUpperCase().padStart(4, '0')}` : ch;
  }
  return out;
}

/** A key as a JSON string with DEL and C1 escaped too (JSON.stringify escapes only C0): safe to print in a path. */
export function quotedKey(key: string): string {
  return JSON.stringify(key).replace(
    /[\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
}

/** Shortens text longer than `max` in the middle, keeping its start and end (paths are read from both ends). */
export function boundedText(text: string, max = MAX_PROBLEM_TEXT): string {
  if (text.length <= max) return text;
  const head = Math.ceil((max - 1) * 0.66);
  return `${text.slice(0, head)}…${text.slice(text.length - (max - 1 - head))}`;
}

/** A problem whose path and message are bounded (the file name is the caller's, not the input's). */
export function boundedProblem(p: Problem): Problem {
  const path = boundedText(p.path);
  const message = boundedText(p.message, MAX_PROBLEM_TEXT * 2);
  return path === p.path && message === p.message ? p : { ...p, path, message };
}
