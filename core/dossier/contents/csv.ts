/**
 * A small RFC 4180 CSV reader and writer. Hand-written (not a dependency) because errors must say
 * where they are: every field keeps the line and column it starts at, so an asset registry with a bad
 * value on line 4,812 is fixed in one go. Accepts what spreadsheets export: a UTF-8 BOM, CRLF or LF
 * line ends, quoted fields with doubled quotes and line breaks inside them.
 */
import type { Problem } from '../../errors.ts';

export interface CsvField {
  value: string;
  /** 1-based line and column where the field starts. */
  line: number;
  column: number;
}

export interface CsvRecord {
  fields: CsvField[];
  /** Line the record starts on. */
  line: number;
}

export interface CsvParseResult {
  records: CsvRecord[];
  problems: Problem[];
}

/**
 * Splits `text` into records. Never throws: syntax problems (a quote inside an unquoted field, text
 * after a closing quote, a quote never closed) are returned with their place, and parsing goes on
 * so that every problem is reported at once. Blank lines are skipped.
 */
export function parseCsv(text: string, file: string, maxRecords = Number.POSITIVE_INFINITY): CsvParseResult {
  const problems: Problem[] = [];
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let lineStart = i === 1 ? 1 : 0;
  const n = text.length;

  while (i < n) {
    // Blank line (only a line ending): skipped, it is not an empty record.
    if (text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n')) {
      i += text[i] === '\r' ? 2 : 1;
      line++;
      lineStart = i;
      continue;
    }
    if (records.length >= maxRecords) {
      problems.push({ file, line, column: 1, path: '', message: `expected at most ${maxRecords} records` });
      break;
    }
    const record: CsvRecord = { fields: [], line };
    for (;;) {
      const field: CsvField = { value: '', line, column: i - lineStart + 1 };
      if (text[i] === '"') {
        i++;
        let value = '';
        let closed = false;
        while (i < n) {
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === '\n') {
            line++;
            lineStart = i + 1;
          }
          value += c;
          i++;
        }
        if (!closed) {
          problems.push({
            file,
            line: field.line,
            column: field.column,
            path: '',
            message: 'a quoted field is never closed: expected a closing double quote (") before the end of the file',
          });
        }
        field.value = value;
        // After a closing quote only a separator or a line end may follow.
        if (i < n && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) {
          problems.push({
            file,
            line,
            column: i - lineStart + 1,
            path: '',
            message: 'unexpected text after a closing quote: expected a comma or the end of the line',
          });
          while (i < n && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) i++;
        }
      } else {
        const start = i;
        while (i < n && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) {
          if (text[i] === '"') {
            problems.push({
              file,
              line,
              column: i - lineStart + 1,
              path: '',
              message: 'a double quote inside an unquoted field: quote the whole field and double the quote ("")',
            });
          }
          i++;
        }
        field.value = text.slice(start, i);
      }
      record.fields.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    records.push(record);
    if (text[i] === '\r') i++;
    if (text[i] === '\n') {
      i++;
      line++;
      lineStart = i;
    }
  }
  return { records, problems };
}

/** Quotes a field when it holds a separator, a quote, a line break or edge spaces. */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One CSV line with CRLF, as RFC 4180 says. */
export function csvLine(values: readonly string[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
