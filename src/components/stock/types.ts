import type { RouterOutputs } from '~/lib/trpc/react';

export type Movement = RouterOutputs['stock']['history']['items'][number];
export type StockLevel = RouterOutputs['stock']['levels']['items'][number];

/** How each kind of stock movement reads on the screens. */
export const movementKindNames: Record<Movement['kind'], string> = {
  opening: 'Saldo inicial',
  import: 'Importação de planilha',
  receipt: 'Recebimento',
  count_adjustment: 'Ajuste de inventário',
  manual_adjustment: 'Ajuste manual',
  transfer_out: 'Transferência enviada',
  transfer_in: 'Transferência recebida',
  loss: 'Perda',
};
