'use client';

import Link from 'next/link';
import { useState } from 'react';
import { cursorPages } from '~/lib/trpc/cursor-pages';
import { api, type RouterInputs } from '~/lib/trpc/react';
import { ExportLinks } from '../exports/export-links';
import { usePendingChanges } from '../shell/offline-status';
import { useSession } from '../session';
import { CheckboxField, SelectField, TextField } from '../ui/fields';
import { DataTable } from '../ui/data-table';
import { ErrorAlert } from '../ui/feedback';
import { formatDateTime, formatMoney } from '../ui/format';
import { PageHeader } from '../ui/page-header';
import { PagedList, pagedItems } from '../ui/paged-list';
import { RequestStatusBadge, requestStatusLabels, requestStatuses, type RequestStatus } from './status';
import { useRequesterStores, useVisibleStores } from './stores';

type ListInput = RouterInputs['purchaseRequests']['list'];
type Filters = {
  number: string; storeId: string; status: RequestStatus | ''; from: string; to: string; mine: boolean };

const PAGE_SIZE = 25;

/** `<input type="date">` values are local calendar days; the period covers both whole days. */
function toInput(filters: Filters): ListInput {
  return {
    limit: PAGE_SIZE,
    storeId: filters.storeId || null,
    status: filters.status ? [filters.status] : null,
    from: filters.from ? new Date(`${filters.from}T00:00:00`) : null,
    to: filters.to ? new Date(`${filters.to}T23:59:59.999`) : null,
    mine: filters.mine || null,
    number: filters.number.trim() || null,
  };
}

/** The list's filters, for the export of its lines (every page, not only the ones loaded). */
function exportFilters(filters: Filters) {
  const { storeId, status, from, to, mine, number } = toInput(filters);
  return { storeId, status, from, to, mine, number };
}

export function RequestList() {
  const { user } = useSession();
  const stores = useVisibleStores();
  const canCreate = useRequesterStores().length > 0;
  const [filters, setFilters] = useState<Filters>({ number: '', storeId: '', status: '', from: '', to: '', mine: false });
  const periodError = filters.from && filters.to && filters.from > filters.to ? 'A data inicial deve ser anterior ou igual à final.' : undefined;
  // An impossible period is not sent: the list keeps the last valid filters until it is fixed.
  const [applied, setApplied] = useState(filters);
  const set = <K extends keyof Filters>(key: K, value: Filters[K]) => {
    const next = { ...filters, [key]: value };
    setFilters(next);
    if (!(next.from && next.to && next.from > next.to)) setApplied(next);
  };

  const list = api.purchaseRequests.list.useInfiniteQuery(toInput(applied), cursorPages);
  const requests = pagedItems(list);

  return (
    <>
      <PageHeader
        title="Solicitações de compra"
        description={user.role === 'clerk' ? 'Os pedidos de reposição das suas lojas e o que os compradores decidiram.' : 'Os pedidos de reposição das lojas e o que os compradores decidiram.'}
        actions={
          <>
            <ExportLinks kind="purchase-requests" params={exportFilters(applied)} label="Exportar as solicitações filtradas" />
            {canCreate ? (
              <Link href="/purchase-requests/new" className="btn btn-primary">
                Nova solicitação
              </Link>
            ) : null}
          </>
        }
      />

      <form className="filters" aria-label="Filtrar solicitações" onSubmit={(e) => e.preventDefault()}>
        <TextField label="Número" inputMode="search" placeholder="PC-2026-000123 ou 123" value={filters.number} onChange={(e) => set('number', e.target.value)} />
        {stores.length > 1 ? (
          <SelectField label="Loja" value={filters.storeId} onChange={(e) => set('storeId', e.target.value)}>
            <option value="">Todas as lojas</option>
            {stores.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </SelectField>
        ) : null}
        <SelectField label="Situação" value={filters.status} onChange={(e) => set('status', e.target.value as RequestStatus | '')}>
          <option value="">Todas</option>
          {requestStatuses.map((s) => (
            <option key={s} value={s}>
              {requestStatusLabels[s]}
            </option>
          ))}
        </SelectField>
        <TextField label="Criadas de" type="date" value={filters.from} onChange={(e) => set('from', e.target.value)} error={periodError} />
        <TextField label="Até" type="date" value={filters.to} onChange={(e) => set('to', e.target.value)} />
        <CheckboxField label="Só as que eu criei" checked={filters.mine} onChange={(e) => set('mine', e.target.checked)} />
      </form>

      <QueuedRequests />

      <PagedList
        query={list}
        loadingLabel="Carregando solicitações…"
        errorTitle="Não foi possível carregar as solicitações"
        empty="Nenhuma solicitação encontrada com esses filtros."
      >
        {list.isError ? <ErrorAlert error={list.error} title="Não foi possível atualizar a lista" onRetry={() => void list.refetch()} /> : null}
        <DataTable
          caption="Solicitações de compra"
          busy={list.isFetching && !list.isFetchingNextPage}
          columns={['Solicitação', 'Loja', 'Autor', 'Situação', { label: 'Itens', className: 'num' }, { label: 'Total', className: 'num' }, 'Criada em']}
        >
          {requests.map((r) => (
            <tr role="row" key={r.id}>
              <th scope="row" role="rowheader" data-label="Solicitação">
                <Link href={`/purchase-requests/${r.id}`} className="row-link" aria-label={`Solicitação ${r.number}`}>
                  <span className="mono">{r.number}</span>
                </Link>
                {r.note ? <span className="muted block row-note">{r.note}</span> : null}
              </th>
              <td role="cell" data-label="Loja">{r.storeName}</td>
              <td role="cell" data-label="Autor">{r.createdByName}</td>
              <td role="cell" data-label="Situação">
                <RequestStatusBadge status={r.status} />
              </td>
              <td role="cell" data-label="Itens" className="num">
                {r.itemCount}
              </td>
              <td role="cell" data-label="Total" className="num">
                {formatMoney(r.totalValue)}
              </td>
              <td role="cell" data-label="Criada em">{formatDateTime(r.createdAt)}</td>
            </tr>
          ))}
        </DataTable>
      </PagedList>
    </>
  );
}

/** Requests made offline on this tablet: not on the server yet, so not in the list below until they arrive. */
function QueuedRequests() {
  const queued = usePendingChanges().filter((c) => c.path === 'purchaseRequests.create' || c.path === 'purchaseRequests.submit');
  if (queued.length === 0) return null;
  return (
    <section className="alert alert-info" aria-label="Aguardando envio" data-testid="queued-requests">
      <p>
        <strong>Feitas neste tablet e ainda não registradas no servidor:</strong>
      </p>
      <ul>
        {queued.map((c) => (
          <li key={c.id}>
            {c.label} —{' '}
            {c.state === 'refused'
              ? <strong>recusada: {c.error}</strong>
              : c.state === 'login'
                ? 'aguardando você entrar de novo'
                : c.state === 'waiting'
                  ? 'aguardando conexão'
                  : 'enviando…'}
          </li>
        ))}
      </ul>
    </section>
  );
}
