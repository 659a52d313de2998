/**
 * Scanned codes, for the server and the browser: GTIN check digits and store scales' variable-weight labels:
 * `2` + PLU (pluLength digits) + padding (ignored) + value (5 digits: grams or centavos, per the org's layout) +
 * check digit.
 */

export type ScaleBarcodeLayout = { pluLength: 4 | 5 | 6; value: 'weight_grams' | 'price_cents' };

export type ScaleLabel = { plu: string; kind: 'weight_grams' | 'price_cents'; value: number };

export type ParsedScan =
  | { ok: true; /** The code as stored and looked up: 12-digit UPC-A and 14-digit GTINs with a leading 0 become EAN-13. */ ean: string; scale: ScaleLabel | null }
  | { ok: false; reason: 'invalid_barcode' | 'invalid_check_digit' };

/** GS1 check digit of a code's digits before the check digit (any GTIN length): weights 3,1,3,… from the right. */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += i % 2 === 0 ? digit * 3 : digit;
  }
  return (10 - (sum % 10)) % 10;
}

export function hasValidGs1CheckDigit(code: string): boolean {
  return /^(\d{8}|\d{12,14})$/.test(code) && gs1CheckDigit(code.slice(0, -1)) === code.charCodeAt(code.length - 1) - 48;
}

/** The label's fields, or null when the code is not a variable-weight label under this layout. */
export function parseScaleLabel(ean13: string, layout: ScaleBarcodeLayout | null | undefined): ScaleLabel | null {
  if (!layout || !/^2\d{12}$/.test(ean13)) return null;
  return { plu: ean13.slice(1, 1 + layout.pluLength), kind: layout.value, value: Number(ean13.slice(7, 12)) };
}

/** Validates a scanned code and normalizes it; a 13-digit code starting with 2 also yields its scale label. */
export function parseScan(code: string, layout: ScaleBarcodeLayout | null | undefined): ParsedScan {
  if (!/^(\d{8}|\d{12,14})$/.test(code)) return { ok: false, reason: 'invalid_barcode' };
  if (!hasValidGs1CheckDigit(code)) return { ok: false, reason: 'invalid_check_digit' };
  const ean = code.length === 12 ? `0${code}` : code.length === 14 && code.startsWith('0') ? code.slice(1) : code;
  return { ok: true, ean, scale: parseScaleLabel(ean, layout) };
}

/** PLUs a label's PLU may be stored as (4 to 6 digits, zero-padded), the label's own spelling first. */
export function pluCandidates(plu: string): string[] {
  const n = plu.replace(/^0+(?=\d)/, '');
  return [plu, ...[4, 5, 6].map((len) => n.padStart(len, '0')).filter((p) => p !== plu && p.length <= 6)].filter((p, i, all) => all.indexOf(p) === i);
}

/**
 * The quantity one label stands for, in the product's unit (kg): the weight, or the price over the unit price.
 * Null when a price label's product has no unit price to divide by. Rounded to grams (3 decimals).
 */
export function scaleLabelQuantity(label: ScaleLabel, unitPrice: number | null | undefined): number | null {
  if (label.kind === 'weight_grams') return label.value / 1000;
  if (!unitPrice || unitPrice <= 0) return null;
  return Math.round((label.value / 100 / unitPrice) * 1000) / 1000;
}
