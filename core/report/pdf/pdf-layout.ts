/**
 * A small flowing-text layout on pdf-lib: headings, wrapped paragraphs, key/value lines and tables
 * with wrapped cells, A4 pages with a running footer. pdf-lib embeds the 14 standard fonts from its
 * own metrics (no font files), so the same code runs in Lambda and locally. Standard fonts encode
 * WinAnsi only: text outside it is transliterated or replaced, never dropped silently.
 */
import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 48;
const INK = rgb(0.1, 0.1, 0.12);
const MUTED = rgb(0.38, 0.4, 0.45);
const RULE = rgb(0.82, 0.84, 0.87);

/** WinAnsi covers Latin-1 and a few symbols; map what reports use and replace the rest visibly. */
export function winAnsi(text: string): string {
  return text
    .replace(/[‘’]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/[–—]/g, '-')
    .replace(/…/g, '...')
    .replace(/≥/g, '>=')
    .replace(/≤/g, '<=')
    .replace(/[✓✔]/g, 'OK')
    .replace(/[✗✘]/g, 'X')
    .replace(/→/g, '->')
    .replace(/\s/g, (c) => (c === '\n' ? '\n' : ' '))
    .replace(/[^\n\u0020-\u007e\u00a0-\u00ff€]/g, '?');
}

export class PdfWriter {
  private page!: PDFPage;
  private y = 0;
  private pageNumber = 0;

  private constructor(
    private readonly doc: PDFDocument,
    private readonly regular: PDFFont,
    private readonly bold: PDFFont,
    private readonly footer: string,
  ) {
    this.newPage();
  }

  static async create(title: string, footer: string): Promise<PdfWriter> {
    const doc = await PDFDocument.create();
    doc.setTitle(winAnsi(title));
    doc.setProducer('Reversa');
    doc.setCreator('Reversa');
    const [regular, bold] = await Promise.all([
      doc.embedFont(StandardFonts.Helvetica),
      doc.embedFont(StandardFonts.HelveticaBold),
    ]);
    return new PdfWriter(doc, regular, bold, winAnsi(footer));
  }

  private get width(): number {
    return A4[0] - 2 * MARGIN;
  }

  private newPage(): void {
    this.page = this.doc.addPage(A4);
    this.pageNumber++;
    this.y = A4[1] - MARGIN;
    this.page.drawText(`${this.footer}  -  page ${this.pageNumber}`, {
      x: MARGIN,
      y: MARGIN / 2,
      size: 7,
      font: this.regular,
      color: MUTED,
    });
  }

  private ensure(height: number): void {
    if (this.y - height < MARGIN) this.newPage();
  }

  /** Lines of `text` that fit `width` at `size` (words longer than a line are broken). */
  wrap(text: string, width: number, size: number, font: PDFFont = this.regular): string[] {
    const lines: string[] = [];
    for (const paragraph of winAnsi(text).split('\n')) {
      let line = '';
      for (const word of paragraph.split(' ')) {
        let w = word;
        while (font.widthOfTextAtSize(w, size) > width) {
          let cut = w.length - 1;
          while (cut > 1 && font.widthOfTextAtSize(w.slice(0, cut), size) > width) cut--;
          if (line) lines.push(line);
          lines.push(w.slice(0, cut));
          line = '';
          w = w.slice(cut);
        }
        const candidate = line ? `${line} ${w}` : w;
        if (font.widthOfTextAtSize(candidate, size) > width && line) {
          lines.push(line);
          line = w;
        } else line = candidate;
      }
      lines.push(line);
    }
    return lines;
  }

  heading(text: string, size = 14): void {
    this.ensure(size + 14);
    this.y -= size + 6;
    this.page.drawText(winAnsi(text), { x: MARGIN, y: this.y, size, font: this.bold, color: INK });
    this.y -= 6;
  }

  paragraph(text: string, options: { size?: number; muted?: boolean; bold?: boolean } = {}): void {
    const size = options.size ?? 9;
    const font = options.bold ? this.bold : this.regular;
    for (const line of this.wrap(text, this.width, size, font)) {
      this.ensure(size + 3);
      this.y -= size + 3;
      this.page.drawText(line, { x: MARGIN, y: this.y, size, font, color: options.muted ? MUTED : INK });
    }
    this.y -= 3;
  }

  keyValues(rows: readonly [string, string][]): void {
    const size = 9;
    const keyWidth = 150;
    for (const [k, v] of rows) {
      const lines = this.wrap(v, this.width - keyWidth, size);
      this.ensure((size + 3) * lines.length);
      this.page.drawText(winAnsi(k), { x: MARGIN, y: this.y - size - 3, size, font: this.bold, color: MUTED });
      for (const line of lines) {
        this.y -= size + 3;
        this.page.drawText(line, { x: MARGIN + keyWidth, y: this.y, size, font: this.regular, color: INK });
      }
    }
    this.y -= 4;
  }

  /** A table; `widths` are fractions of the text width. Long cells wrap; rows never split across pages. */
  table(headers: readonly string[], rows: readonly (readonly string[])[], widths: readonly number[]): void {
    const size = 8;
    const cols = widths.map((w) => w * this.width);
    const drawRow = (cells: readonly string[], font: PDFFont) => {
      const wrapped = cells.map((c, i) => this.wrap(c, (cols[i] ?? 50) - 4, size, font));
      const height = Math.max(...wrapped.map((w) => w.length)) * (size + 2) + 4;
      if (this.y - height < MARGIN) {
        this.newPage();
        if (font !== this.bold) drawRow(headers, this.bold);
      }
      let x = MARGIN;
      wrapped.forEach((lines, i) => {
        lines.forEach((line, j) => {
          this.page.drawText(line, { x: x + 2, y: this.y - (j + 1) * (size + 2), size, font, color: INK });
        });
        x += cols[i] ?? 50;
      });
      this.y -= height;
      this.page.drawLine({
        start: { x: MARGIN, y: this.y + 1 },
        end: { x: MARGIN + this.width, y: this.y + 1 },
        thickness: 0.5,
        color: RULE,
      });
    };
    drawRow(headers, this.bold);
    for (const row of rows) drawRow(row, this.regular);
    this.y -= 8;
  }

  async bytes(): Promise<Uint8Array> {
    return this.doc.save({ useObjectStreams: true });
  }
}
