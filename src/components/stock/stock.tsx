'use client';

import { useEffect, useMemo, useRef, useState } from 'react';
import { cursorPages } from '~/lib/trpc/cursor-pages';
import { api } from '~/lib/trpc/react';
import type { StockLevel } from './types';
import { useSession } from '../session';
import { StorePicker, type PickedStore } from '../stores/store-picker';
import { CheckboxField, SelectField, TextField } from '../ui/fields';
import { actionsColumn, DataTable } from '../ui/data-table';
import { Loading } from '../ui/feedback';
import { formatDateTime, formatQuantity } from '../ui/format';
import { ListNotice, useListNotice } from '../ui/list-notice';
import { PageHeader } from '../ui/page-header';
import { PagedList, pagedItems } from '../ui/paged-list';
import { RowAction, RowActions } from '../ui/row-actions';
import { useDebouncedValue } from '../ui/use-debounced-value';
import { AdjustStockDialog } from './adjust-dialog';
import { HistoryDialog } from './history-dialog';
import { StockImportDialog } from './import-dialog';
import { ReorderDialog } from './reorder-dialog';
import { ReorderPanel } from './reorder-panel';
import styles from './stock.module.css';

const PAGE_SIZE = 50;

/**
 * A store's stock as the ledger has it: search, category, each product's history; managers and admins adjust,
 * write off losses and transfer to another store, with a reason (the server enforces the same). Buyers, who work
 * for every store of the chain and belong to none, read any store's stock, chosen by a search.
 */
export function Stock() {
  const { user, stores } = useSession();
  const canAdjust = user.role === 'manager' || user.role === 'admin';
  const anyStore = user.role === 'buyer';
  const utils = api.useUtils();
  const [chosenStoreId, setStoreId] = useState(() => stores[0]?.id ?? '');
  const [pickedStore, setPickedStore] = usePickedStore(anyStore);
  const storeId = anyStore ? (pickedStore?.id ?? '') : chosenStoreId;
  const [search, setSearch] = useState('');
  const [category, setCategory] = useState('');
  const [belowMinimum, setBelowMinimum] = useState(false);
  const debouncedSearch = useDebouncedValue(search.trim(), 300);
  const categoriesQuery = api.products.categories.useQuery(undefined, { staleTime: 5 * 60_000 });
  const categories = useMemo(() => [...new Set((categoriesQuery.data ?? []).flatMap((c) => (c.category ? [c.category] : [])))], [categoriesQuery.data]);
  const list = api.stock.levels.useInfiniteQuery(
    { storeId, limit: PAGE_SIZE, search: debouncedSearch || null, category: category || null, belowMinimum },
    { ...cursorPages, enabled: storeId !== '' },
  );
  const [history, setHistory] = useState<StockLevel | null>(null);
  const [adjusting, setAdjusting] = useState<StockLevel | null>(null);
  const [reordering, setReordering] = useState<StockLevel | null>(null);
  const [importing, setImporting] = useState(false);
  const notice = useListNotice(() => Promise.all([utils.stock.levels.invalidate(), utils.stock.history.invalidate(), utils.stock.suggestions.invalidate()]));
  const levels = pagedItems(list);
  // The rows shown belong to the store they were loaded for: after a switch, the previous store's rows (kept while the
  // new ones load) are not shown under the new store's name, where their actions would mix one store with the other.
  const loadedFor = useRef<string | null>(null);
  useEffect(() => {
    if (list.data && !list.isPlaceholderData) loadedFor.current = storeId;
  });
  const otherStoresRows = list.isPlaceholderData && loadedFor.current !== storeId;
  const storeName = anyStore ? (pickedStore?.name ?? '') : (stores.find((s) => s.id === storeId)?.name ?? '');

  return (
    <>
      <PageHeader
        title="Estoque"
        description="O saldo de cada produto por loja, com o histórico de cada entrada e saída."
        actions={
          canAdjust && storeId !== '' ? (
            <button type="button" className="btn btn-secondary" onClick={notice.clearThen(() => setImporting(true))}>
              Importar CSV
            </button>
          ) : null
        }
      />
      <form className="filters" role="search" aria-label="Buscar no estoque" onSubmit={(e) => e.preventDefault()}>
        {anyStore ? (
          <StorePicker label="Loja" from="stock" value={pickedStore} onChange={setPickedStore} />
        ) : (
          <SelectField label="Loja" value={storeId} onChange={(e) => setStoreId(e.target.value)}>
            {stores.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </SelectField>
        )}
        <TextField label="Buscar por nome ou EAN" type="search" value={search} onChange={(e) => setSearch(e.target.value)} autoComplete="off" />
        <SelectField label="Categoria" value={category} onChange={(e) => setCategory(e.target.value)}>
          <option value="">Todas as categorias</option>
          {categories.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </SelectField>
        <CheckboxField label="Só abaixo do mínimo" checked={belowMinimum} onChange={(e) => setBelowMinimum(e.target.checked)} />
      </form>
      <ListNotice notice={notice} />
      {/* Suggestions turn into a store's purchase request: the store's people and managers make those, not buyers. */}
      {storeId !== '' && !anyStore ? <ReorderPanel storeId={storeId} /> : null}
      {storeId === '' ? (
        <p className="muted">{anyStore ? 'Escolha uma loja para ver o estoque dela.' : 'Você ainda não está em nenhuma loja.'}</p>
      ) : otherStoresRows ? (
        <Loading label={`Carregando o estoque de ${storeName}…`} />
      ) : (
        <PagedList
          query={list}
          loadingLabel="Carregando o estoque…"
          errorTitle="Não foi possível carregar o estoque"
          empty={debouncedSearch || category ? 'Nenhum produto com estoque nesta loja para esses filtros.' : 'Esta loja ainda não tem estoque registrado.'}
        >
          <DataTable caption={`Estoque de ${storeName}`} className="inbox-table" busy={list.isFetching && !list.isFetchingNextPage} columns={['Produto', 'EAN', 'Categoria', { label: 'Saldo', className: 'num' }, { label: 'Mínimo / pedir', className: 'num' }, 'Atualizado', actionsColumn]}>
            {levels.map((level) => (
              <tr role="row" key={level.productId}>
                <th scope="row" role="rowheader" data-label="Produto">
                  {level.name}
                </th>
                <td role="cell" data-label="EAN" className="mono">
                  {level.ean}
                </td>
                <td role="cell" data-label="Categoria">
                  {level.category ?? '—'}
                </td>
                <td role="cell" data-label="Saldo" className="num">
                  {formatQuantity(level.quantity)} <span className="muted">{level.unit}</span>
                </td>
                <td role="cell" data-label="Mínimo / pedir" className="num">
                  {level.minQuantity === null ? '—' : `${formatQuantity(level.minQuantity)} / ${formatQuantity(level.reorderQuantity)}`}
                  {level.minQuantity !== null && level.quantity < level.minQuantity ? <span className={`badge ${styles.below}`}>abaixo do mínimo</span> : null}
                </td>
                <td role="cell" data-label="Atualizado">
                  {formatDateTime(level.updatedAt)}
                </td>
                <RowActions>
                  <RowAction label="Histórico" subject={level.name} onClick={notice.clearThen(() => setHistory(level))} />
                  {canAdjust ? <RowAction label="Ajustar" subject={level.name} onClick={notice.clearThen(() => setAdjusting(level))} /> : null}
                  {canAdjust ? <RowAction label="Mínimo" subject={level.name} onClick={notice.clearThen(() => setReordering(level))} /> : null}
                </RowActions>
              </tr>
            ))}
          </DataTable>
        </PagedList>
      )}
      <HistoryDialog storeId={storeId} level={history} onClose={() => setHistory(null)} />
      {canAdjust ? (
        <StockImportDialog
          open={importing}
          storeId={storeId}
          storeName={storeName}
          onClose={() => setImporting(false)}
          onImported={async () => void (await Promise.all([utils.stock.levels.invalidate(), utils.stock.suggestions.invalidate()]))}
        />
      ) : null}
      <ReorderDialog
        storeId={storeId}
        level={reordering}
        onClose={() => setReordering(null)}
        onDone={(message) => {
          setReordering(null);
          return notice.announce(message);
        }}
      />
      <AdjustStockDialog
        storeId={storeId}
        level={adjusting}
        onClose={() => setAdjusting(null)}
        onDone={(message) => {
          setAdjusting(null);
          return notice.announce(message);
        }}
      />
    </>
  );
}

const PICKED_STORE_KEY = 'mi.stock.store';

/**
 * The store a buyer picked, kept for the tab (sessionStorage): back from another screen or after a reload, the same
 * store's stock, not an empty page. Read after the first render, as the server's render has no storage.
 */
function usePickedStore(enabled: boolean) {
  const [picked, setPicked] = useState<PickedStore | null>(null);
  useEffect(() => {
    if (!enabled) return;
    try {
      const kept = sessionStorage.getItem(PICKED_STORE_KEY);
      if (kept) setPicked(JSON.parse(kept) as PickedStore);
    } catch {
      // No storage (a private window's quota) or an unreadable value: nothing picked.
    }
  }, [enabled]);
  const pick = (store: PickedStore | null) => {
    setPicked(store);
    try {
      if (store) sessionStorage.setItem(PICKED_STORE_KEY, JSON.stringify(store));
      else sessionStorage.removeItem(PICKED_STORE_KEY);
    } catch {
      // Kept for this screen only.
    }
  };
  return [picked, pick] as const;
}
