/** The most units one count entry can carry, either way (a negative entry takes units back). */
export const MAX_COUNT_QUANTITY = 1_000_000;

/** Whether a count entry's quantity can be stored: a number within ±MAX_COUNT_QUANTITY with at most 3 decimals. */
export function isStorableCountQuantity(quantity: number): boolean {
  if (!Number.isFinite(quantity) || Math.abs(quantity) > MAX_COUNT_QUANTITY) return false;
  const thousandths = quantity * 1000;
  return Math.abs(thousandths - Math.round(thousandths)) < 1e-6;
}
