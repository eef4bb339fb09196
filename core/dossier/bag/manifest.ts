/**
 * Manifests in the exact format `sha256sum` prints and `sha256sum -c` reads: `<hex>  <path>\n`
 * (two spaces: text mode marker), LF endings, sorted byte-wise by path.
 */
import { compareBytes } from './paths.ts';

export interface ManifestLine {
  sha256: string;
  /** Path relative to the bag root, e.g. `data/inventory/assets.csv`. */
  path: string;
}

export function renderManifest(lines: ManifestLine[]): string {
  const sorted = [...lines].sort((a, b) => compareBytes(a.path, b.path));
  return sorted.map((l) => `${l.sha256}  ${l.path}\n`).join('');
}

export interface ParsedManifest {
  lines: ManifestLine[];
  /** 1-based numbers of lines that are not `<64 hex> <space|*><path>`. */
  malformed: number[];
}

/** Accepts the binary marker `*` too, as `sha256sum -c` does. */
export function parseManifest(text: string): ParsedManifest {
  const lines: ManifestLine[] = [];
  const malformed: number[] = [];
  const raw = text.split('\n');
  if (raw.at(-1) === '') raw.pop();
  raw.forEach((line, i) => {
    const match = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line.replace(/\r$/, ''));
    if (match?.[1] && match[2]) lines.push({ sha256: match[1].toLowerCase(), path: match[2] });
    else malformed.push(i + 1);
  });
  return { lines, malformed };
}

/** fetch.txt: `<url> <length> <path>` (RFC 8493 §2.2.3), paths relative to the bag root. */
export function renderFetch(lines: Array<{ url: string; size: number; path: string }>): string {
  const sorted = [...lines].sort((a, b) => compareBytes(a.path, b.path));
  return sorted.map((l) => `${l.url} ${l.size} ${l.path}\n`).join('');
}

export function parseFetch(text: string): {
  lines: Array<{ url: string; size: number; path: string }>;
  malformed: number[];
} {
  const lines: Array<{ url: string; size: number; path: string }> = [];
  const malformed: number[] = [];
  const raw = text.split('\n');
  if (raw.at(-1) === '') raw.pop();
  raw.forEach((line, i) => {
    const match = /^(\S+)[ \t]+(\d+|-)[ \t]+(.+)$/.exec(line.replace(/\r$/, ''));
    if (match?.[1] && match[2] && match[3]) {
      lines.push({ url: match[1], size: match[2] === '-' ? -1 : Number(match[2]), path: match[3] });
    } else malformed.push(i + 1);
  });
  return { lines, malformed };
}
