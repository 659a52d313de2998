/**
 * What an export is, whatever its format: a sheet of typed columns, each reading its value off a row of the
 * kind's query. The writers (csv.ts, xlsx.ts) turn the kind of a column into the file's own form of it.
 */

/**
 * - `text`: words, as they are (neutralised so no spreadsheet runs them as a formula);
 * - `code`: digits that are not a number (EAN, PLU): kept as text, leading zeros and all;
 * - `quantity`: up to 3 decimals (kilograms from scale labels); `money`: reais, 2 decimals;
 * - `date`: an instant, given as the wall clock in São Paulo in epoch milliseconds read as UTC (`wallClock` in
 *   queries.ts): what the cell shows, and what a spreadsheet date holds (no time zone of its own);
 * - `yesNo`: a boolean, written Sim / Não.
 */
export type CellKind = 'text' | 'code' | 'quantity' | 'money' | 'date' | 'yesNo';
export type CellValue = string | number | boolean | null | undefined;

export type Column<Row> = {
  header: string;
  kind: CellKind;
  /** In characters (the spreadsheet's column width). */
  width: number;
  value: (row: Row) => CellValue;
};

export type Sheet<Row> = {
  /** The spreadsheet tab's name (at most 31 characters, none of []:*?/\). */
  name: string;
  columns: readonly Column<Row>[];
};

/** What one export wrote: rows of data (the header not counted) and bytes of the file. */
export type ExportFigures = { rows: number; bytes: number };

export const yesNo = (value: boolean) => (value ? 'Sim' : 'Não');

const pad = (n: number) => String(n).padStart(2, '0');

/** `dd/mm/aaaa hh:mm` of a wall-clock instant (see CellKind `date`). */
export function wallClockText(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** A number the Brazilian way, with a decimal comma and no grouping (what a spreadsheet reads back as a number). */
export function decimalText(value: number, decimals: number, opts: { trim: boolean }): string {
  let text = value.toFixed(decimals);
  if (opts.trim && text.includes('.')) text = text.replace(/\.?0+$/, '');
  if (text === '-0') text = '0';
  return text.replace('.', ',');
}
