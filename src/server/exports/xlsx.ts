import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { drained, ExportAborted, finish } from './flow';
import { yesNo, type CellKind, type CellValue, type ExportFigures, type Sheet } from './sheet';

/** Excel refuses a cell of more text than this (an audit row's JSON can be longer). */
const MAX_CELL_TEXT = 32_767;
const TRUNCATED = '… (truncado)';

/** The number formats (stored in Excel's invariant syntax; a Brazilian Excel shows 1.234,56). */
const numFmt: Partial<Record<CellKind, string>> = {
  quantity: '#,##0',
  money: '"R$" #,##0.00',
  date: 'dd/mm/yyyy hh:mm',
};
/** A quantity with a fraction (kilograms) shows its 3 decimals; whole units show none. */
const FRACTIONAL_QUANTITY = '#,##0.000';

function value(kind: CellKind, v: CellValue): ExcelJS.CellValue {
  if (v === null || v === undefined || v === '') return null;
  switch (kind) {
    case 'quantity':
    case 'money':
      return Number(v);
    case 'date':
      // A wall-clock instant: exceljs writes a Date's UTC fields as the cell's date and time.
      return new Date(Number(v));
    case 'yesNo':
      return yesNo(Boolean(v));
    case 'code':
    case 'text': {
      // Always a string cell (inline text, never a formula, whatever it starts with).
      const text = String(v);
      return text.length > MAX_CELL_TEXT ? text.slice(0, MAX_CELL_TEXT - TRUNCATED.length) + TRUNCATED : text;
    }
  }
}

/**
 * exceljs 4.4's sheet stream (a StreamBuf) is piped into the zip entry that archiver reads, but writes to it
 * without looking at its answer: that entry's buffer is where an unread file would pile up.
 */
type SheetStream = { stream: { pipes?: Writable[] } };

/**
 * The sheet as an .xlsx written by exceljs's streaming WorkbookWriter: numbers are numbers (quantities `#,##0` or
 * `#,##0.000`, money `"R$" #,##0.00`), dates are dates (`dd/mm/yyyy hh:mm`), codes and text are strings; the header
 * row is bold, frozen and filtered, columns have their widths. Inline strings, no shared-strings table (it would
 * grow with the file), and each row is committed as it is added, so memory holds a batch, not the sheet.
 *
 * Backpressure: exceljs pushes each row into the zip writer without waiting, so after each batch this waits until
 * the zip entry's input, the sink (which passes a chunk on only once `out` took the last one) and `out` are below
 * their marks before taking the next batch from the query. Nothing is written before the first batch arrives. `out` is ended when the
 * file is complete; on an error the zip is aborted and `out` left for the caller to destroy (never a file that
 * looks whole).
 */
export async function writeXlsx<Row>(sheet: Sheet<Row>, batches: AsyncIterable<Row[]>, out: Writable): Promise<ExportFigures> {
  const iterator = batches[Symbol.asyncIterator]();
  let next = await iterator.next();

  let bytes = 0;
  // Between the zip writer and `out`: counts the bytes, and takes the next chunk only once `out` took this one.
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (out.destroyed) return done(new ExportAborted());
      bytes += chunk.length;
      out.write(chunk);
      drained(out).then(() => done(), done);
    },
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false });
  const zip = (workbook as unknown as { zip: { abort(): void } }).zip;
  let rows = 0;
  try {
    const worksheet = workbook.addWorksheet(sheet.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    const columns = sheet.columns;
    worksheet.columns = columns.map((c, i) => ({ header: c.header, key: `c${i}`, width: c.width, style: numFmt[c.kind] ? { numFmt: numFmt[c.kind] } : {} }));
    worksheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
    const header = worksheet.getRow(1);
    header.font = { bold: true };
    header.commit();

    while (!next.done) {
      for (const source of next.value) {
        const values = columns.map((c) => value(c.kind, c.value(source)));
        const row = worksheet.addRow(values);
        for (let i = 0; i < columns.length; i++) {
          const v = values[i];
          if (columns[i]!.kind === 'quantity' && typeof v === 'number' && !Number.isInteger(v)) row.getCell(i + 1).numFmt = FRACTIONAL_QUANTITY;
        }
        row.commit();
      }
      rows += next.value.length;
      // What this batch produced moves on before the next is read (see above): the zip writer gets its turn, then
      // the sheet's zip entry, the sink and `out` must each be below their marks.
      await new Promise((resolve) => setImmediate(resolve));
      const entry = (worksheet as unknown as SheetStream).stream.pipes?.[0];
      if (entry) await drained(entry);
      await drained(sink);
      await drained(out);
      next = await iterator.next();
    }
    worksheet.commit();
    await workbook.commit();
  } catch (error) {
    zip.abort();
    sink.destroy();
    // Closes the query's cursor (postgres.js's return() may not hand back a promise; a failed query has none to close).
    try {
      await iterator.return?.();
    } catch {
      // the error that got us here is the one to report
    }
    throw error;
  }
  await finish(out);
  return { rows, bytes };
}
