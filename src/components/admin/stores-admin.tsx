'use client';

import { useEffect, useState, type FormEvent } from 'react';
import { describeError, errorReason, fieldErrors } from '~/lib/trpc/errors';
import { cursorPages } from '~/lib/trpc/cursor-pages';
import { api, type RouterOutputs } from '~/lib/trpc/react';
import { SelectField, TextField } from '../ui/fields';
import { ConfirmMutationDialog, useConfirmation, type Confirmation } from '../ui/confirm-mutation';
import { actionsColumn, DataTable } from '../ui/data-table';
import { ErrorAlert } from '../ui/feedback';
import { formatDate } from '../ui/format';
import { ListNotice, useListNotice } from '../ui/list-notice';
import { Modal } from '../ui/modal';
import { PagedList, pagedItems } from '../ui/paged-list';
import { EditAndActiveActions } from '../ui/row-actions';
import { PageHeader } from '../ui/page-header';

type Store = RouterOutputs['admin']['stores']['list']['items'][number];
type ActiveFilter = 'all' | 'active' | 'inactive';

export function StoresAdmin() {
  const utils = api.useUtils();
  const [activeFilter, setActiveFilter] = useState<ActiveFilter>('all');
  const input = { limit: 25, active: activeFilter === 'all' ? null : activeFilter === 'active' };
  const list = api.admin.stores.list.useInfiniteQuery(input, cursorPages);
  const [editing, setEditing] = useState<Store | 'new' | null>(null);
  const notice = useListNotice(() => utils.admin.stores.list.invalidate());

  const setActive = api.admin.stores.update.useMutation({
    onSuccess: (store) => {
      deactivation.close();
      return notice.announce(store.active ? `Loja ${store.name} reativada.` : `Loja ${store.name} desativada.`);
    },
  });
  const deactivation: Confirmation<Store> = useConfirmation(setActive, notice.clear);

  const stores = pagedItems(list);

  return (
    <>
      <PageHeader
        title="Lojas"
        description="As lojas da rede. Desativar uma loja a tira das listas sem apagar o histórico."
        actions={
          <button type="button" className="btn btn-primary" onClick={notice.clearThen(() => setEditing('new'))}>
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

      <ListNotice notice={notice} />
      {setActive.isError && !deactivation.target ? <ErrorAlert error={setActive.error} title="Não foi possível alterar a loja" /> : null}

      <PagedList query={list} loadingLabel="Carregando lojas…" errorTitle="Não foi possível carregar as lojas" empty="Nenhuma loja encontrada.">
        <DataTable caption="Lojas" columns={['Código', 'Nome', 'Cidade', 'Situação', 'Criada em', actionsColumn]}>
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
              <EditAndActiveActions
                subject={store.name}
                active={store.active}
                onEdit={notice.clearThen(() => setEditing(store))}
                onDeactivate={() => deactivation.ask(store)}
                onReactivate={notice.clearThen(() => setActive.mutate({ id: store.id, active: true }))}
                reactivating={setActive.isPending}
              />
            </tr>
          ))}
        </DataTable>
      </PagedList>

      <StoreFormDialog
        store={editing}
        onClose={() => setEditing(null)}
        onSaved={(message) => {
          setEditing(null);
          return notice.announce(message);
        }}
      />

      <ConfirmMutationDialog
        confirmation={deactivation}
        title="Desativar loja"
        confirmLabel="Desativar"
        pendingLabel="Desativando…"
        onConfirm={(store) => setActive.mutate({ id: store.id, active: false })}
      >
        {(store) => (
          <p>
            Desativar a loja <strong>{store.name}</strong> ({store.code})? Ela deixa de aparecer para novas solicitações e inventários; o histórico
            continua guardado.
          </p>
        )}
      </ConfirmMutationDialog>
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
  if (errorReason(mutation.error) === 'store_code_taken') errors.code = describeError(mutation.error);

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
