import type { Writable } from 'node:stream';
import { csvCode, csvText } from '~/lib/csv-cells';
import { finish, send } from './flow';
import { decimalText, wallClockText, yesNo, type CellValue, type Column, type ExportFigures, type Sheet } from './sheet';

/** One cell of a column's kind: see CellKind. Numbers are never quoted, so a spreadsheet reads them as numbers. */
function cell(kind: Column<unknown>['kind'], value: CellValue): string {
  if (value === null || value === undefined || value === '') return '';
  switch (kind) {
    case 'code':
      return csvCode(String(value));
    case 'quantity':
      return decimalText(Number(value), 3, { trim: true });
    case 'money':
      return decimalText(Number(value), 2, { trim: false });
    case 'date':
      return wallClockText(Number(value));
    case 'yesNo':
      return yesNo(Boolean(value));
    case 'text':
      return csvText(String(value));
  }
}

/**
 * The sheet as the CSV a Brazilian Excel opens as it is: UTF-8 with a BOM, `;` between cells, CRLF between rows,
 * numbers with a decimal comma, dates `dd/mm/aaaa hh:mm`, codes kept as text, no cell a formula. Rows are written
 * a batch at a time as the query yields them, waiting whenever `out` is full; nothing is written before the first
 * batch arrives, so a query that fails at once leaves `out` untouched (the caller can still answer an error).
 * `out` is ended when the last row is written; on an error it is left as it is, for the caller to destroy.
 */
export async function writeCsv<Row>(sheet: Sheet<Row>, batches: AsyncIterable<Row[]>, out: Writable): Promise<ExportFigures> {
  const columns = sheet.columns;
  let head = `\uFEFF${columns.map((c) => csvText(c.header)).join(';')}\r\n`;
  let rows = 0;
  let bytes = 0;
  const write = async (text: string) => {
    const chunk = Buffer.from(text, 'utf8');
    bytes += chunk.length;
    await send(out, chunk);
  };
  for await (const batch of batches) {
    let text = head;
    head = '';
    for (const row of batch) {
      let line = '';
      for (let i = 0; i < columns.length; i++) {
        const column = columns[i]!;
        line += (i === 0 ? '' : ';') + cell(column.kind, column.value(row));
      }
      text += `${line}\r\n`;
    }
    rows += batch.length;
    await write(text);
  }
  if (head) await write(head);
  await finish(out);
  return { rows, bytes };
}
