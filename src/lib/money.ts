/** One formatter for the whole process: `toLocaleString` with options builds a new one per call (costly on hot paths). */
const brlFormat = new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' });

/** R$ 1.234,56 */
export const brl = (value: number): string => brlFormat.format(value);

const cents = (quantity: number, unitPrice: number) => Math.round(quantity * unitPrice * 100);

/** A line's value in reais, rounded to the cent: the one rule for request items, decisions and estimates. */
export const lineTotal = (quantity: number, unitPrice: number): number => cents(quantity, unitPrice) / 100;

/** The sum of lines, each rounded to the cent first and added in cents (no float drift over many lines). */
export const linesTotal = (lines: readonly { quantity: number; unitPrice: number }[]): number =>
  lines.reduce((sum, line) => sum + cents(line.quantity, line.unitPrice), 0) / 100;
