import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { Problem } from '~/lib/problems';

/** A bad row of an import: its line in the file (the header is line 1) and what is wrong with it. */
export type CsvRowError = { line: number; ean: string | null; errors: Problem[] };
export type CsvRecord = { line: number; fields: Partial<Record<string, string>> };
/** Why a whole file is refused: nothing in it was read. */
export type CsvFatal = { reason: 'csv_unreadable' | 'csv_empty' | 'csv_missing_column' | 'csv_too_many_rows'; message: string; data?: Record<string, unknown> };

/** A big file is read a piece at a time, so parsing it never holds the event loop for long. */
function* chunksOf(text: string, size = 64 * 1024) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

/**
 * Lets other requests run every `every` items of a long loop (a 20 MB import must not stall everyone): the turn
 * of the event loop that setImmediate waits for also serves I/O.
 */
export const yieldEvery = (count: number, every = 1000) => (count % every === 0 ? new Promise<void>((resolve) => setImmediate(resolve)) : undefined);

/** Rows one import takes (a 20 MB file of very short lines would otherwise be millions). */
export const MAX_CSV_ROWS = 200_000;

/** The bad rows an import's answer lists: the first MAX_LISTED (by line), with the count of all of them. */
export const MAX_LISTED_ROW_ERRORS = 1000;
export function rowErrorReport(errors: CsvRowError[]) {
  const sorted = [...errors].sort((a, b) => a.line - b.line);
  return { rejected: sorted.length, errors: sorted.slice(0, MAX_LISTED_ROW_ERRORS), errorsTruncated: sorted.length > MAX_LISTED_ROW_ERRORS, all: sorted };
}

const normalizeHeader = (h: string) =>
  h
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .toLowerCase();

/**
 * Reads a spreadsheet export: comma or semicolon separated (whichever the header uses more; Brazilian Excel
 * writes semicolons), BOM tolerated, header names matched to fields through `aliases` without accents or case.
 * Returns each row as field → text with its line number, or a fatal error a person can act on.
 */
export async function readCsv<F extends string>(
  text: string,
  aliases: Record<F, string[]>,
  required: F[],
): Promise<{ records: CsvRecord[]; fatal?: undefined } | { records?: undefined; fatal: CsvFatal }> {
  const end = text.indexOf('\n');
  const firstLine = end === -1 ? text : text.slice(0, end);
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) >= (firstLine.match(/,/g)?.length ?? 0) && firstLine.includes(';') ? ';' : ',';
  const parsed: { record: string[]; info: { lines: number } }[] = [];
  try {
    // relax_quotes: a quote inside an unquoted field (TV 32") is a character, not a broken file.
    const parser = Readable.from(chunksOf(text)).pipe(parse({ delimiter, bom: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: true, info: true }));
    for await (const row of parser) {
      // The header is one of them: MAX_CSV_ROWS data rows at most.
      if (parsed.length > MAX_CSV_ROWS) {
        parser.destroy();
        return { fatal: { reason: 'csv_too_many_rows', message: `The file has more than ${MAX_CSV_ROWS} rows; split it into files of at most that many`, data: { max: MAX_CSV_ROWS } } };
      }
      parsed.push(row as (typeof parsed)[number]);
      await yieldEvery(parsed.length);
    }
  } catch (error) {
    return { fatal: { reason: 'csv_unreadable', message: `The file is not valid CSV: ${(error as Error).message}`, data: { detail: (error as Error).message } } };
  }
  const [header, ...body] = parsed;
  if (!header) return { fatal: { reason: 'csv_empty', message: 'The file is empty' } };
  const columns = header.record.map((h) => {
    const n = normalizeHeader(h);
    return (Object.keys(aliases) as F[]).find((field) => aliases[field].includes(n)) ?? null;
  });
  const missing = required.find((field) => !columns.includes(field));
  if (missing) return { fatal: { reason: 'csv_missing_column', message: `Missing column "${missing}" in the header (line 1)`, data: { column: missing } } };
  return {
    records: body.map(({ record, info }) => {
      const fields: Partial<Record<string, string>> = {};
      columns.forEach((field, i) => {
        if (field && record[i] !== undefined) fields[field] = record[i];
      });
      return { line: info.lines, fields };
    }),
  };
}
