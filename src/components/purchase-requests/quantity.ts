import { decimalPlaces, formatQuantity, parseDecimal } from '../ui/format';

export const MAX_QUANTITY = 1_000_000;

/** A typed quantity checked the way the server checks it (more than zero, at most 3 decimals), in words a clerk reads. */
export function checkQuantity(text: string, max: number = MAX_QUANTITY): { value: number; error?: undefined } | { value?: undefined; error: string } {
  const value = parseDecimal(text);
  if (value === null) return { error: 'Informe um número, por exemplo 12 ou 1,5' };
  if (value <= 0) return { error: 'Deve ser maior que zero' };
  if (decimalPlaces(value) > 3) return { error: 'Use no máximo 3 casas decimais' };
  if (value > max) return { error: max === MAX_QUANTITY ? `Deve ser no máximo ${formatQuantity(max)}` : `No máximo a quantidade pedida (${formatQuantity(max)})` };
  return { value };
}
