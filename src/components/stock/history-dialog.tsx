'use client';

import { cursorPages } from '~/lib/trpc/cursor-pages';
import { api } from '~/lib/trpc/react';
import { DataTable } from '../ui/data-table';
import { formatDateTime, formatQuantity } from '../ui/format';
import { Modal } from '../ui/modal';
import { PagedList, pagedItems } from '../ui/paged-list';
import { movementKindNames } from './types';
import type { StockLevel } from './types';

/** A product's movements in a store, newest first, each with the balance it left. */
export function HistoryDialog({ storeId, level, onClose }: { storeId: string; level: StockLevel | null; onClose: () => void }) {
  const history = api.stock.history.useInfiniteQuery({ storeId, productId: level?.productId ?? '', limit: 25 }, { ...cursorPages, enabled: level !== null });
  const movements = pagedItems(history);
  return (
    <Modal open={level !== null} title={level ? `Histórico de ${level.name}` : 'Histórico'} onClose={onClose}>
      <PagedList query={history} loadingLabel="Carregando o histórico…" errorTitle="Não foi possível carregar o histórico" empty="Nenhuma movimentação registrada.">
        <DataTable caption="Movimentações" className="inbox-table" columns={['Quando', 'Tipo', { label: 'Quantidade', className: 'num' }, { label: 'Saldo depois', className: 'num' }, 'Quem', 'Motivo']}>
          {movements.map((m) => (
            <tr role="row" key={m.id}>
              <td role="cell" data-label="Quando">
                {formatDateTime(m.createdAt)}
              </td>
              <th scope="row" role="rowheader" data-label="Tipo">
                {movementKindNames[m.kind]}
              </th>
              <td role="cell" data-label="Quantidade" className="num">
                {m.quantity > 0 ? '+' : ''}
                {formatQuantity(m.quantity)}
              </td>
              <td role="cell" data-label="Saldo depois" className="num">
                {formatQuantity(m.balanceAfter)}
              </td>
              <td role="cell" data-label="Quem">
                {m.userName ?? <span className="muted">sistema</span>}
              </td>
              <td role="cell" data-label="Motivo">
                {m.reason ?? '—'}
              </td>
            </tr>
          ))}
        </DataTable>
      </PagedList>
    </Modal>
  );
}
