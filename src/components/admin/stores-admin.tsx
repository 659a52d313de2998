'use client';

import { useEffect, useState, type FormEvent } from 'react';
import { describeError, errorCode, fieldErrors } from '~/lib/trpc/errors';
import { cursorPages } from '~/lib/trpc/cursor-pages';
import { api, type RouterOutputs } from '~/lib/trpc/react';
import { SelectField, TextField } from '../ui/fields';
import { EmptyState, ErrorAlert, Loading, Notice } from '../ui/feedback';
import { formatDate } from '../ui/format';
import { LoadMore } from '../ui/load-more';
import { ConfirmDialog, Modal } from '../ui/modal';
import { PageHeader } from '../ui/page-header';

type Store = RouterOutputs['admin']['stores']['list']['items'][number];
type ActiveFilter = 'all' | 'active' | 'inactive';

export function StoresAdmin() {
  const utils = api.useUtils();
  const [activeFilter, setActiveFilter] = useState<ActiveFilter>('all');
  const input = { limit: 25, active: activeFilter === 'all' ? null : activeFilter === 'active' };
  const list = api.admin.stores.list.useInfiniteQuery(input, cursorPages);
  const [editing, setEditing] = useState<Store | 'new' | null>(null);
  const [deactivating, setDeactivating] = useState<Store | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const setActive = api.admin.stores.update.useMutation({
    onSuccess: async (store) => {
      setNotice(store.active ? `Loja ${store.name} reativada.` : `Loja ${store.name} desativada.`);
      setDeactivating(null);
      await utils.admin.stores.list.invalidate();
    },
  });

  const stores = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <PageHeader
        title="Lojas"
        description="As lojas da rede. Desativar uma loja a tira das listas sem apagar o histórico."
        actions={
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => {
              setNotice(null);
              setEditing('new');
            }}
          >
            Nova loja
          </button>
        }
      />

      <form className="filters" aria-label="Filtrar lojas" onSubmit={(e) => e.preventDefault()}>
        <SelectField label="Situação" value={activeFilter} onChange={(e) => setActiveFilter(e.target.value as ActiveFilter)}>
          <option value="all">Todas</option>
          <option value="active">Ativas</option>
          <option value="inactive">Inativas</option>
        </SelectField>
      </form>

      {notice ? <Notice tone="success">{notice}</Notice> : null}
      {setActive.isError && !deactivating ? <ErrorAlert error={setActive.error} title="Não foi possível alterar a loja" /> : null}

      {list.isPending ? (
        <Loading label="Carregando lojas…" />
      ) : list.isError && !list.data ? (
        <ErrorAlert error={list.error} title="Não foi possível carregar as lojas" onRetry={() => void list.refetch()} />
      ) : stores.length === 0 ? (
        <EmptyState>Nenhuma loja encontrada.</EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="data-table" role="table">
              <caption className="sr-only">Lojas</caption>
              <thead role="rowgroup">
                <tr role="row">
                  <th scope="col" role="columnheader">Código</th>
                  <th scope="col" role="columnheader">Nome</th>
                  <th scope="col" role="columnheader">Cidade</th>
                  <th scope="col" role="columnheader">Situação</th>
                  <th scope="col" role="columnheader">Criada em</th>
                  <th scope="col" role="columnheader">
                    <span className="sr-only">Ações</span>
                  </th>
                </tr>
              </thead>
              <tbody role="rowgroup">
                {stores.map((store) => (
                  <tr role="row" key={store.id}>
                    <td role="cell" data-label="Código" className="mono">
                      {store.code}
                    </td>
                    <th scope="row" role="rowheader" data-label="Nome">
                      {store.name}
                    </th>
                    <td role="cell" data-label="Cidade">{store.city || '—'}</td>
                    <td role="cell" data-label="Situação">
                      <span className={`badge ${store.active ? 'badge-ok' : 'badge-off'}`}>{store.active ? 'Ativa' : 'Inativa'}</span>
                    </td>
                    <td role="cell" data-label="Criada em">{formatDate(store.createdAt)}</td>
                    <td role="cell" className="row-actions">
                      <button
                        type="button"
                        className="btn btn-secondary btn-small"
                        aria-label={`Editar ${store.name}`}
                        onClick={() => {
                          setNotice(null);
                          setEditing(store);
                        }}
                      >
                        Editar
                      </button>
                      {store.active ? (
                        <button
                          type="button"
                          className="btn btn-danger-outline btn-small"
                          aria-label={`Desativar ${store.name}`}
                          onClick={() => {
                            setNotice(null);
                            setActive.reset();
                            setDeactivating(store);
                          }}
                        >
                          Desativar
                        </button>
                      ) : (
                        <button
                          type="button"
                          className="btn btn-secondary btn-small"
                          aria-label={`Reativar ${store.name}`}
                          disabled={setActive.isPending}
                          onClick={() => {
                            setNotice(null);
                            setActive.mutate({ id: store.id, active: true });
                          }}
                        >
                          Reativar
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <LoadMore query={list} shown={stores.length} />
        </>
      )}

      <StoreFormDialog
        store={editing}
        onClose={() => setEditing(null)}
        onSaved={async (message) => {
          setEditing(null);
          setNotice(message);
          await utils.admin.stores.list.invalidate();
        }}
      />

      <ConfirmDialog
        open={deactivating !== null}
        title="Desativar loja"
        confirmLabel="Desativar"
        pendingLabel="Desativando…"
        pending={setActive.isPending}
        onCancel={() => setDeactivating(null)}
        onConfirm={() => deactivating && setActive.mutate({ id: deactivating.id, active: false })}
        error={setActive.isError ? <ErrorAlert error={setActive.error} /> : null}
      >
        <p>
          Desativar a loja <strong>{deactivating?.name}</strong> ({deactivating?.code})? Ela deixa de aparecer para novas solicitações e
          inventários; o histórico continua guardado.
        </p>
      </ConfirmDialog>
    </>
  );
}

type StoreFormDialogProps = { store: Store | 'new' | null; onClose: () => void; onSaved: (message: string) => void | Promise<void> };

function StoreFormDialog({ store, ...rest }: StoreFormDialogProps) {
  const [busy, setBusy] = useState(false);
  const title = store === 'new' ? 'Nova loja' : `Editar ${store?.name ?? ''}`;
  return (
    <Modal open={store !== null} title={title} onClose={rest.onClose} busy={busy}>
      {store !== null ? <StoreForm key={store === 'new' ? 'new' : store.id} store={store} onBusyChange={setBusy} {...rest} /> : null}
    </Modal>
  );
}

function StoreForm({
  store,
  onClose,
  onSaved,
  onBusyChange,
}: Omit<StoreFormDialogProps, 'store'> & { store: Store | 'new'; onBusyChange: (busy: boolean) => void }) {
  const existing = store === 'new' ? null : store;
  const [code, setCode] = useState(existing?.code ?? '');
  const [name, setName] = useState(existing?.name ?? '');
  const [city, setCity] = useState(existing?.city ?? '');

  const create = api.admin.stores.create.useMutation({ onSuccess: (s) => onSaved(`Loja ${s.name} criada.`) });
  const update = api.admin.stores.update.useMutation({ onSuccess: (s) => onSaved(`Loja ${s.name} atualizada.`) });
  const mutation = existing ? update : create;
  const pending = mutation.isPending;
  useEffect(() => onBusyChange(pending), [pending, onBusyChange]);
  const errors = fieldErrors(mutation.error);
  // A duplicate code is the code field's problem.
  if (mutation.error && errorCode(mutation.error) === 'CONFLICT' && /code/i.test(mutation.error.message)) errors.code = describeError(mutation.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const values = { code: code.trim(), name, city: city.trim() === '' ? null : city };
    if (existing) update.mutate({ id: existing.id, ...values });
    else create.mutate(values);
  };

  return (
    <form onSubmit={submit} noValidate className="form">
      <TextField
        label="Código"
        value={code}
        onChange={(e) => setCode(e.target.value)}
        required
        autoComplete="off"
        maxLength={20}
        hint="Até 20 letras, números ou hífens, por exemplo SP-001."
        error={errors.code}
      />
      <TextField label="Nome" value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" maxLength={120} error={errors.name} />
      <TextField label="Cidade" value={city} onChange={(e) => setCity(e.target.value)} autoComplete="off" maxLength={120} error={errors.city} />
      {mutation.isError && !errors.code ? <ErrorAlert error={mutation.error} /> : null}
      <div className="form-actions">
        <button type="button" className="btn btn-secondary" onClick={onClose} disabled={pending}>
          Cancelar
        </button>
        <button type="submit" className="btn btn-primary" disabled={pending}>
          {pending ? 'Salvando…' : existing ? 'Salvar alterações' : 'Criar loja'}
        </button>
      </div>
    </form>
  );
}
