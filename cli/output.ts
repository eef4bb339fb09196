import { styleText } from 'node:util';

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
const useColour = process.stdout.isTTY === true && !process.env.NO_COLOR;

type Style = Parameters<typeof styleText>[0];
export function paint(style: Style, text: string): string {
  return useColour ? styleText(style, text) : text;
}

export function statusColour(status: string): Style {
  if (status === 'COMPLIANT' || status === 'PASSED' || status === 'OK') return 'green';
  if (status === 'NON_COMPLIANT' || status === 'FAILED' || status === 'ERROR') return 'red';
  return 'gray';
}

/** Visible width: ignores ANSI colour codes so padded columns stay aligned. */
function visibleLength(s: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes on purpose
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - visibleLength(c))))
      .join('  ')
      .trimEnd();
  return [paint('bold', line(headers)), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function write(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function writeError(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
