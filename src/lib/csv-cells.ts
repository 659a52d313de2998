/**
 * Cells of the CSV files we hand people (an import's refused rows, the exports), as a Brazilian Excel opens them:
 * semicolon-separated, with a BOM so it reads UTF-8.
 */

/** Text Excel would run as a formula if a cell began with it (`=`, `+`, `-`, `@`, a tab, a carriage return). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell: quoted, and never a formula: a value such as `=HYPERLINK(…)` (from a file, a product name, a note)
 * gets a leading apostrophe, which keeps Excel from running it. Only text goes through here: numbers we format
 * ourselves (`-3,5`) are numbers, not formulas.
 */
export function csvText(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return `"${text.replace(/"/g, '""')}"`;
}

/**
 * A code of digits (an EAN, a PLU) stays text in Excel, with no 7,89E+12 and no lost leading zero: `="…"`, which
 * Excel shows as the digits. Digits only, so nothing else can ride in that formula; anything else is plain text.
 */
export const csvCode = (value: string | null): string => (value && /^\d+$/.test(value) ? `="${value}"` : csvText(value ?? ''));
