'use client';

import { useMemo, useState } from 'react';
import { cursorPages } from '~/lib/trpc/cursor-pages';
import { api } from '~/lib/trpc/react';
import { ExportLinks } from '../exports/export-links';
import { useSession } from '../session';
import { RowCheckbox, SelectField, TextField } from '../ui/fields';
import { ConfirmMutationDialog, useConfirmation, type Confirmation } from '../ui/confirm-mutation';
import { actionsColumn, DataTable, selectColumn } from '../ui/data-table';
import { ErrorAlert } from '../ui/feedback';
import { formatInteger, formatMoney } from '../ui/format';
import { ListNotice, useListNotice } from '../ui/list-notice';
import { PageHeader } from '../ui/page-header';
import { ProductPhoto } from '../ui/product-photo';
import { PagedList, pagedItems } from '../ui/paged-list';
import { EditAndActiveActions } from '../ui/row-actions';
import { useDebouncedValue } from '../ui/use-debounced-value';
import { CsvImportDialog } from './csv-import';
import { LabelsDialog, type ChosenProduct } from './labels-dialog';
import { ProductFormDialog, type Product } from './product-form';
import styles from './catalogue.module.css';

type ActiveFilter = 'active' | 'inactive' | 'all';

const PAGE_SIZE = 25;

/** The org's products. Everyone can look things up; admins and buyers keep it (the server enforces the same). */
export function Catalogue() {
  const { user } = useSession();
  const canEdit = user.role === 'admin' || user.role === 'buyer';
  const utils = api.useUtils();

  const [search, setSearch] = useState('');
  const [category, setCategory] = useState('');
  const [activeFilter, setActiveFilter] = useState<ActiveFilter>('active');
  const debouncedSearch = useDebouncedValue(search.trim(), 300);
  const byEan = /^\d+$/.test(debouncedSearch);

  const input = {
    limit: PAGE_SIZE,
    search: debouncedSearch || null,
    category: category || null,
    active: activeFilter === 'all' ? null : activeFilter === 'active',
  };
  const list = api.products.list.useInfiniteQuery(input, cursorPages);
  const categoriesQuery = api.products.categories.useQuery(undefined, { staleTime: 5 * 60_000 });
  const categories = useMemo(() => [...new Set((categoriesQuery.data ?? []).flatMap((c) => (c.category ? [c.category] : [])))], [categoriesQuery.data]);

  const [editing, setEditing] = useState<Product | 'new' | null>(null);
  const [importing, setImporting] = useState(false);
  // Products chosen for shelf labels, in the order they were chosen; kept while the search changes.
  const [chosen, setChosen] = useState<Map<string, ChosenProduct>>(() => new Map());
  const [printing, setPrinting] = useState(false);

  const refresh = async () => {
    await Promise.all([utils.products.list.invalidate(), utils.products.categories.invalidate(), utils.products.byEan.invalidate()]);
  };
  const notice = useListNotice(refresh);

  const deactivate = api.products.deactivate.useMutation({
    onSuccess: (product) => {
      deactivation.close();
      return notice.announce(`Produto ${product.name} desativado. Ele não aparece mais no scanner nem em novas solicitações.`);
    },
  });
  const deactivation: Confirmation<Product> = useConfirmation(deactivate, notice.clear);
  const reactivate = api.products.update.useMutation({ onSuccess: (product) => notice.announce(`Produto ${product.name} reativado.`) });

  const products = pagedItems(list);
  const allShownChosen = products.length > 0 && products.every((p) => chosen.has(p.id));
  const choose = (items: ChosenProduct[], on: boolean) =>
    setChosen((current) => {
      const next = new Map(current);
      for (const item of items) {
        if (on) next.set(item.id, { id: item.id, name: item.name });
        else next.delete(item.id);
      }
      return next;
    });

  return (
    <>
      <PageHeader
        title="Catálogo"
        description={canEdit ? 'Produtos da rede: cadastre, corrija, desative ou importe uma planilha.' : 'Produtos da rede, com código de barras, preço de referência e comprador responsável.'}
        actions={
          <>
            <ExportLinks kind="catalogue" params={{ search: input.search, category: input.category, active: activeFilter === 'all' ? 'all' : String(input.active) }} label="Exportar os produtos filtrados" />
            {canEdit ? (
              <>
                <button type="button" className="btn btn-secondary" onClick={notice.clearThen(() => setImporting(true))}>
                  Importar CSV
                </button>
                <button type="button" className="btn btn-primary" onClick={notice.clearThen(() => setEditing('new'))}>
                  Novo produto
                </button>
              </>
            ) : null}
          </>
        }
      />

      <form className={`filters ${styles.filtersCatalogue}`} role="search" aria-label="Buscar produtos" onSubmit={(e) => e.preventDefault()}>
        <TextField
          label="Buscar por nome ou EAN"
          type="search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          autoComplete="off"
          hint={byEan ? 'Buscando pelo início do código de barras.' : 'O começo das palavras do nome, da marca ou da categoria ("arr" acha Arroz), com ou sem acento; números buscam o começo do EAN.'}
        />
        <SelectField label="Categoria" value={category} onChange={(e) => setCategory(e.target.value)} disabled={categoriesQuery.isPending}>
          <option value="">{categoriesQuery.isPending ? 'Carregando…' : 'Todas as categorias'}</option>
          {categories.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </SelectField>
        <SelectField label="Situação" value={activeFilter} onChange={(e) => setActiveFilter(e.target.value as ActiveFilter)}>
          <option value="active">Ativos</option>
          <option value="inactive">Inativos</option>
          <option value="all">Todos</option>
        </SelectField>
      </form>
      {categoriesQuery.isError ? <ErrorAlert error={categoriesQuery.error} title="Não foi possível carregar as categorias" onRetry={() => void categoriesQuery.refetch()} /> : null}

      <div className="bulk-bar" role="group" aria-label="Etiquetas de gôndola">
        <label className="bulk-select-all">
          <input type="checkbox" className="checkbox" checked={allShownChosen} disabled={products.length === 0} onChange={(e) => choose(products, e.target.checked)} />
          Escolher todos os exibidos
        </label>
        <span className="bulk-count" role="status">
          {chosen.size === 0 ? 'Escolha produtos para imprimir etiquetas' : chosen.size === 1 ? '1 produto escolhido' : `${formatInteger(chosen.size)} produtos escolhidos`}
        </span>
        <div className="bulk-actions">
          {chosen.size > 0 ? (
            <button type="button" className="btn btn-secondary" onClick={() => setChosen(new Map())}>
              Limpar escolha
            </button>
          ) : null}
          <button type="button" className="btn btn-primary" disabled={chosen.size === 0} onClick={notice.clearThen(() => setPrinting(true))}>
            Etiquetas
          </button>
        </div>
      </div>

      <ListNotice notice={notice} />
      {reactivate.isError ? <ErrorAlert error={reactivate.error} title="Não foi possível reativar o produto" /> : null}

      <PagedList
        query={list}
        loadingLabel="Carregando produtos…"
        errorTitle="Não foi possível carregar o catálogo"
        empty={debouncedSearch ? `Nenhum produto encontrado para "${debouncedSearch}".` : 'Nenhum produto encontrado com esses filtros.'}
      >
        <DataTable
          caption="Produtos"
          className={`inbox-table ${styles.catalogueTable}`}
          busy={list.isFetching && !list.isFetchingNextPage}
          columns={[selectColumn, { label: <span className="sr-only">Foto</span>, className: styles.thumbCol }, 'Produto', 'EAN', 'Categoria', { label: 'Preço ref.', className: 'num' }, 'Comprador', 'Situação', ...(canEdit ? [actionsColumn] : [])]}
        >
          {products.map((p) => (
            <tr role="row" key={p.id}>
              <td role="cell" className={`select-col ${styles.pick}`}>
                <RowCheckbox checked={chosen.has(p.id)} onChange={(e) => choose([p], e.target.checked)} aria-label={`Escolher ${p.name} para etiqueta`} />
              </td>
              <td role="cell" className={styles.thumb}>
                <ProductPhoto productId={p.id} photoId={p.photoId} name={p.name} />
              </td>
              <th scope="row" role="rowheader" data-label="Produto" className={styles.name}>
                <span className={styles.nameWithPhoto}>
                  {/* Wide screens have no picture column: the photo sits beside the name. */}
                  <span className={styles.widePhoto}>
                    <ProductPhoto productId={p.id} photoId={p.photoId} name={p.name} size={40} />
                  </span>
                  <span>
                    {p.name}
                    {p.brand ? <span className="muted block">{p.brand}</span> : null}
                  </span>
                </span>
              </th>
              <td role="cell" data-label="EAN" className={`mono ${styles.ean}`}>
                {p.ean}
              </td>
              <td role="cell" data-label="Categoria" className={styles.category}>
                {p.category ?? '—'}
              </td>
              <td role="cell" data-label="Preço ref." className={`num ${styles.price}`}>
                {formatMoney(p.referencePrice)} <span className="muted">/ {p.unit}</span>
              </td>
              <td role="cell" data-label="Comprador" className={styles.buyer}>
                {p.buyerName ?? <span className="muted">da categoria</span>}
              </td>
              <td role="cell" data-label="Situação" className={styles.status}>
                <span className={`badge ${p.active ? 'badge-ok' : 'badge-off'}`}>{p.active ? 'Ativo' : 'Inativo'}</span>
              </td>
              {canEdit ? (
                <EditAndActiveActions
                  subject={p.name}
                  active={p.active}
                  onEdit={notice.clearThen(() => setEditing(p))}
                  onDeactivate={() => deactivation.ask(p)}
                  onReactivate={notice.clearThen(() => reactivate.mutate({ id: p.id, active: true }))}
                  reactivating={reactivate.isPending}
                />
              ) : null}
            </tr>
          ))}
        </DataTable>
      </PagedList>

      <ProductFormDialog
        product={editing}
        categories={categories}
        onClose={() => setEditing(null)}
        onSaved={(message) => {
          setEditing(null);
          return notice.announce(message);
        }}
      />

      <LabelsDialog open={printing} products={[...chosen.values()]} onClose={() => setPrinting(false)} />

      <CsvImportDialog open={importing} onClose={() => setImporting(false)} onImported={refresh} />

      <ConfirmMutationDialog
        confirmation={deactivation}
        title="Desativar produto"
        confirmLabel="Desativar"
        pendingLabel="Desativando…"
        onConfirm={(product) => deactivate.mutate({ id: product.id })}
      >
        {(product) => (
          <p>
            Desativar <strong>{product.name}</strong> (EAN <span className="mono">{product.ean}</span>)? Ele deixa de ser aceito no scanner e em novas
            solicitações; o histórico continua guardado e você pode reativá-lo depois.
          </p>
        )}
      </ConfirmMutationDialog>
    </>
  );
}
