import { csvCode as code, csvText as cell } from '~/lib/csv-cells';
import type { Problem } from '~/lib/problems';
import { describeRowProblem } from '~/lib/trpc/errors';

type RowError = { line: number; ean: string | null; errors: Pick<Problem, 'reason' | 'params'>[] };

/** An import's refused rows as the CSV a Brazilian Excel opens: semicolons, a BOM, the reasons in Portuguese. */
export function rowErrorsCsv(rows: readonly RowError[]): string {
  const lines = ['Linha;EAN;Motivos', ...rows.map((r) => [String(r.line), code(r.ean), cell(r.errors.map(describeRowProblem).join('; '))].join(';'))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
