import type { Writable } from 'node:stream';
import PDFDocument from 'pdfkit';
import { labelsPerSheet, A4, type LabelSheet, type LabelSheetId } from '~/lib/label-sheets';
import { brl } from '~/lib/money';
import { drained, finish } from '../exports/flow';
import { barcodeFor, ean13DigitCentres, type Barcode } from './barcode';

/** What one shelf label shows. */
export type ShelfLabel = {
  ean: string;
  name: string;
  brand: string | null;
  plu: string | null;
  unit: string;
  /** The catalogue's reference price; 0 means none (it is the column's default), and no price is printed. */
  referencePrice: number;
};

/** How a label of a sheet is filled: sizes in millimetres, fonts in points. */
type LabelStyle = {
  padding: number;
  nameSize: number;
  nameLines: number;
  detailSize: number;
  priceSize: number;
  /** 'row': the price on the line above the barcode, right-aligned; 'beside': large, to the right of the barcode. */
  price: 'row' | 'beside';
  barHeight: number;
  /** The module width (X) wanted; narrower when the label cannot hold the symbol at it (EAN-13's 80% is 0.264 mm). */
  module: number;
};

const styles: Record<LabelSheetId, LabelStyle> = {
  'a4-65': { padding: 1.2, nameSize: 6.5, nameLines: 2, detailSize: 5.5, priceSize: 8, price: 'row', barHeight: 7, module: 0.28 },
  'a4-21': { padding: 2, nameSize: 9, nameLines: 2, detailSize: 7, priceSize: 14, price: 'row', barHeight: 13, module: 0.33 },
  'a4-14': { padding: 2.5, nameSize: 11, nameLines: 2, detailSize: 8, priceSize: 22, price: 'beside', barHeight: 14, module: 0.33 },
};

const PT_PER_MM = 72 / 25.4;
const mm = (value: number) => value * PT_PER_MM;
/** Helvetica's cap height and digit width, in ems (its AFM). */
const CAP_HEIGHT = 0.718;
const DIGIT_WIDTH = 0.556;
const LINE = 1.15;

/**
 * The characters the PDF's standard fonts can show (Windows-1252): anything else would print as a wrong glyph,
 * so accents outside it are dropped (ẞ → SS is not attempted) and what is left becomes '?'.
 */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
function printable(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC').replace(/\s+/g, ' ').trim()) {
    const code = ch.codePointAt(0)!;
    if ((code >= 0x20 && code < 0x7f) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(ch)) out += code === 0xa0 ? ' ' : ch;
    else {
      const plain = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
      out += /^[\x20-\x7e]+$/.test(plain) ? plain : '?';
    }
  }
  return out;
}

/** "R$ 12,90", and "/kg" after it for a product not sold by the unit. */
function priceText(label: ShelfLabel): { price: string; per: string } | null {
  if (!(label.referencePrice > 0)) return null;
  return { price: printable(brl(label.referencePrice)), per: label.unit && label.unit !== 'un' ? `/${printable(label.unit)}` : '' };
}

type Doc = InstanceType<typeof PDFDocument>;

/** The bars and the human-readable digits of `code`, its left quiet zone starting at (x, y). */
function drawBarcode(doc: Doc, code: Barcode, x: number, y: number, module: number, barHeight: number): void {
  const left = x + code.quietLeft * module;
  for (const bar of code.bars) {
    doc.rect(left + bar.x * module, y, bar.width * module, barHeight + (bar.guard ? 5 * module : 0));
  }
  doc.fill('#000');
  const size = digitSize(module);
  doc.font('Helvetica').fontSize(size);
  const top = y + barHeight + 0.5 * module;
  if (code.symbology === 'ean13') {
    // One text per digit, at its symbol character's centre (as on a retail package).
    ean13DigitCentres().forEach((centre, i) => {
      const digit = code.text[i]!;
      doc.text(digit, left + centre * module - doc.widthOfString(digit) / 2, top, { lineBreak: false });
    });
  } else {
    doc.text(code.text, left + (code.modules * module - doc.widthOfString(code.text)) / 2, top, { lineBreak: false });
  }
}

/** Digits about 7 modules tall (a symbol character's width), as the EAN-13's OCR-B digits are. */
const digitSize = (module: number) => Math.min((6.3 * module) / CAP_HEIGHT, (6.6 * module) / DIGIT_WIDTH);

/** Height of the barcode block: the bars, then the digits under them. */
const barcodeBlockHeight = (module: number, barHeight: number) => barHeight + 0.5 * module + digitSize(module) * (CAP_HEIGHT + 0.05);

/** Text cut to one line of `width`, with an ellipsis when it does not fit. */
function fitLine(doc: Doc, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (doc.widthOfString(`${text.slice(0, mid).trimEnd()}…`) <= width) low = mid;
    else high = mid - 1;
  }
  return `${text.slice(0, low).trimEnd()}…`;
}

/** Text wrapped into at most `lines` lines of `width`, the last one cut with an ellipsis when the text goes on. */
function wrapLines(doc: Doc, text: string, width: number, lines: number): string[] {
  const words = text.split(' ').filter(Boolean);
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < words.length; i++) {
    const candidate = current ? `${current} ${words[i]}` : words[i]!;
    if (doc.widthOfString(candidate) <= width) {
      current = candidate;
      continue;
    }
    if (current) out.push(current);
    current = words[i]!;
    if (out.length === lines - 1) {
      // The last line takes the rest of the words, cut to fit.
      out.push(fitLine(doc, words.slice(i).join(' '), width));
      return out;
    }
    // A single word wider than the line is cut (a long code or a name without spaces).
    if (doc.widthOfString(current) > width) {
      out.push(fitLine(doc, current, width));
      current = '';
      if (out.length === lines) return out;
    }
  }
  if (current) out.push(fitLine(doc, current, width));
  return out.slice(0, lines);
}

/** One label in the box at (x, y) of w × h points. */
function drawLabel(doc: Doc, label: ShelfLabel, style: LabelStyle, x: number, y: number, w: number, h: number): void {
  const pad = mm(style.padding);
  const left = x + pad;
  const top = y + pad;
  const width = w - 2 * pad;
  const bottom = y + h - pad;
  const gap = mm(0.6);

  const code = barcodeFor(label.ean);
  const codeModules = code.quietLeft + code.modules + code.quietRight;
  const price = priceText(label);
  const detail = printable([label.brand, label.plu ? `PLU ${label.plu}` : null].filter(Boolean).join(' · '));

  // Beside the barcode the price needs room of its own: the symbol takes what is left, never more than its X allows.
  const priceRoom = style.price === 'beside' ? width * 0.45 : 0;
  const module = Math.min(mm(style.module), (width - priceRoom) / codeModules);
  const barHeight = mm(style.barHeight);
  const blockHeight = barcodeBlockHeight(module, barHeight);
  const blockTop = bottom - blockHeight;
  drawBarcode(doc, code, left, blockTop, module, barHeight);

  let textBottom = blockTop - gap;
  if (style.price === 'beside') {
    if (price) drawPriceBeside(doc, price, left + codeModules * module + gap, blockTop, left + width, blockHeight, style.priceSize);
  } else {
    const rowHeight = (price ? style.priceSize : style.detailSize) * LINE;
    const rowTop = textBottom - rowHeight;
    let priceWidth = 0;
    if (price) priceWidth = drawPriceRow(doc, price, left + width, rowTop, rowHeight, style.priceSize, width);
    if (detail) {
      doc.font('Helvetica').fontSize(style.detailSize);
      const room = width - priceWidth - (priceWidth ? mm(1.5) : 0);
      if (room > doc.widthOfString('M…')) doc.text(fitLine(doc, detail, room), left, rowTop + rowHeight - style.detailSize * LINE, { lineBreak: false });
    }
    textBottom = rowTop - gap / 2;
  }

  doc.font('Helvetica-Bold').fontSize(style.nameSize);
  const lineHeight = style.nameSize * LINE;
  const detailHeight = style.price === 'beside' && detail ? style.detailSize * LINE : 0;
  const maxLines = Math.max(1, Math.min(style.nameLines, Math.floor((textBottom - top - detailHeight) / lineHeight)));
  const lines = wrapLines(doc, printable(label.name), width, maxLines);
  lines.forEach((line, i) => doc.text(line, left, top + i * lineHeight, { lineBreak: false }));
  if (style.price === 'beside' && detail) {
    doc.font('Helvetica').fontSize(style.detailSize);
    doc.text(fitLine(doc, detail, width), left, top + lines.length * lineHeight, { lineBreak: false });
  }
}

/** The price on the row above the barcode, right-aligned at `right`; returns the width it took. */
function drawPriceRow(doc: Doc, price: { price: string; per: string }, right: number, rowTop: number, rowHeight: number, size: number, maxWidth: number): number {
  doc.font('Helvetica-Bold').fontSize(size);
  const priceWidth = doc.widthOfString(price.price);
  const perSize = size * 0.6;
  doc.font('Helvetica').fontSize(perSize);
  const perWidth = price.per ? doc.widthOfString(price.per) : 0;
  const total = Math.min(maxWidth, priceWidth + perWidth);
  const baseline = rowTop + rowHeight - size * 0.25;
  doc.font('Helvetica-Bold').fontSize(size);
  doc.text(price.price, right - total, baseline - size * CAP_HEIGHT - size * 0.2, { lineBreak: false });
  if (price.per) {
    doc.font('Helvetica').fontSize(perSize);
    doc.text(price.per, right - perWidth, baseline - perSize * CAP_HEIGHT - perSize * 0.2, { lineBreak: false });
  }
  return total;
}

/** The price large, right-aligned in [from, right], centred on the barcode block's height; smaller when it is long. */
function drawPriceBeside(doc: Doc, price: { price: string; per: string }, from: number, top: number, right: number, height: number, size: number): void {
  const room = right - from;
  let fitted = size;
  for (;;) {
    doc.font('Helvetica-Bold').fontSize(fitted);
    const width = doc.widthOfString(price.price) + (price.per ? doc.font('Helvetica').fontSize(fitted * 0.5).widthOfString(price.per) : 0);
    if (width <= room || fitted <= 8) break;
    fitted -= 1;
  }
  const perSize = fitted * 0.5;
  doc.font('Helvetica').fontSize(perSize);
  const perWidth = price.per ? doc.widthOfString(price.per) : 0;
  doc.font('Helvetica-Bold').fontSize(fitted);
  const priceWidth = doc.widthOfString(price.price);
  const capTop = top + (height - fitted * CAP_HEIGHT) / 2;
  doc.text(price.price, right - perWidth - priceWidth, capTop - fitted * 0.2, { lineBreak: false });
  if (price.per) {
    doc.font('Helvetica').fontSize(perSize);
    doc.text(price.per, right - perWidth, capTop + fitted * CAP_HEIGHT - perSize * CAP_HEIGHT - perSize * 0.2, { lineBreak: false });
  }
}

export type LabelsPdfFigures = { labels: number; sheets: number; bytes: number };

/**
 * Writes the labels on A4 sheets of `sheet`, left to right and top to bottom, starting after the first `skip`
 * positions (a sheet already partly used). The PDF goes to `out` a sheet at a time, waiting while `out` is full;
 * rejects with ExportAborted when `out` closes first (the reader went away).
 */
export async function writeLabelsPdf(
  out: Writable,
  labels: readonly ShelfLabel[],
  sheet: LabelSheet,
  opts: { skip?: number; title: string; compress?: boolean },
): Promise<LabelsPdfFigures> {
  const style = styles[sheet.id];
  const perSheet = labelsPerSheet(sheet);
  const skip = opts.skip ?? 0;
  const doc = new PDFDocument({ size: [mm(A4.width), mm(A4.height)], margin: 0, autoFirstPage: false, compress: opts.compress ?? true, info: { Title: opts.title, Creator: 'MyInventory' } });
  let bytes = 0;
  doc.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (!out.destroyed && !out.writableEnded) out.write(chunk);
  });
  const ended = new Promise<void>((resolve, reject) => {
    doc.once('end', resolve);
    doc.once('error', reject);
  });
  let sheets = 0;
  for (let position = skip; position < skip + labels.length; position++) {
    const slot = position % perSheet;
    if (slot === 0 || position === skip) {
      if (sheets > 0) {
        await drained(out);
        // A thousand barcodes take the CPU for about a second: other requests get their turn between sheets.
        await new Promise((resolve) => setImmediate(resolve));
      }
      doc.addPage({ size: [mm(A4.width), mm(A4.height)], margin: 0 });
      sheets++;
    }
    const column = slot % sheet.columns;
    const row = Math.floor(slot / sheet.columns);
    drawLabel(doc, labels[position - skip]!, style, mm(sheet.left + column * sheet.pitchX), mm(sheet.top + row * sheet.pitchY), mm(sheet.width), mm(sheet.height));
  }
  doc.end();
  await ended;
  await finish(out);
  return { labels: labels.length, sheets, bytes };
}
