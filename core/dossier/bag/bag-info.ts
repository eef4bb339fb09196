/** bagit.txt and bag-info.txt (RFC 8493 §2.1.1 and §2.2.2). */
import { ValidationError } from '#core/errors.ts';

export const BAGIT_TXT = 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n';
export const BAG_SOFTWARE_AGENT = 'Reversa dossier writer (BagIt 1.0, RFC 8493)';

/** Fields we compute; a caller supplying them would contradict the bag. */
const RESERVED = ['Bagging-Date', 'Payload-Oxum', 'Bag-Software-Agent'];
const REQUIRED = ['Source-Organization', 'External-Identifier'];
/** RFC 8493 recommends lines of at most 79 characters. */
const WRAP_AT = 79;

export function payloadOxum(bytes: number, files: number): string {
  return `${bytes}.${files}`;
}

/**
 * Folds a long value at spaces onto continuation lines indented by two spaces; a BagIt reader
 * unfolds them back with a single space. A word longer than the line stays whole.
 */
export function foldLine(label: string, value: string): string {
  const words = value.split(' ');
  const lines: string[] = [];
  let current = `${label}:`;
  for (const word of words) {
    const candidate = `${current} ${word}`;
    if (candidate.length > WRAP_AT && current.trim().length > 0 && current !== `${label}:`) {
      lines.push(current);
      current = `  ${word}`;
    } else {
      current = candidate;
    }
  }
  lines.push(current);
  return `${lines.join('\n')}\n`;
}

export function renderBagInfo(fields: Record<string, string>, now: Date, oxum: string): string {
  const problems = [];
  for (const label of REQUIRED) {
    if (!fields[label]?.trim()) problems.push({ file: 'bag-info.txt', path: label, message: 'is required' });
  }
  for (const [label, value] of Object.entries(fields)) {
    if (RESERVED.includes(label))
      problems.push({ file: 'bag-info.txt', path: label, message: 'is computed by the writer' });
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(label)) {
      problems.push({ file: 'bag-info.txt', path: label, message: 'labels are letters, digits and "-"' });
    }
    if (/[\r\n]/.test(value)) problems.push({ file: 'bag-info.txt', path: label, message: 'value must be one line' });
  }
  if (problems.length > 0) throw new ValidationError('InvalidBagInfo', problems);
  const ordered: Array<[string, string]> = [
    ['Source-Organization', fields['Source-Organization'] ?? ''],
    ['External-Identifier', fields['External-Identifier'] ?? ''],
    ['Bagging-Date', now.toISOString().slice(0, 10)],
    ['Payload-Oxum', oxum],
    ['Bag-Software-Agent', BAG_SOFTWARE_AGENT],
  ];
  for (const [label, value] of Object.entries(fields)) {
    if (!REQUIRED.includes(label)) ordered.push([label, value]);
  }
  return ordered.map(([label, value]) => foldLine(label, value)).join('');
}

/** Parses bag-info.txt, unfolding continuation lines; labels may repeat, so values are lists. */
export function parseBagInfo(text: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  let last: { label: string; index: number } | undefined;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') continue;
    if (/^[ \t]/.test(line) && last) {
      const values = fields.get(last.label)!;
      values[last.index] = `${values[last.index]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const label = line.slice(0, colon).trim();
    const values = fields.get(label) ?? [];
    values.push(line.slice(colon + 1).trim());
    fields.set(label, values);
    last = { label, index: values.length - 1 };
  }
  return fields;
}
