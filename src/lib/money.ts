/** One formatter for the whole process: `toLocaleString` with options builds a new one per call (costly on hot paths). */
const brlFormat = new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' });

/** R$ 1.234,56 */
export const brl = (value: number): string => brlFormat.format(value);
