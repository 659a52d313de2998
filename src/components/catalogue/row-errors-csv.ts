import type { Problem } from '~/lib/problems';
import { describeRowProblem } from '~/lib/trpc/errors';

type RowError = { line: number; ean: string | null; errors: Pick<Problem, 'reason' | 'params'>[] };

/**
 * A cell as a spreadsheet should read it: quoted, and never a formula (a file's own text such as `=HYPERLINK(…)`
 * comes back in the report; a leading apostrophe keeps Excel from running it).
 */
function cell(value: string): string {
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${text.replace(/"/g, '""')}"`;
}

/** A code of digits stays text in Excel (no 7,89E+12, no lost leading zero): `="…"`, digits only, so no injection. */
const code = (value: string | null) => (value && /^\d+$/.test(value) ? `="${value}"` : cell(value ?? ''));

/** An import's refused rows as the CSV a Brazilian Excel opens: semicolons, a BOM, the reasons in Portuguese. */
export function rowErrorsCsv(rows: readonly RowError[]): string {
  const lines = ['Linha;EAN;Motivos', ...rows.map((r) => [String(r.line), code(r.ean), cell(r.errors.map(describeRowProblem).join('; '))].join(';'))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
