import { randomUUID } from 'node:crypto';
import { isValidEan13 } from '~/lib/ean';
import { problem, type Problem } from '~/lib/problems';
import { writeAudit } from '../audit/audit';
import { findProductIdsByEan } from './queries/stock';
import { setQuantities, setReorderRules } from '../stock/queries';
import { findStore } from '../accounts/queries/stores';
import { reportRowErrors } from '../imports/reports';
import { readCsv, yieldEvery, type CsvFatal, type CsvRowError } from '../csv/read';
import { AppError, notFound } from '../errors';
import type { SignedInContext } from '../domain/context';
import { inTransaction } from '../domain/transaction';

const BATCH = 5000;

const HEADER_ALIASES: Record<'ean' | 'quantity' | 'min' | 'reorder', string[]> = {
  ean: ['ean', 'ean13', 'gtin', 'codigo', 'codigo de barras'],
  quantity: ['quantity', 'quantidade', 'qtd', 'qtde', 'estoque', 'saldo'],
  // Optional: the store's minimum and how much to order when the balance falls below it (reorder suggestions).
  min: ['min', 'minimo', 'estoque minimo', 'min quantity'],
  reorder: ['reorder', 'reposicao', 'quantidade de reposicao', 'pedir', 'reorder quantity'],
};

/** "12", "12,5", "1.234,5", "12.5" → number with at most 3 decimals; Brazilian spreadsheets write decimal commas. */
export function parseQuantity(raw: string): number | Problem {
  const v = raw.trim();
  if (v === '') return problem('required', 'quantity is required', { field: 'quantity' });
  const normalized = v.includes(',') ? v.replace(/\./g, '').replace(',', '.') : v;
  if (!/^-?\d+(\.\d{1,3})?$/.test(normalized)) return problem('not_a_quantity', `"${v}" is not a quantity (use 12, 12,5 or 12.5; at most 3 decimals)`, { value: v });
  const n = Number(normalized);
  if (n < 0) return problem('must_not_be_negative', 'quantity must not be negative', { field: 'quantity' });
  if (n >= 1e10) return problem('too_large', 'quantity is too large', { field: 'quantity', max: 1e10 });
  return n;
}

/** `quantity` null: the row sets only the reorder rule; `rule` null: the row leaves the rule as it is. */
export type StockRow = { line: number; ean: string; quantity: number | null; rule: { minQuantity: number; reorderQuantity: number } | null };

/** The optional minimum and reorder quantity of a row: both or neither; the reorder quantity more than zero. */
function parseRule(minRaw: string | undefined, reorderRaw: string | undefined): StockRow['rule'] | Problem[] {
  const min = minRaw?.trim() ?? '';
  const reorder = reorderRaw?.trim() ?? '';
  if (min === '' && reorder === '') return null;
  if (min === '' || reorder === '') return [problem('rule_incomplete', 'give both the minimum and the reorder quantity, or neither', { field: min === '' ? 'min' : 'reorder' })];
  // parseQuantity names the `quantity` column: its problems here are the minimum's or the reorder quantity's.
  const inColumn = (value: number | Problem, field: 'min' | 'reorder'): number | Problem => (typeof value === 'number' ? value : { ...value, params: { ...value.params, field } });
  const minQuantity = inColumn(parseQuantity(min), 'min');
  const reorderQuantity = inColumn(parseQuantity(reorder), 'reorder');
  const problems = [minQuantity, reorderQuantity].filter((q): q is Problem => typeof q !== 'number');
  if (problems.length > 0) return problems;
  if (reorderQuantity === 0) return [problem('must_be_positive', 'the reorder quantity must be more than zero', { field: 'reorder' })];
  return { minQuantity: minQuantity as number, reorderQuantity: reorderQuantity as number };
}

/**
 * Parses a store stock CSV (`ean;quantity`, optionally `;minimo;reposicao`, comma or semicolon separated, header row)
 * into rows and per-line errors; line numbers are the file's, the header being line 1. A row with a rule may leave
 * the quantity blank (it sets only the rule).
 */
export async function parseStockCsv(text: string): Promise<{ rows: StockRow[]; errors: CsvRowError[]; fatal?: CsvFatal }> {
  const read = await readCsv(text, HEADER_ALIASES, ['ean', 'quantity']);
  if (read.fatal !== undefined) return { rows: [], errors: [], fatal: read.fatal };
  const rows: StockRow[] = [];
  const errors: CsvRowError[] = [];
  const seen = new Map<string, number>();
  for (const [index, { line, fields }] of read.records.entries()) {
    await yieldEvery(index + 1);
    const ean = (fields.ean ?? '').trim();
    const problems: Problem[] = [];
    if (!/^\d{13}$/.test(ean)) problems.push(problem('ean_digits', 'EAN must be 13 digits', { field: 'ean' }));
    else if (!isValidEan13(ean)) problems.push(problem('check_digit', 'EAN has a wrong check digit', { field: 'ean' }));
    const rule = parseRule(fields.min, fields.reorder);
    if (Array.isArray(rule)) problems.push(...rule);
    const quantity = rule && !Array.isArray(rule) && (fields.quantity ?? '').trim() === '' ? null : parseQuantity(fields.quantity ?? '');
    if (quantity !== null && typeof quantity !== 'number') problems.push(quantity);
    const firstLine = seen.get(ean);
    if (problems.length === 0 && firstLine !== undefined) problems.push(problem('ean_repeated', `EAN repeated: already on line ${firstLine}`, { line: firstLine }));
    if (problems.length > 0) {
      errors.push({ line, ean: ean || null, errors: problems });
      continue;
    }
    seen.set(ean, line);
    rows.push({ line, ean, quantity: quantity as number | null, rule: rule as StockRow['rule'] });
  }
  return { rows, errors };
}

/**
 * Sets a store's stock from a CSV: each valid row sets that product's quantity (products not in the file keep
 * theirs) and, with `minimo;reposicao`, its reorder rule; rows with an unknown EAN come back with their line.
 * Set-based, in one transaction.
 */
export async function importStoreStock(ctx: SignedInContext, input: { storeId: string; csv: string }) {
  const orgId = ctx.principal.orgId;
  const store = await findStore(ctx.db, orgId, input.storeId);
  if (!store) throw notFound('store', { field: 'storeId' });
  const parsed = await parseStockCsv(input.csv);
  if (parsed.fatal) throw new AppError('INVALID', parsed.fatal.reason, `${parsed.fatal.message}; expected ean;quantidade`, { field: 'csv', ...parsed.fatal.data });
  const errors = [...parsed.errors];
  const productIds = await findProductIdsByEan(ctx.db, orgId, parsed.rows.map((r) => r.ean));
  const ready: { productId: string; quantity: number }[] = [];
  const rules: { productId: string; minQuantity: number; reorderQuantity: number }[] = [];
  for (const row of parsed.rows) {
    const productId = productIds.get(row.ean);
    if (productId && row.quantity !== null) ready.push({ productId, quantity: row.quantity });
    if (productId && row.rule) rules.push({ productId, ...row.rule });
    if (productId) continue;
    errors.push({ line: row.line, ean: row.ean, errors: [problem('ean_unknown', `no product with EAN ${row.ean} in the catalogue`, { ean: row.ean })] });
  }
  // A product twice in the file: its last line wins.
  // In product order across batches: the rows are locked in the order every other stock writer locks them.
  const quantities = [...new Map(ready.map((r) => [r.productId, r])).values()].sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
  const operationId = randomUUID();
  const totals = await inTransaction(ctx, async (tx) => {
    let created = 0;
    let updated = 0;
    for (let i = 0; i < quantities.length; i += BATCH) {
      // Each quantity set is an `import` movement of the difference in the stock ledger.
      const result = await setQuantities(tx, {
        orgId,
        storeId: store.id,
        operationId,
        userId: ctx.principal.userId,
        referenceType: 'stock_import',
        referenceId: operationId,
        quantities: quantities.slice(i, i + BATCH),
      });
      created += result.created;
      updated += result.updated;
    }
    for (let i = 0; i < rules.length; i += BATCH) await setReorderRules(tx, { orgId, storeId: store.id, userId: ctx.principal.userId, rules: rules.slice(i, i + BATCH) });
    await writeAudit(tx, ctx.actor, { action: 'storeStock.imported', entityType: 'store', entityId: store.id, after: { created, updated, rules: rules.length, rejected: errors.length } });
    return { created, updated, rules: rules.length };
  });
  return { storeId: store.id, ...totals, ...(await reportRowErrors(ctx, 'stock', errors)) };
}
