import type { Writable } from 'node:stream';
import { labelSheets, labelsPerSheet, MAX_LABELS_PER_PDF, sheetsFor, type LabelSheetId } from '~/lib/label-sheets';
import type { SignedInContext } from '../domain/context';
import { AppError, notFound } from '../errors';
import { dated } from '../exports/service';
import { writeLabelsPdf, type LabelsPdfFigures } from './pdf';
import { findLabelProducts } from './queries';

export type ShelfLabelsRequest = {
  /** One label per id, in this order: an id given twice prints twice. */
  productIds: string[];
  layout: LabelSheetId;
  /** Positions of the first sheet already used (they stay blank). */
  skip: number;
};

/** A labels PDF that passed its checks: its name (without extension), its size, and how to write it. */
export type ShelfLabelsJob = {
  filename: string;
  labels: number;
  sheets: number;
  write(out: Writable): Promise<LabelsPdfFigures>;
};

/**
 * Shelf labels of the caller's org's products on A4 label sheets. Refuses more than MAX_LABELS_PER_PDF labels
 * (`too_many_labels`) and any id that is not one of the org's products (NOT_FOUND naming them: another org's product
 * is answered as an unknown one, and nothing is printed).
 */
export async function shelfLabels(ctx: SignedInContext, input: ShelfLabelsRequest): Promise<ShelfLabelsJob> {
  if (input.productIds.length > MAX_LABELS_PER_PDF) {
    throw new AppError('INVALID', 'too_many_labels', `At most ${MAX_LABELS_PER_PDF} labels per PDF (${input.productIds.length} asked)`, {
      max: MAX_LABELS_PER_PDF,
      count: input.productIds.length,
    });
  }
  const sheet = labelSheets[input.layout];
  if (input.skip >= labelsPerSheet(sheet)) {
    throw new AppError('INVALID', 'skip_past_sheet', `A sheet of ${sheet.id} has ${labelsPerSheet(sheet)} labels: skip at most ${labelsPerSheet(sheet) - 1}`, {
      field: 'skip',
      max: labelsPerSheet(sheet) - 1,
    });
  }
  const ids = [...new Set(input.productIds)];
  const rows = await findLabelProducts(ctx.db, ctx.principal.orgId, ids);
  const byId = new Map(rows.map((row) => [row.id, row]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length > 0) throw notFound('product', { field: 'productIds', ids: missing.slice(0, 20), missing: missing.length });
  const labels = input.productIds.map((id) => byId.get(id)!);
  return {
    filename: dated('etiquetas', `${labelsPerSheet(sheet)}-por-folha`),
    labels: labels.length,
    sheets: sheetsFor(sheet, labels.length, input.skip),
    write: (out) => writeLabelsPdf(out, labels, sheet, { skip: input.skip, title: 'Etiquetas de gôndola' }),
  };
}
