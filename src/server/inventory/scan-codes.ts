import { parseScan, pluCandidates, scaleLabelQuantity, type ScaleBarcodeLayout } from '~/lib/scale-barcode';
import type { Executor } from '../db/client';
import { findProductsForScans, type ScanProduct } from './queries/entries';

/**
 * What a scanned code stands for, shared by counting and receiving: the product by its exact EAN first, then a
 * scale label's PLU under the org's layout, and the quantity a label stands for (weight or price ÷ unit price).
 */

export type ScanProducts = { byEan: Map<string, ScanProduct>; byPlu: Map<string, ScanProduct> };

/** The org's products these codes can stand for, in one query. */
export async function productsForScans(db: Executor, orgId: string, codes: string[], layout: ScaleBarcodeLayout | null): Promise<ScanProducts> {
  const eans = new Set<string>();
  const plus = new Set<string>();
  for (const code of codes) {
    const scan = parseScan(code, layout);
    if (!scan.ok) continue;
    eans.add(scan.ean);
    if (scan.scale) for (const plu of pluCandidates(scan.scale.plu)) plus.add(plu);
  }
  const products = await findProductsForScans(db, orgId, [...eans], [...plus]);
  return {
    byEan: new Map(products.map((p) => [p.ean, p])),
    byPlu: new Map(products.flatMap((p) => (p.plu ? [[p.plu, p] as const] : []))),
  };
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

export type ResolvedCode =
  /** `ean`: the code as stored (normalised); `line`: the EAN the scan counts for (the product's, or an unknown code's own). */
  | { ean: string; productId: string | null; quantity: number; line: string }
  | { reject: 'invalid_barcode' | 'invalid_check_digit' | 'no_unit_price' };

/** `quantity`: units, or for a scale label the number of labels (turned into kg or units here). */
export function resolveScanCode(code: string, quantity: number, layout: ScaleBarcodeLayout | null, { byEan, byPlu }: ScanProducts): ResolvedCode {
  const scan = parseScan(code, layout);
  if (!scan.ok) return { reject: scan.reason };
  const exact = byEan.get(scan.ean);
  if (exact || !scan.scale) return { ean: scan.ean, productId: exact?.id ?? null, quantity, line: scan.ean };
  const label = scan.scale;
  const product = pluCandidates(label.plu)
    .map((plu) => byPlu.get(plu))
    .find(Boolean);
  const perLabel = scaleLabelQuantity(label, product?.price);
  if (product && perLabel === null) return { reject: 'no_unit_price' };
  // An unknown PLU is kept unmatched; a weight label still says how much it weighed.
  return { ean: scan.ean, productId: product?.id ?? null, quantity: perLabel === null ? quantity : round3(quantity * perLabel), line: product?.ean ?? scan.ean };
}
