import { writeAudit } from '../audit/audit';
import type { Actor } from '../domain/context';
import type { Transaction } from '../db/client';
import { problem, type Problem } from '~/lib/problems';
import type { SignedInContext } from '../domain/context';
import { constraintOf } from '../errors';
import { inTransaction, type Emit } from '../domain/transaction';
import type { NewEvent } from '../events/types';
import { yieldEvery } from '../csv/read';
import type { CsvProductRow, CsvRowError } from './csv';
import { findPluOwners, findUserIdsByEmail, upsertProducts, type ProductValues } from './queries';

const BATCH = 1000;

export type ImportResult = { created: number; updated: number; errors: CsvRowError[] };

/**
 * Imports parsed rows: rows that fail a check against the database (unknown buyer, PLU taken) are reported with
 * their line; the others are upserted in batches. A batch the database refuses is retried row by row under
 * savepoints, so one bad row never takes good rows down with it, and no row is ever half-written. A batch's
 * events are recorded once its savepoint holds.
 */
export async function importProducts(ctx: SignedInContext, rows: CsvProductRow[]): Promise<ImportResult> {
  const { db, actor } = ctx;
  const orgId = ctx.principal.orgId;
  const errors: CsvRowError[] = [];
  const buyers = await findUserIdsByEmail(db, orgId, [...new Set(rows.flatMap((r) => (r.buyerEmail ? [r.buyerEmail] : [])))]);
  const pluOwners = await findPluOwners(db, orgId, [...new Set(rows.flatMap((r) => (r.plu ? [r.plu] : [])))]);
  const pluInFile = new Map<string, number>();
  const ready: (ProductValues & { line: number })[] = [];
  for (const [index, r] of rows.entries()) {
    await yieldEvery(index + 1);
    const problems: Problem[] = [];
    const buyer = r.buyerEmail ? buyers.get(r.buyerEmail) : undefined;
    if (r.buyerEmail && !buyer) problems.push(problem('buyer_email_unknown', `no active user with email ${r.buyerEmail}`, { email: r.buyerEmail }));
    else if (buyer && buyer.role !== 'buyer') problems.push(problem('not_a_buyer', `${r.buyerEmail} is not a buyer`, { email: r.buyerEmail ?? null }));
    if (r.plu) {
      const owner = pluOwners.get(r.plu);
      if (owner && owner !== r.ean) problems.push(problem('plu_taken', `PLU ${r.plu} already belongs to EAN ${owner}`, { plu: r.plu, ean: owner }));
      const other = pluInFile.get(r.plu);
      if (other !== undefined) problems.push(problem('plu_repeated', `PLU ${r.plu} repeated: already on line ${other}`, { plu: r.plu, line: other }));
      pluInFile.set(r.plu, r.line);
    }
    if (problems.length > 0) {
      errors.push({ line: r.line, ean: r.ean, errors: problems });
      continue;
    }
    ready.push({
      line: r.line,
      ean: r.ean,
      name: r.name,
      brand: r.brand,
      category: r.category,
      unit: r.unit,
      referencePrice: r.referencePrice,
      plu: r.plu,
      buyerId: r.buyerEmail === undefined ? undefined : (buyer?.id ?? null),
      active: r.active,
    });
  }

  const written: { ean: string; created: boolean }[] = [];
  await inTransaction(ctx, async (_tx, emit) => {
    // A batch (or a row) and its events hold together or not at all: one bad row never takes the good ones down.
    const write = async (batch: (ProductValues & { line: number })[]) => {
      written.push(...(await emit.savepoint((sp, spEmit) => writeBatch(sp, spEmit, orgId, actor, batch))));
    };
    for (let i = 0; i < ready.length; i += BATCH) {
      const batch = ready.slice(i, i + BATCH);
      try {
        await write(batch);
      } catch {
        for (const row of batch) {
          try {
            await write([row]);
          } catch (error) {
            errors.push({ line: row.line, ean: row.ean, errors: [databaseProblem(error)] });
          }
        }
      }
    }
  });
  errors.sort((a, b) => a.line - b.line);
  const created = written.filter((w) => w.created).length;
  return { created, updated: written.length - created, errors };
}

/** One batch's rows, audit and events, all in the savepoint `tx`. */
async function writeBatch(tx: Transaction, emit: Emit, orgId: string, actor: Actor, batch: (ProductValues & { line: number })[]) {
  const written = await upsertProducts(tx, orgId, batch);
  const byEan = new Map(batch.map((b) => [b.ean, b]));
  await writeAudit(
    tx,
    actor,
    written.map((w) => ({
      action: w.created ? 'product.created' : 'product.updated',
      entityType: 'product',
      entityId: w.id,
      after: { ...byEan.get(w.ean), line: undefined, source: 'csv' },
    })),
  );
  await emit(
    written.map(
      (w): NewEvent =>
        w.created
          ? { type: 'product.created', orgId, aggregateId: w.id, payload: { productId: w.id, ean: w.ean, name: byEan.get(w.ean)!.name, hasImage: false } }
          : { type: 'product.updated', orgId, aggregateId: w.id, payload: { productId: w.id, ean: w.ean, changed: ['csv'] } },
    ),
  );
  return written;
}

function databaseProblem(error: unknown): Problem {
  const constraint = constraintOf(error);
  if (constraint === 'products_org_plu_unique') return problem('plu_taken', 'PLU already used by another product');
  if (constraint) return problem('invalid_value', `invalid value (${constraint})`, { constraint });
  return problem('rejected_by_database', 'rejected by the database');
}
