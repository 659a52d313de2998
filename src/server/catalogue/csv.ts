import { z } from 'zod';
import { isValidEan13 } from '~/lib/ean';
import { matching, problem, problemOfIssue } from '~/lib/problems';
import { readCsv, yieldEvery, type CsvFatal, type CsvRowError } from '../csv/read';

/** Header names accepted for each field (pt-BR spreadsheets and English ones), compared without accents/case. */
const HEADER_ALIASES: Record<string, string[]> = {
  ean: ['ean', 'ean13', 'gtin', 'codigo', 'codigo de barras'],
  name: ['name', 'nome', 'descricao', 'produto'],
  brand: ['brand', 'marca'],
  category: ['category', 'categoria'],
  unit: ['unit', 'unidade', 'un'],
  referencePrice: ['reference_price', 'price', 'preco', 'preco de referencia', 'preco_referencia'],
  buyerEmail: ['buyer_email', 'buyer', 'comprador', 'email do comprador'],
  plu: ['plu'],
  active: ['active', 'ativo'],
};

/*
 * A column the file does not have leaves that field of an existing product as it is (undefined here). In a
 * column the file has, an empty cell clears a text field (brand, category, PLU, buyer) and leaves a price, unit
 * or active flag as it is: nobody means "price zero" with a blank cell. New products get the defaults.
 */
const optional = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `at most ${max} characters`)
    .transform((v) => (v === '' ? null : v))
    .optional();

/** "12,50", "1.234,56", "12.50" → number; Brazilian spreadsheets write decimal commas. */
const price = z
  .string()
  .trim()
  .transform((v, ctx) => {
    if (v === '') return undefined;
    const normalized = v.includes(',') ? v.replace(/\./g, '').replace(',', '.') : v;
    const n = Number(normalized);
    if (!/^\d+(\.\d{1,2})?$/.test(normalized) || !Number.isFinite(n)) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a price (use 12,50 or 12.50)`, params: { reason: 'not_a_price', value: v } });
      return z.NEVER;
    }
    return n;
  });

const row = z.object({
  ean: matching(/^\d{13}$/, 'ean_digits', 'EAN must be 13 digits').refine(isValidEan13, { message: 'EAN has a wrong check digit', params: { reason: 'check_digit' } }),
  name: z.string().trim().min(1, 'name is required').max(200, 'name: at most 200 characters'),
  brand: optional(100),
  category: optional(100),
  unit: z
    .string()
    .trim()
    .max(10)
    .transform((v) => v || undefined)
    .optional(),
  referencePrice: price.optional(),
  buyerEmail: optional(254).transform((v) => (v ? v.toLowerCase() : v)),
  plu: optional(6).refine((v) => v == null || /^\d{4,6}$/.test(v), { message: 'PLU must be 4 to 6 digits', params: { reason: 'plu_format' } }),
  active: z
    .string()
    .trim()
    .toLowerCase()
    .transform((v, ctx) => {
      if (v === '') return undefined;
      if (['1', 'true', 'sim', 's', 'yes'].includes(v)) return true;
      if (['0', 'false', 'nao', 'não', 'n', 'no'].includes(v)) return false;
      ctx.addIssue({ code: 'custom', message: `active must be sim/não, got "${v}"`, params: { reason: 'not_yes_no', value: v } });
      return z.NEVER;
    })
    .optional(),
});
export type CsvProductRow = z.infer<typeof row> & { line: number };
export type { CsvRowError };

/**
 * Parses a product CSV (comma or semicolon separated, with a header row) into valid rows and per-line errors.
 * Line numbers are the file's, counting the header as line 1.
 */
export async function parseProductCsv(text: string): Promise<{ rows: CsvProductRow[]; errors: CsvRowError[]; fatal?: CsvFatal }> {
  const read = await readCsv(text, HEADER_ALIASES, ['ean', 'name']);
  if (read.fatal !== undefined) return { rows: [], errors: [], fatal: read.fatal };

  const rows: CsvProductRow[] = [];
  const errors: CsvRowError[] = [];
  const seen = new Map<string, number>();
  for (const [index, { line, fields: raw }] of read.records.entries()) {
    await yieldEvery(index + 1);
    const parsed = row.safeParse(raw);
    if (!parsed.success) {
      errors.push({ line, ean: raw.ean?.trim() || null, errors: parsed.error.issues.map(problemOfIssue) });
      continue;
    }
    const firstLine = seen.get(parsed.data.ean);
    if (firstLine !== undefined) {
      errors.push({ line, ean: parsed.data.ean, errors: [problem('ean_repeated', `EAN repeated: already on line ${firstLine}`, { line: firstLine })] });
      continue;
    }
    seen.set(parsed.data.ean, line);
    rows.push({ ...parsed.data, line });
  }
  return { rows, errors };
}
