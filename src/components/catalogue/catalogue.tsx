'use client';

import { useMemo, useState } from 'react';
import { cursorPages } from '~/lib/trpc/cursor-pages';
import { api } from '~/lib/trpc/react';
import { useSession } from '../session';
import { SelectField, TextField } from '../ui/fields';
import { EmptyState, ErrorAlert, Loading, Notice } from '../ui/feedback';
import { formatMoney } from '../ui/format';
import { LoadMore } from '../ui/load-more';
import { ConfirmDialog } from '../ui/modal';
import { PageHeader } from '../ui/page-header';
import { useDebouncedValue } from '../ui/use-debounced-value';
import { CsvImportDialog } from './csv-import';
import { ProductFormDialog, type Product } from './product-form';

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
  const [deactivating, setDeactivating] = useState<Product | null>(null);
  const [importing, setImporting] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const refresh = async () => {
    await Promise.all([utils.products.list.invalidate(), utils.products.categories.invalidate(), utils.products.byEan.invalidate()]);
  };

  const deactivate = api.products.deactivate.useMutation({
    onSuccess: async (product) => {
      setNotice(`Produto ${product.name} desativado. Ele não aparece mais no scanner nem em novas solicitações.`);
      setDeactivating(null);
      await refresh();
    },
  });
  const reactivate = api.products.update.useMutation({
    onSuccess: async (product) => {
      setNotice(`Produto ${product.name} reativado.`);
      await refresh();
    },
  });

  const products = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <PageHeader
        title="Catálogo"
        description={canEdit ? 'Produtos da rede: cadastre, corrija, desative ou importe uma planilha.' : 'Produtos da rede, com código de barras, preço de referência e comprador responsável.'}
        actions={
          canEdit ? (
            <>
              <button
                type="button"
                className="btn btn-secondary"
                onClick={() => {
                  setNotice(null);
                  setImporting(true);
                }}
              >
                Importar CSV
              </button>
              <button
                type="button"
                className="btn btn-primary"
                onClick={() => {
                  setNotice(null);
                  setEditing('new');
                }}
              >
                Novo produto
              </button>
            </>
          ) : null
        }
      />

      <form className="filters filters-catalogue" role="search" aria-label="Buscar produtos" onSubmit={(e) => e.preventDefault()}>
        <TextField
          label="Buscar por nome ou EAN"
          type="search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          autoComplete="off"
          hint={byEan ? 'Buscando pelo início do código de barras.' : 'Digite o começo do nome, ou números para o começo do EAN.'}
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

      {notice ? <Notice tone="success">{notice}</Notice> : null}
      {reactivate.isError ? <ErrorAlert error={reactivate.error} title="Não foi possível reativar o produto" /> : null}

      {list.isPending ? (
        <Loading label="Carregando produtos…" />
      ) : list.isError && !list.data ? (
        <ErrorAlert error={list.error} title="Não foi possível carregar o catálogo" onRetry={() => void list.refetch()} />
      ) : products.length === 0 ? (
        <EmptyState>{debouncedSearch ? `Nenhum produto encontrado para "${debouncedSearch}".` : 'Nenhum produto encontrado com esses filtros.'}</EmptyState>
      ) : (
        <>
          <div className="table-wrap" aria-busy={list.isFetching && !list.isFetchingNextPage}>
            <table className="data-table" role="table">
              <caption className="sr-only">Produtos</caption>
              <thead role="rowgroup">
                <tr role="row">
                  <th scope="col" role="columnheader">Produto</th>
                  <th scope="col" role="columnheader">EAN</th>
                  <th scope="col" role="columnheader">Categoria</th>
                  <th scope="col" role="columnheader" className="num">Preço ref.</th>
                  <th scope="col" role="columnheader">Comprador</th>
                  <th scope="col" role="columnheader">Situação</th>
                  {canEdit ? (
                    <th scope="col" role="columnheader">
                      <span className="sr-only">Ações</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody role="rowgroup">
                {products.map((p) => (
                  <tr role="row" key={p.id}>
                    <th scope="row" role="rowheader" data-label="Produto">
                      {p.name}
                      {p.brand ? <span className="muted block">{p.brand}</span> : null}
                    </th>
                    <td role="cell" data-label="EAN" className="mono">
                      {p.ean}
                    </td>
                    <td role="cell" data-label="Categoria">{p.category ?? '—'}</td>
                    <td role="cell" data-label="Preço ref." className="num">
                      {formatMoney(p.referencePrice)} <span className="muted">/ {p.unit}</span>
                    </td>
                    <td role="cell" data-label="Comprador">{p.buyerName ?? <span className="muted">da categoria</span>}</td>
                    <td role="cell" data-label="Situação">
                      <span className={`badge ${p.active ? 'badge-ok' : 'badge-off'}`}>{p.active ? 'Ativo' : 'Inativo'}</span>
                    </td>
                    {canEdit ? (
                      <td role="cell" className="row-actions">
                        <button
                          type="button"
                          className="btn btn-secondary btn-small"
                          aria-label={`Editar ${p.name}`}
                          onClick={() => {
                            setNotice(null);
                            setEditing(p);
                          }}
                        >
                          Editar
                        </button>
                        {p.active ? (
                          <button
                            type="button"
                            className="btn btn-danger-outline btn-small"
                            aria-label={`Desativar ${p.name}`}
                            onClick={() => {
                              setNotice(null);
                              deactivate.reset();
                              setDeactivating(p);
                            }}
                          >
                            Desativar
                          </button>
                        ) : (
                          <button
                            type="button"
                            className="btn btn-secondary btn-small"
                            aria-label={`Reativar ${p.name}`}
                            disabled={reactivate.isPending}
                            onClick={() => {
                              setNotice(null);
                              reactivate.mutate({ id: p.id, active: true });
                            }}
                          >
                            Reativar
                          </button>
                        )}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <LoadMore query={list} shown={products.length} />
        </>
      )}

      <ProductFormDialog
        product={editing}
        categories={categories}
        onClose={() => setEditing(null)}
        onSaved={async (message) => {
          setEditing(null);
          setNotice(message);
          await refresh();
        }}
      />

      <CsvImportDialog open={importing} onClose={() => setImporting(false)} onImported={refresh} />

      <ConfirmDialog
        open={deactivating !== null}
        title="Desativar produto"
        confirmLabel="Desativar"
        pendingLabel="Desativando…"
        pending={deactivate.isPending}
        onCancel={() => setDeactivating(null)}
        onConfirm={() => deactivating && deactivate.mutate({ id: deactivating.id })}
        error={deactivate.isError ? <ErrorAlert error={deactivate.error} /> : null}
      >
        <p>
          Desativar <strong>{deactivating?.name}</strong> (EAN <span className="mono">{deactivating?.ean}</span>)? Ele deixa de ser aceito no scanner e em
          novas solicitações; o histórico continua guardado e você pode reativá-lo depois.
        </p>
      </ConfirmDialog>
    </>
  );
}
